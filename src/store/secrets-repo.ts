/**
 * Settings that are secret (e.g. Roofr credentials entered by an operator): key → sealed
 * value. Like tokens, sealing and opening are the caller's; this layer stores opaque fields.
 */
import type { EncryptedBlob } from './encrypted-blob.js';
import { isoAt, type StoreContext } from './store-context.js';

export interface SecretRecord {
  key: string;
  encrypted: EncryptedBlob;
  updatedAt: string;
}

export interface SecretsRepo {
  get(key: string): Promise<SecretRecord | null>;
  put(key: string, encrypted: EncryptedBlob): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Key names only; values are read one by one when needed. */
  listKeys(): Promise<string[]>;
}

export function createSecretsRepo(ctx: StoreContext): SecretsRepo {
  const { db } = ctx;
  return {
    async get(key) {
      const row = await db.selectFrom('secrets').selectAll().where('key', '=', key).executeTakeFirst();
      return row === undefined
        ? null
        : {
            key: row.key,
            encrypted: { ciphertext: row.ciphertext, iv: row.iv, authTag: row.auth_tag, keyId: row.key_id },
            updatedAt: row.updated_at,
          };
    },

    async put(key, encrypted) {
      const sealed = {
        ciphertext: encrypted.ciphertext,
        iv: encrypted.iv,
        auth_tag: encrypted.authTag,
        key_id: encrypted.keyId,
        updated_at: isoAt(ctx.now()),
      };
      await db
        .insertInto('secrets')
        .values({ key, ...sealed })
        .onConflict((oc) => oc.column('key').doUpdateSet(sealed))
        .execute();
    },

    async delete(key) {
      const result = await db.deleteFrom('secrets').where('key', '=', key).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async listKeys() {
      const rows = await db.selectFrom('secrets').select('key').orderBy('key').execute();
      return rows.map((row) => row.key);
    },
  };
}
