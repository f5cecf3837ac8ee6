/**
 * Content hashes of what we last wrote, per (location, direction, entity kind, entity id of the
 * side written to). Two uses: skip a write whose content did not change, and echo suppression:
 * when a webhook for an entity we wrote carries content hashing to what we wrote, it is our own
 * write coming back, not a change to sync the other way. Hashing itself is the caller's (a pure
 * domain function); this layer stores opaque text.
 */
import { preparedQuery } from './prepared-query.js';
import type { SyncDirection } from './schema.js';
import { isoAt, type Executor, type StoreContext } from './store-context.js';

export interface ContentHashKey {
  locationId: string;
  direction: SyncDirection;
  /** Kind of the entity written, e.g. "customer" for a ghl_to_roofr write. */
  entityKind: string;
  entityId: string;
}

export interface StoredHash {
  hash: string;
  updatedAt: string;
}

export interface HashesRepo {
  get(key: ContentHashKey): Promise<StoredHash | null>;
  /** Records the hash just written (insert or replace). */
  put(key: ContentHashKey, hash: string, trx?: Executor): Promise<void>;
  /** True when `hash` equals the hash last written for `key`: skip the write / it is an echo. */
  isUnchanged(key: ContentHashKey, hash: string): Promise<boolean>;
  delete(key: ContentHashKey, trx?: Executor): Promise<boolean>;
}

export function createHashesRepo(ctx: StoreContext): HashesRepo {
  const { db } = ctx;
  // Every synced record reads and writes its hash (prepared-query.ts).
  const byKey = preparedQuery(['locationId', 'direction', 'entityKind', 'entityId'], (p) =>
    db
      .selectFrom('content_hashes')
      .select(['hash', 'updated_at'])
      .where('location_id', '=', p.locationId)
      .where('direction', '=', p.direction)
      .where('entity_kind', '=', p.entityKind)
      .where('entity_id', '=', p.entityId),
  );
  const upsert = preparedQuery(['locationId', 'direction', 'entityKind', 'entityId', 'hash', 'at'], (p) =>
    db
      .insertInto('content_hashes')
      .values({
        location_id: p.locationId,
        direction: p.direction,
        entity_kind: p.entityKind,
        entity_id: p.entityId,
        hash: p.hash,
        updated_at: p.at,
      })
      .onConflict((oc) =>
        oc
          .columns(['location_id', 'direction', 'entity_kind', 'entity_id'])
          .doUpdateSet({ hash: p.hash, updated_at: p.at }),
      ),
  );

  async function get(key: ContentHashKey): Promise<StoredHash | null> {
    const row = (await byKey(db, key)).rows[0];
    return row === undefined ? null : { hash: row.hash, updatedAt: row.updated_at };
  }

  return {
    get,

    async put(key, hash, trx) {
      await upsert(trx ?? db, { ...key, hash, at: isoAt(ctx.now()) });
    },

    async isUnchanged(key, hash) {
      const stored = await get(key);
      return stored !== null && stored.hash === hash;
    },

    async delete(key, trx) {
      const result = await (trx ?? db)
        .deleteFrom('content_hashes')
        .where('location_id', '=', key.locationId)
        .where('direction', '=', key.direction)
        .where('entity_kind', '=', key.entityKind)
        .where('entity_id', '=', key.entityId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
