/**
 * The outbox: writes to Roofr waiting to be confirmed. A sync decides a write, enqueues it
 * (in the same transaction as its own bookkeeping when it has any), and the outbox worker
 * delivers it. Idempotency: one row per idempotency key, for ever (also after it is done), so
 * re-running a sync never duplicates a write; the same key goes to Roofr on every attempt,
 * which makes a crash between "Roofr confirmed" and "marked done" harmless. Delivery follows the
 * store's one leased-queue protocol (leased-queue.ts): claim, renew, complete, fail, release.
 */
import type { Selectable } from 'kysely';
import type { GatewayEventSink } from '../domain/gateway-events.js';
import { createLeasedQueue, type FailOptions } from './leased-queue.js';
import { clampPageSize, decodeIdCursor, toPage, type Page } from './paging.js';
import type { OutboxTable, QueueStatus } from './schema.js';
import { isoAt, type Executor, type StoreContext } from './store-context.js';

export interface OutboxEntry {
  id: number;
  locationId: string;
  /** What to do at Roofr, e.g. "customer.upsert"; the handler dispatches on it. */
  kind: string;
  payload: unknown;
  idempotencyKey: string;
  /** Claims so far (an attempt is counted when claimed, so crashes count too). */
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  status: QueueStatus;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EnqueueInput {
  locationId: string;
  kind: string;
  /** JSON-serialisable; stored as JSON text. */
  payload: unknown;
  idempotencyKey: string;
  /**
   * The record the write is about, shared by every write to it (indexed): the writer's ordering
   * checks look for an entity's earlier or newer writes by it. Null when ordering does not apply.
   */
  entityKey?: string | null;
  /** Do not deliver before this time (default: now). */
  notBefore?: Date;
}

export interface EnqueueResult {
  entry: OutboxEntry;
  /** False when a row with this idempotency key already existed (it is returned unchanged). */
  created: boolean;
}

export interface OutboxRepo {
  enqueue(input: EnqueueInput, trx?: Executor): Promise<EnqueueResult>;
  /** Atomically leases up to `limit` due entries (and entries whose lease expired) to `owner`. */
  claimDue(owner: string, limit: number, leaseMs: number): Promise<OutboxEntry[]>;
  /** The heartbeat: extends the leases `owner` still holds; returns those ids. */
  renew(ids: readonly number[], owner: string, leaseMs: number): Promise<number[]>;
  /** Roofr confirmed: the entry is done. False when `owner` no longer holds it. */
  complete(id: number, owner: string): Promise<boolean>;
  /** Back to pending until nextAttemptAt, or dead after maxAttempts; null when the owner lost it. */
  fail(id: number, error: string, nextAttemptAt: Date, options: FailOptions): Promise<QueueStatus | null>;
  /** Returns a claimed but unstarted entry to the queue (no attempt counted); owner must hold it. */
  release(id: number, owner: string): Promise<boolean>;
  /** Dead letters by id; with `locationId` only that location's, filtered before paging. */
  listDead(first: number, after?: string | null, locationId?: string): Promise<Page<OutboxEntry>>;
  retryDead(id: number): Promise<boolean>;
  /** Entries still to deliver: pending plus in flight. */
  depth(): Promise<number>;
  counts(): Promise<Record<QueueStatus, number>>;
  get(id: number): Promise<OutboxEntry | null>;
  findByIdempotencyKey(key: string): Promise<OutboxEntry | null>;
  /** Deletes done entries last updated before `before`; their keys can then be enqueued again. */
  purgeDone(before: Date): Promise<number>;
  readonly maxAttempts: number;
}

function toEntry(row: Selectable<OutboxTable>): OutboxEntry {
  return {
    id: row.id,
    locationId: row.location_id,
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    idempotencyKey: row.idempotency_key,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    status: row.status,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Reports outbox rows that went dead or were retried to the gateway's event stream. */
function deadLetterReports(ctx: StoreContext, events: GatewayEventSink) {
  return {
    async onDead(ids: Array<number | string>) {
      const rows = await ctx.db
        .selectFrom('outbox')
        .select(['id', 'location_id', 'kind', 'last_error', 'attempts'])
        .where('id', 'in', ids.map(Number))
        .execute();
      for (const row of rows)
        events.emit({
          type: 'dead_letter',
          at: isoAt(ctx.now()),
          queue: 'outbox',
          locationId: row.location_id,
          id: row.id,
          kind: row.kind,
          error: row.last_error,
          attempts: row.attempts,
        });
    },
    async onRetried(id: number | string) {
      const row = await ctx.db
        .selectFrom('outbox')
        .select('location_id')
        .where('id', '=', Number(id))
        .executeTakeFirst();
      events.emit({
        type: 'dead_letter.retried',
        at: isoAt(ctx.now()),
        queue: 'outbox',
        locationId: row?.location_id ?? null,
        id: Number(id),
      });
    },
  };
}

export function createOutboxRepo(ctx: StoreContext, options: { maxAttempts: number }): OutboxRepo {
  const { db } = ctx;
  const { maxAttempts } = options;
  const queue = createLeasedQueue<number>(ctx, {
    table: 'outbox',
    orderBy: 'id',
    maxAttempts,
    ...(ctx.events === undefined ? {} : deadLetterReports(ctx, ctx.events)),
  });

  async function findByIdempotencyKey(key: string, executor: Executor = db): Promise<OutboxEntry | null> {
    const row = await executor.selectFrom('outbox').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
    return row === undefined ? null : toEntry(row);
  }

  return {
    maxAttempts,

    async enqueue(input, trx) {
      const executor = trx ?? db;
      const payload = JSON.stringify(input.payload);
      if (payload === undefined) throw new TypeError(`outbox payload of ${input.kind} is not JSON-serialisable`);
      const nowIso = isoAt(ctx.now());
      const inserted = await executor
        .insertInto('outbox')
        .values({
          location_id: input.locationId,
          kind: input.kind,
          payload,
          idempotency_key: input.idempotencyKey,
          entity_key: input.entityKey ?? null,
          attempts: 0,
          next_attempt_at: isoAt(input.notBefore ?? ctx.now()),
          last_error: null,
          status: 'pending',
          lease_owner: null,
          lease_expires_at: null,
          created_at: nowIso,
          updated_at: nowIso,
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted !== undefined) return { entry: toEntry(inserted), created: true };
      const existing = await findByIdempotencyKey(input.idempotencyKey, executor);
      if (existing === null)
        throw new Error(`outbox: idempotency key ${input.idempotencyKey} conflicted but no row holds it`);
      return { entry: existing, created: false };
    },

    async claimDue(owner, limit, leaseMs) {
      const ids = await queue.claim(owner, limit, leaseMs);
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('outbox').selectAll().where('id', 'in', ids).orderBy('id').execute();
      return rows.map(toEntry);
    },

    renew: (ids, owner, leaseMs) => queue.renew(ids, owner, leaseMs),

    complete: (id, owner) => queue.complete(id, owner),

    fail: (id, error, nextAttemptAt, failOptions) =>
      queue.fail(id, failOptions.owner, { error, nextAttemptAt, permanent: failOptions.permanent === true }),

    release: (id, owner) => queue.release(id, owner),

    async listDead(first, after, locationId) {
      const limit = clampPageSize(first);
      let query = db.selectFrom('outbox').selectAll().where('status', '=', 'dead');
      if (locationId !== undefined) query = query.where('location_id', '=', locationId);
      const rows = await query
        .where('id', '>', decodeIdCursor(after))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toEntry), limit, (entry) => String(entry.id));
    },

    retryDead: (id) => queue.retryDead(id),

    async depth() {
      const counts = await queue.counts();
      return counts.pending + counts.in_flight;
    },

    counts: () => queue.counts(),

    async get(id) {
      const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toEntry(row);
    },

    findByIdempotencyKey: (key) => findByIdempotencyKey(key),

    async purgeDone(before) {
      const result = await db
        .deleteFrom('outbox')
        .where('status', '=', 'done')
        .where('updated_at', '<', isoAt(before))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
