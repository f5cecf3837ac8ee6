/**
 * Sync cursors per (location, scope): where an incremental sync resumes, e.g. scope
 * "ghl.contacts" → the dateUpdated watermark reached. Values are opaque text to this layer.
 */
import { isoAt, type Executor, type StoreContext } from './store-context.js';

export interface SyncCursor {
  locationId: string;
  scope: string;
  value: string;
  updatedAt: string;
}

export interface CursorsRepo {
  get(locationId: string, scope: string): Promise<SyncCursor | null>;
  set(locationId: string, scope: string, value: string, trx?: Executor): Promise<void>;
  /** Forgets a cursor, so the next sync of that scope is a full one. */
  clear(locationId: string, scope: string): Promise<boolean>;
  listForLocation(locationId: string): Promise<SyncCursor[]>;
}

export function createCursorsRepo(ctx: StoreContext): CursorsRepo {
  const { db } = ctx;
  return {
    async get(locationId, scope) {
      const row = await db
        .selectFrom('sync_cursors')
        .selectAll()
        .where('location_id', '=', locationId)
        .where('scope', '=', scope)
        .executeTakeFirst();
      return row === undefined
        ? null
        : { locationId: row.location_id, scope: row.scope, value: row.value, updatedAt: row.updated_at };
    },

    async set(locationId, scope, value, trx) {
      const nowIso = isoAt(ctx.now());
      await (trx ?? db)
        .insertInto('sync_cursors')
        .values({ location_id: locationId, scope, value, updated_at: nowIso })
        .onConflict((oc) => oc.columns(['location_id', 'scope']).doUpdateSet({ value, updated_at: nowIso }))
        .execute();
    },

    async clear(locationId, scope) {
      const result = await db
        .deleteFrom('sync_cursors')
        .where('location_id', '=', locationId)
        .where('scope', '=', scope)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async listForLocation(locationId) {
      const rows = await db
        .selectFrom('sync_cursors')
        .selectAll()
        .where('location_id', '=', locationId)
        .orderBy('scope')
        .execute();
      return rows.map((row) => ({
        locationId: row.location_id,
        scope: row.scope,
        value: row.value,
        updatedAt: row.updated_at,
      }));
    },
  };
}
