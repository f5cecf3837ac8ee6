/**
 * Client API keys. Only a hash of each key is stored (hashing is the caller's, e.g. SHA-256
 * of the presented key), so a database leak does not leak usable keys. Revocation keeps the
 * row for audit; lookups for authentication use `findActiveByHash`.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { ApiKeysTable } from './schema.js';
import { isoAt, type StoreContext } from './store-context.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  keyHash: string;
  /** Locations the key may act on; ["*"] by convention for all (the auth layer decides). */
  locations: string[];
  roles: string[];
  createdAt: string;
  revokedAt: string | null;
  /** Which documents the key may run (allow-any, trusted-only); null: the gateway's default. The auth layer parses it. */
  documents: string | null;
}

export interface CreateApiKeyInput {
  keyHash: string;
  name: string;
  locations: string[];
  roles: string[];
  documents?: string | null;
  /** Default a random UUID. */
  id?: string;
}

export interface ApiKeysRepo {
  create(input: CreateApiKeyInput): Promise<ApiKeyRecord>;
  /** The unrevoked key with this hash, or null. */
  findActiveByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  get(id: string): Promise<ApiKeyRecord | null>;
  list(options?: { includeRevoked?: boolean }): Promise<ApiKeyRecord[]>;
  revoke(id: string): Promise<boolean>;
  /** Sets the documents mode of an unrevoked key (null: the default); false when there is none. */
  setDocuments(id: string, documents: string | null): Promise<boolean>;
}

const StringListSchema = z.array(z.string());

function toRecord(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    keyHash: row.key_hash,
    locations: StringListSchema.parse(JSON.parse(row.locations)),
    roles: StringListSchema.parse(JSON.parse(row.roles)),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    documents: row.documents,
  };
}

export function createApiKeysRepo(ctx: StoreContext): ApiKeysRepo {
  const { db } = ctx;
  return {
    async create(input) {
      const row = await db
        .insertInto('api_keys')
        .values({
          id: input.id ?? randomUUID(),
          key_hash: input.keyHash,
          name: input.name,
          locations: JSON.stringify(input.locations),
          roles: JSON.stringify(input.roles),
          created_at: isoAt(ctx.now()),
          revoked_at: null,
          documents: input.documents ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async findActiveByHash(keyHash) {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('key_hash', '=', keyHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row === undefined ? null : toRecord(row);
    },

    async get(id) {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toRecord(row);
    },

    async list(options) {
      let query = db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id');
      if (options?.includeRevoked !== true) query = query.where('revoked_at', 'is', null);
      const rows = await query.execute();
      return rows.map(toRecord);
    },

    async setDocuments(id, documents) {
      const result = await db
        .updateTable('api_keys')
        .set({ documents })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async revoke(id) {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: isoAt(ctx.now()) })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
