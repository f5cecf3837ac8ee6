/**
 * Client API keys: `gk_<random>` shown once at creation, stored only as a SHA-256 hash.
 * A fast hash is enough here (unlike passwords): the key carries 256 random bits, so a leaked
 * hash cannot be brute-forced, and hashing keeps a database dump from being a set of keys.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DocumentsMode, Role } from './caller-identity.js';

const API_KEY_PREFIX = 'gk_';

export interface ApiKeyRecord {
  id: string;
  name: string;
  locations: string[];
  roles: Role[];
  createdAt: string;
  revokedAt: string | null;
  /** Which documents the key may run; null: the gateway's TRUSTED_DOCUMENTS_DEFAULT_MODE. */
  documents: DocumentsMode | null;
}

/** Storage of keys by hash; the store's api_keys table implements it (see store-adapters.ts). */
export interface ApiKeyRepository {
  insert(record: ApiKeyRecord & { keyHash: string }): Promise<void>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  revoke(id: string, at: string): Promise<boolean>;
  list(): Promise<ApiKeyRecord[]>;
  /** Sets an unrevoked key's documents mode (null: the default); false when there is no such key. */
  setDocuments(id: string, documents: DocumentsMode | null): Promise<boolean>;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX) && value.length > API_KEY_PREFIX.length + 20;
}

interface CreatedApiKey {
  record: ApiKeyRecord;
  /** The only time the key exists in clear: show it once, never store or log it. */
  key: string;
}

export async function createApiKey(
  repository: ApiKeyRepository,
  input: { name: string; locations: string[]; roles: Role[]; documents?: DocumentsMode | null },
  now: Date = new Date(),
): Promise<CreatedApiKey> {
  if (input.locations.length === 0) throw new Error('An API key needs at least one location');
  if (input.roles.length === 0) throw new Error('An API key needs at least one role');
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = {
    id: `key_${randomBytes(6).toString('hex')}`,
    name: input.name,
    locations: [...new Set(input.locations)],
    roles: [...new Set(input.roles)],
    createdAt: now.toISOString(),
    revokedAt: null,
    documents: input.documents ?? null,
  };
  await repository.insert({ ...record, keyHash: hashApiKey(key) });
  return { record, key };
}

/** The active record for a presented key, or null (unknown or revoked). */
export async function verifyApiKey(repository: ApiKeyRepository, key: string): Promise<ApiKeyRecord | null> {
  if (!looksLikeApiKey(key)) return null;
  const record = await repository.findByHash(hashApiKey(key));
  if (record === null || record.revokedAt !== null) return null;
  return record;
}

/** For tests and single-process demos; production uses the store's table. */
export class InMemoryApiKeyRepository implements ApiKeyRepository {
  private readonly rows = new Map<string, ApiKeyRecord & { keyHash: string }>();

  async insert(record: ApiKeyRecord & { keyHash: string }): Promise<void> {
    this.rows.set(record.id, { ...record });
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    for (const row of this.rows.values()) {
      if (row.keyHash === keyHash) return withoutHash(row);
    }
    return null;
  }

  async revoke(id: string, at: string): Promise<boolean> {
    const row = this.rows.get(id);
    if (row === undefined || row.revokedAt !== null) return false;
    row.revokedAt = at;
    return true;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return [...this.rows.values()].map(withoutHash);
  }

  async setDocuments(id: string, documents: DocumentsMode | null): Promise<boolean> {
    const row = this.rows.get(id);
    if (row === undefined || row.revokedAt !== null) return false;
    row.documents = documents;
    return true;
  }
}

function withoutHash(row: ApiKeyRecord & { keyHash: string }): ApiKeyRecord {
  const { keyHash: _keyHash, ...record } = row;
  return { ...record, locations: [...record.locations], roles: [...record.roles] };
}
