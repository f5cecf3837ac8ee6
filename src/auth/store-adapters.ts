/**
 * The auth layer's repositories over the durable store (src/store): rows there hold only
 * sealed blobs and hashes; sealing, opening and hashing stay here.
 */
import type { Store } from '../store/open-store.js';
import type { OAuthTokenRecord } from '../store/tokens-repo.js';
import { DocumentsModeSchema, RoleSchema, type DocumentsMode, type Role } from './caller-identity.js';
import type { ApiKeyRecord, ApiKeyRepository } from './api-keys.js';
import type { SecretRepository, SecretRow } from './secret-vault.js';
import type { OAuthTokenRepository, OAuthTokenRow } from './token-vault.js';

function toRow(record: OAuthTokenRecord): OAuthTokenRow {
  return {
    subject_kind: record.subject.kind,
    subject_id: record.subject.id,
    company_id: record.companyId,
    ciphertext: record.encrypted.ciphertext,
    iv: record.encrypted.iv,
    auth_tag: record.encrypted.authTag,
    key_id: record.encrypted.keyId,
    scopes: JSON.stringify(record.scopes),
    expires_at: record.expiresAt,
    last_refresh_at: record.lastRefreshAt,
    status: record.status,
    version: record.version,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

function sealedOf(row: OAuthTokenRow) {
  return { ciphertext: row.ciphertext, iv: row.iv, authTag: row.auth_tag, keyId: row.key_id };
}

export function storeTokenRepository(store: Pick<Store, 'tokens' | 'db'>): OAuthTokenRepository {
  return {
    async get(kind, subjectId) {
      const record = await store.tokens.get({ kind, id: subjectId });
      return record === null ? null : toRow(record);
    },
    async list() {
      // Every row, whatever its status (the repository lists only active or per company).
      return store.db.selectFrom('oauth_tokens').selectAll().orderBy('subject_kind').orderBy('subject_id').execute();
    },
    async upsert(row) {
      await store.tokens.save({
        subject: { kind: row.subject_kind, id: row.subject_id },
        companyId: row.company_id,
        encrypted: sealedOf(row),
        scopes: JSON.parse(row.scopes) as string[],
        expiresAt: new Date(row.expires_at),
      });
    },
    async compareAndSwap(row, expectedVersion) {
      const saved = await store.tokens.replaceIfVersion(
        { kind: row.subject_kind, id: row.subject_id },
        expectedVersion,
        {
          encrypted: sealedOf(row),
          expiresAt: new Date(row.expires_at),
          scopes: JSON.parse(row.scopes) as string[],
        },
      );
      return saved !== null;
    },
    async setStatus(kind, subjectId, status) {
      if (status === 'needs_reinstall') await store.tokens.markNeedsReinstall({ kind, id: subjectId });
      // Back to active only happens through an install (upsert), which sets it.
    },
    async delete(kind, subjectId) {
      return store.tokens.delete({ kind, id: subjectId });
    },
  };
}

function rolesOf(values: readonly string[]): Role[] {
  // A role this release does not know grants nothing.
  return values.flatMap((value) => {
    const parsed = RoleSchema.safeParse(value);
    return parsed.success ? [parsed.data] : [];
  });
}

/** A mode this release does not know restricts: a newer release's stricter mode must not open up here. */
function documentsOf(value: string | null): DocumentsMode | null {
  if (value === null) return null;
  const parsed = DocumentsModeSchema.safeParse(value);
  return parsed.success ? parsed.data : 'trusted-only';
}

export function storeApiKeyRepository(store: Pick<Store, 'apiKeys'>): ApiKeyRepository {
  const toRecord = (record: {
    id: string;
    name: string;
    locations: string[];
    roles: string[];
    createdAt: string;
    revokedAt: string | null;
    documents: string | null;
  }): ApiKeyRecord => ({
    id: record.id,
    name: record.name,
    locations: record.locations,
    roles: rolesOf(record.roles),
    createdAt: record.createdAt,
    revokedAt: record.revokedAt,
    documents: documentsOf(record.documents),
  });
  return {
    async insert(record) {
      await store.apiKeys.create({
        id: record.id,
        keyHash: record.keyHash,
        name: record.name,
        locations: record.locations,
        roles: record.roles,
        documents: record.documents,
      });
    },
    async findByHash(keyHash) {
      const record = await store.apiKeys.findActiveByHash(keyHash);
      return record === null ? null : toRecord(record);
    },
    async revoke(id) {
      return store.apiKeys.revoke(id);
    },
    async list() {
      return (await store.apiKeys.list({ includeRevoked: true })).map(toRecord);
    },
    async setDocuments(id, documents) {
      return store.apiKeys.setDocuments(id, documents);
    },
  };
}

export function storeSecretRepository(store: Pick<Store, 'secrets'>): SecretRepository {
  const get = async (key: string): Promise<SecretRow | null> => {
    const record = await store.secrets.get(key);
    if (record === null) return null;
    return {
      key: record.key,
      ciphertext: record.encrypted.ciphertext,
      iv: record.encrypted.iv,
      auth_tag: record.encrypted.authTag,
      key_id: record.encrypted.keyId,
      updated_at: record.updatedAt,
    };
  };
  return {
    get,
    async upsert(row) {
      await store.secrets.put(row.key, {
        ciphertext: row.ciphertext,
        iv: row.iv,
        authTag: row.auth_tag,
        keyId: row.key_id,
      });
    },
    async list() {
      const rows = await Promise.all((await store.secrets.listKeys()).map(get));
      return rows.filter((row): row is SecretRow => row !== null);
    },
    async delete(key) {
      return store.secrets.delete(key);
    },
  };
}
