/**
 * Links between a GHL entity and the Roofr entity it is synced with, per location. A GHL
 * entity links to at most one Roofr entity of each Roofr kind and vice versa (a contact may be
 * linked to a customer and to a job). Deleting keeps the row (status deleted) so a late webhook
 * for the entity is recognised instead of recreating it; linking again reactivates it. When
 * another GHL entity takes over the Roofr entity of a deleted link, that deleted row goes.
 */
import type { Selectable } from 'kysely';
import { clampPageSize, decodeIdCursor, toPage, type Page } from './paging.js';
import { preparedQuery } from './prepared-query.js';
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
  constructor(
    readonly existing: Link,
    readonly attempted: LinkInput,
  ) {
    super(
      `Roofr ${attempted.roofrKind} ${attempted.roofrId} is already linked to GHL ${existing.ghlKind} ${existing.ghlId} in location ${attempted.locationId}; unlink it first`,
    );
    this.name = 'LinkConflictError';
  }
}

export interface LinksRepo {
  /** Links the pair (reactivating or re-pointing the GHL side's link); throws LinkConflictError. */
  upsert(input: LinkInput, trx?: Executor): Promise<Link>;
  findByGhl(key: {
    locationId: string;
    ghlKind: GhlEntityKind;
    ghlId: string;
    roofrKind: RoofrEntityKind;
  }): Promise<Link | null>;
  findByRoofr(key: {
    locationId: string;
    roofrKind: RoofrEntityKind;
    roofrId: string;
    ghlKind: GhlEntityKind;
  }): Promise<Link | null>;
  /** Every link of a GHL entity (one per Roofr kind), deleted ones included. */
  listForGhl(locationId: string, ghlKind: GhlEntityKind, ghlId: string): Promise<Link[]>;
  /** Every link of these GHL entities of one location, deleted ones included, in one query (links-memo.ts). */
  listForGhlEntities(locationId: string, entities: ReadonlyArray<{ kind: GhlEntityKind; id: string }>): Promise<Link[]>;
  listForRoofr(locationId: string, roofrKind: RoofrEntityKind, roofrId: string): Promise<Link[]>;
  /**
   * The locations where a record is actively linked, whichever side names it (Roofr and GHL ids
   * are unique per system, not per location): how a Roofr event finds its location in OAuth mode.
   */
  locationsLinking(
    record: { side: 'roofr'; kind: RoofrEntityKind; id: string } | { side: 'ghl'; kind: GhlEntityKind; id: string },
  ): Promise<string[]>;
  markDeleted(id: number, trx?: Executor): Promise<boolean>;
  /** GHL ids of one kind with any active link, in id order, `after` an id (verify's population). */
  activeGhlIds(
    locationId: string,
    ghlKind: GhlEntityKind,
    page: { first: number; after?: string | null },
  ): Promise<Page<string>>;
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

const NEW_LINK_PARAMETERS = ['locationId', 'ghlKind', 'ghlId', 'roofrKind', 'roofrId', 'at'] as const;
type NewLinkParameter = (typeof NEW_LINK_PARAMETERS)[number];

export function createLinksRepo(ctx: StoreContext): LinksRepo {
  const { db } = ctx;
  // The statements every synced record runs (prepared-query.ts).
  const byGhl = preparedQuery(['locationId', 'ghlKind', 'ghlId', 'roofrKind'], (p) =>
    db
      .selectFrom('links')
      .selectAll()
      .where('location_id', '=', p.locationId)
      .where('ghl_kind', '=', p.ghlKind)
      .where('ghl_id', '=', p.ghlId)
      .where('roofr_kind', '=', p.roofrKind),
  );
  const byRoofr = preparedQuery(['locationId', 'roofrKind', 'roofrId', 'ghlKind'], (p) =>
    db
      .selectFrom('links')
      .selectAll()
      .where('location_id', '=', p.locationId)
      .where('roofr_kind', '=', p.roofrKind)
      .where('roofr_id', '=', p.roofrId)
      .where('ghl_kind', '=', p.ghlKind),
  );
  const repoint = preparedQuery(['id', 'roofrId', 'at'], (p) =>
    db
      .updateTable('links')
      .set({ roofr_id: p.roofrId, status: 'active', updated_at: p.at })
      .where('id', '=', p.id)
      .returningAll(),
  );
  // An active link from both sides' ids; `insert` and `insertIfFree` differ only in what a taken key does.
  const newLink = (p: Readonly<Record<NewLinkParameter, never>>) =>
    db.insertInto('links').values({
      location_id: p.locationId,
      ghl_kind: p.ghlKind,
      ghl_id: p.ghlId,
      roofr_kind: p.roofrKind,
      roofr_id: p.roofrId,
      status: 'active',
      created_at: p.at,
      updated_at: p.at,
    });
  const insert = preparedQuery(NEW_LINK_PARAMETERS, (p) => newLink(p).returningAll());
  // A link for a GHL entity that has none yet, unless either side's unique key is taken: then nothing.
  const insertIfFree = preparedQuery(NEW_LINK_PARAMETERS, (p) =>
    newLink(p)
      .onConflict((oc) => oc.doNothing())
      .returningAll(),
  );
  const firstRow = <R>(result: { rows: R[] }): R | undefined => result.rows[0];

  return {
    upsert(input, trx) {
      return inTransaction(trx ?? db, async (tx) => {
        const nowIso = isoAt(ctx.now());
        const ghlSide = firstRow(await byGhl(tx, input));
        // The two cases every synced record meets take two statements instead of three (the
        // batch sync records a link per Roofr write): the same pair again (the GHL side's row is
        // then the Roofr side's too, so no conflict is possible), and a pair whose sides are both
        // free. Anything else (re-pointing, a Roofr record linked elsewhere) takes the full path.
        if (ghlSide?.roofr_id === input.roofrId) {
          const refreshed = firstRow(await repoint(tx, { id: ghlSide.id, roofrId: input.roofrId, at: nowIso }));
          if (refreshed !== undefined) return toLink(refreshed);
        }
        if (ghlSide === undefined) {
          const inserted = firstRow(await insertIfFree(tx, { ...input, at: nowIso }));
          if (inserted !== undefined) return toLink(inserted);
        }
        const roofrSide = firstRow(await byRoofr(tx, input));
        if (roofrSide !== undefined && roofrSide.id !== ghlSide?.id) {
          if (roofrSide.status === 'active') throw new LinkConflictError(toLink(roofrSide), input);
          // A deleted link of the Roofr entity to another GHL entity: history, make room.
          await tx.deleteFrom('links').where('id', '=', roofrSide.id).execute();
        }
        if (ghlSide !== undefined) {
          const updated = firstRow(await repoint(tx, { id: ghlSide.id, roofrId: input.roofrId, at: nowIso }));
          if (updated === undefined) throw new Error(`link ${ghlSide.id} vanished while it was updated`);
          return toLink(updated);
        }
        const inserted = firstRow(await insert(tx, { ...input, at: nowIso }));
        if (inserted === undefined) throw new Error('the database returned no row for an inserted link');
        return toLink(inserted);
      });
    },

    async findByGhl(key) {
      const row = firstRow(await byGhl(db, key));
      return row === undefined ? null : toLink(row);
    },

    async findByRoofr(key) {
      const row = firstRow(await byRoofr(db, key));
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

    async listForGhlEntities(locationId, entities) {
      const idsByKind = new Map<GhlEntityKind, string[]>();
      for (const { kind, id } of entities) idsByKind.set(kind, [...(idsByKind.get(kind) ?? []), id]);
      if (idsByKind.size === 0) return [];
      // Per kind, so each branch is a range of the (location, GHL kind, GHL id) unique index.
      const rows = await db
        .selectFrom('links')
        .selectAll()
        .where('location_id', '=', locationId)
        .where((eb) =>
          eb.or([...idsByKind].map(([kind, ids]) => eb.and([eb('ghl_kind', '=', kind), eb('ghl_id', 'in', ids)]))),
        )
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

    async locationsLinking(record) {
      let query = db.selectFrom('links').select('location_id').distinct().where('status', '=', 'active');
      query =
        record.side === 'roofr'
          ? query.where('roofr_kind', '=', record.kind).where('roofr_id', '=', record.id)
          : query.where('ghl_kind', '=', record.kind).where('ghl_id', '=', record.id);
      const rows = await query.orderBy('location_id').execute();
      return rows.map((row) => row.location_id);
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

    async activeGhlIds(locationId, ghlKind, page) {
      const limit = clampPageSize(page.first);
      let query = db
        .selectFrom('links')
        .select('ghl_id')
        .distinct()
        .where('location_id', '=', locationId)
        .where('ghl_kind', '=', ghlKind)
        .where('status', '=', 'active')
        .orderBy('ghl_id')
        .limit(limit + 1);
      if (page.after !== undefined && page.after !== null && page.after !== '')
        query = query.where('ghl_id', '>', page.after);
      const rows = await query.execute();
      return toPage(
        rows.map((row) => row.ghl_id),
        limit,
        (id) => id,
      );
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
