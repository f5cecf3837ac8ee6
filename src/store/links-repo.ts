/**
 * Links between a GHL entity and the Roofr entity it is synced with, per location. A GHL
 * entity links to at most one Roofr entity of each Roofr kind and vice versa (a contact may be
 * linked to a customer and to a job). Deleting keeps the row (status deleted) so a late webhook
 * for the entity is recognised instead of recreating it; linking again reactivates it. When
 * another GHL entity takes over the Roofr entity of a deleted link, that deleted row goes.
 */
import type { Selectable } from 'kysely';
import { clampPageSize, decodeIdCursor, toPage, type Page } from './paging.js';
import type { GhlEntityKind, LinkStatus, LinksTable, RoofrEntityKind } from './schema.js';
import { inTransaction, isoAt, type Executor, type StoreContext } from './store-context.js';

export interface Link {
  id: number;
  locationId: string;
  ghlKind: GhlEntityKind;
  ghlId: string;
  roofrKind: RoofrEntityKind;
  roofrId: string;
  status: LinkStatus;
  createdAt: string;
  updatedAt: string;
}

export interface LinkInput {
  locationId: string;
  ghlKind: GhlEntityKind;
  ghlId: string;
  roofrKind: RoofrEntityKind;
  roofrId: string;
}

/** The Roofr entity is already actively linked to another GHL entity of the same kind. */
export class LinkConflictError extends Error {
  constructor(readonly existing: Link, readonly attempted: LinkInput) {
    super(
      `Roofr ${attempted.roofrKind} ${attempted.roofrId} is already linked to GHL ${existing.ghlKind} ${existing.ghlId} in location ${attempted.locationId}; unlink it first`,
    );
    this.name = 'LinkConflictError';
  }
}

export interface LinksRepo {
  /** Links the pair (reactivating or re-pointing the GHL side's link); throws LinkConflictError. */
  upsert(input: LinkInput, trx?: Executor): Promise<Link>;
  findByGhl(key: { locationId: string; ghlKind: GhlEntityKind; ghlId: string; roofrKind: RoofrEntityKind }): Promise<Link | null>;
  findByRoofr(key: { locationId: string; roofrKind: RoofrEntityKind; roofrId: string; ghlKind: GhlEntityKind }): Promise<Link | null>;
  /** Every link of a GHL entity (one per Roofr kind), deleted ones included. */
  listForGhl(locationId: string, ghlKind: GhlEntityKind, ghlId: string): Promise<Link[]>;
  listForRoofr(locationId: string, roofrKind: RoofrEntityKind, roofrId: string): Promise<Link[]>;
  markDeleted(id: number, trx?: Executor): Promise<boolean>;
  list(locationId: string, page: { first: number; after?: string | null; status?: LinkStatus }): Promise<Page<Link>>;
}

function toLink(row: Selectable<LinksTable>): Link {
  return {
    id: row.id,
    locationId: row.location_id,
    ghlKind: row.ghl_kind,
    ghlId: row.ghl_id,
    roofrKind: row.roofr_kind,
    roofrId: row.roofr_id,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createLinksRepo(ctx: StoreContext): LinksRepo {
  const { db } = ctx;

  return {
    upsert(input, trx) {
      return inTransaction(trx ?? db, async (tx) => {
        const nowIso = isoAt(ctx.now());
        const ghlSide = await tx
          .selectFrom('links')
          .selectAll()
          .where('location_id', '=', input.locationId)
          .where('ghl_kind', '=', input.ghlKind)
          .where('ghl_id', '=', input.ghlId)
          .where('roofr_kind', '=', input.roofrKind)
          .executeTakeFirst();
        const roofrSide = await tx
          .selectFrom('links')
          .selectAll()
          .where('location_id', '=', input.locationId)
          .where('roofr_kind', '=', input.roofrKind)
          .where('roofr_id', '=', input.roofrId)
          .where('ghl_kind', '=', input.ghlKind)
          .executeTakeFirst();
        if (roofrSide !== undefined && roofrSide.id !== ghlSide?.id) {
          if (roofrSide.status === 'active') throw new LinkConflictError(toLink(roofrSide), input);
          // A deleted link of the Roofr entity to another GHL entity: history, make room.
          await tx.deleteFrom('links').where('id', '=', roofrSide.id).execute();
        }
        if (ghlSide !== undefined) {
          const updated = await tx
            .updateTable('links')
            .set({ roofr_id: input.roofrId, status: 'active', updated_at: nowIso })
            .where('id', '=', ghlSide.id)
            .returningAll()
            .executeTakeFirstOrThrow();
          return toLink(updated);
        }
        const inserted = await tx
          .insertInto('links')
          .values({
            location_id: input.locationId,
            ghl_kind: input.ghlKind,
            ghl_id: input.ghlId,
            roofr_kind: input.roofrKind,
            roofr_id: input.roofrId,
            status: 'active',
            created_at: nowIso,
            updated_at: nowIso,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toLink(inserted);
      });
    },

    async findByGhl(key) {
      const row = await db
        .selectFrom('links')
        .selectAll()
        .where('location_id', '=', key.locationId)
        .where('ghl_kind', '=', key.ghlKind)
        .where('ghl_id', '=', key.ghlId)
        .where('roofr_kind', '=', key.roofrKind)
        .executeTakeFirst();
      return row === undefined ? null : toLink(row);
    },

    async findByRoofr(key) {
      const row = await db
        .selectFrom('links')
        .selectAll()
        .where('location_id', '=', key.locationId)
        .where('roofr_kind', '=', key.roofrKind)
        .where('roofr_id', '=', key.roofrId)
        .where('ghl_kind', '=', key.ghlKind)
        .executeTakeFirst();
      return row === undefined ? null : toLink(row);
    },

    async listForGhl(locationId, ghlKind, ghlId) {
      const rows = await db
        .selectFrom('links')
        .selectAll()
        .where('location_id', '=', locationId)
        .where('ghl_kind', '=', ghlKind)
        .where('ghl_id', '=', ghlId)
        .orderBy('id')
        .execute();
      return rows.map(toLink);
    },

    async listForRoofr(locationId, roofrKind, roofrId) {
      const rows = await db
        .selectFrom('links')
        .selectAll()
        .where('location_id', '=', locationId)
        .where('roofr_kind', '=', roofrKind)
        .where('roofr_id', '=', roofrId)
        .orderBy('id')
        .execute();
      return rows.map(toLink);
    },

    async markDeleted(id, trx) {
      const result = await (trx ?? db)
        .updateTable('links')
        .set({ status: 'deleted', updated_at: isoAt(ctx.now()) })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async list(locationId, page) {
      const limit = clampPageSize(page.first);
      let query = db
        .selectFrom('links')
        .selectAll()
        .where('location_id', '=', locationId)
        .where('id', '>', decodeIdCursor(page.after))
        .orderBy('id')
        .limit(limit + 1);
      if (page.status !== undefined) query = query.where('status', '=', page.status);
      const rows = await query.execute();
      return toPage(rows.map(toLink), limit, (link) => String(link.id));
    },
  };
}
