/**
 * Webhook receipts and the durable inbound queue. The HTTP handler verifies a webhook, then
 * `accept`s it: one transaction records the receipt (source, webhookId) and queues the event,
 * so a replayed webhookId is rejected for as long as receipts are kept and the handler can
 * answer 200 at once; a worker claims queued events with the store's one leased-queue protocol
 * (leased-queue.ts), as the outbox does.
 *
 * The queue cap (WEBHOOK_QUEUE_MAX) is exact under concurrency: the depth is counted inside the
 * accepting transaction, after a lock every capped accept takes (PostgreSQL: a transaction-scoped
 * advisory lock per schema; SQLite: the file's write lock, taken by the receipt insert that comes
 * first), so two accepts can never both see room for one more. An overloaded accept rolls back,
 * receipt included: the sender's retry is not mistaken for a replay.
 */
import { sql, type Selectable } from 'kysely';
import type { GatewayEventSink } from '../domain/gateway-events.js';
import { createLeasedQueue, type FailOptions } from './leased-queue.js';
import { clampPageSize, decodeIdCursor, toPage, type Page } from './paging.js';
import type { InboundEventsTable, QueueStatus, WebhookSource } from './schema.js';
import { isoAt, type Executor, type StoreContext } from './store-context.js';

export interface InboundEvent {
  id: number;
  source: WebhookSource;
  webhookId: string;
  locationId: string | null;
  eventType: string;
  payload: unknown;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  status: QueueStatus;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  receivedAt: string;
  updatedAt: string;
}

export interface AcceptWebhookInput {
  source: WebhookSource;
  webhookId: string;
  locationId: string | null;
  eventType: string;
  /** The verified, parsed body; stored as JSON text. */
  payload: unknown;
}

export type AcceptWebhookResult =
  | { accepted: true; event: InboundEvent }
  | { accepted: false; reason: 'duplicate' }
  | { accepted: false; reason: 'overloaded'; depth: number };

export interface AcceptOptions {
  /** Refuse (nothing recorded) when this many events are already waiting (pending or in flight). */
  queueMax?: number;
}

export interface WebhooksRepo {
  /**
   * Records the receipt and queues the event atomically; a known webhookId is a duplicate; with
   * `queueMax`, a full queue refuses it ("overloaded") exactly, whatever the concurrency.
   */
  accept(input: AcceptWebhookInput, options?: AcceptOptions): Promise<AcceptWebhookResult>;
  /** Records a receipt only; false when the webhookId was seen before (a replay). */
  recordReceipt(source: WebhookSource, webhookId: string, trx?: Executor): Promise<boolean>;
  hasReceipt(source: WebhookSource, webhookId: string): Promise<boolean>;
  /** Forgets receipts older than `before` (keep them longer than any replay window). */
  purgeReceipts(before: Date): Promise<number>;
  claimEvents(owner: string, limit: number, leaseMs: number): Promise<InboundEvent[]>;
  /** The heartbeat: extends the leases `owner` still holds; returns those ids. */
  renewEvents(ids: readonly number[], owner: string, leaseMs: number): Promise<number[]>;
  /** False when `owner` no longer holds the event (its lease passed to another worker). */
  completeEvent(id: number, owner: string): Promise<boolean>;
  failEvent(id: number, error: string, nextAttemptAt: Date, options: FailOptions): Promise<QueueStatus | null>;
  releaseEvent(id: number, owner: string): Promise<boolean>;
  /** Dead events by id; with `locationId` only that location's, filtered before paging. */
  listDeadEvents(first: number, after?: string | null, locationId?: string): Promise<Page<InboundEvent>>;
  retryDeadEvent(id: number): Promise<boolean>;
  /** Events still to process: pending plus in flight. */
  eventDepth(): Promise<number>;
  eventCounts(): Promise<Record<QueueStatus, number>>;
  readonly maxAttempts: number;
}

/** Thrown inside the accepting transaction to roll it back (receipt included). */
class QueueFull extends Error {
  constructor(readonly depth: number) {
    super(`the inbound queue holds ${depth} events`);
  }
}

function toEvent(row: Selectable<InboundEventsTable>): InboundEvent {
  return {
    id: row.id,
    source: row.source,
    webhookId: row.webhook_id,
    locationId: row.location_id,
    eventType: row.event_type,
    payload: JSON.parse(row.payload) as unknown,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    status: row.status,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
  };
}

/** Reports webhook events that went dead or were retried to the gateway's event stream. */
function deadEventReports(ctx: StoreContext, events: GatewayEventSink) {
  return {
    async onDead(ids: Array<number | string>) {
      const rows = await ctx.db
        .selectFrom('inbound_events')
        .select(['id', 'location_id', 'source', 'event_type', 'last_error', 'attempts'])
        .where('id', 'in', ids.map(Number))
        .execute();
      for (const row of rows)
        events.emit({
          type: 'dead_letter',
          at: isoAt(ctx.now()),
          queue: 'webhook',
          locationId: row.location_id,
          id: row.id,
          kind: `${row.source}:${row.event_type}`,
          error: row.last_error,
          attempts: row.attempts,
        });
    },
    async onRetried(id: number | string) {
      const row = await ctx.db
        .selectFrom('inbound_events')
        .select('location_id')
        .where('id', '=', Number(id))
        .executeTakeFirst();
      events.emit({
        type: 'dead_letter.retried',
        at: isoAt(ctx.now()),
        queue: 'webhook',
        locationId: row?.location_id ?? null,
        id: Number(id),
      });
    },
  };
}

export function createWebhooksRepo(ctx: StoreContext, options: { maxAttempts: number }): WebhooksRepo {
  const { db } = ctx;
  const { maxAttempts } = options;
  const queue = createLeasedQueue<number>(ctx, {
    table: 'inbound_events',
    orderBy: 'id',
    maxAttempts,
    ...(ctx.events === undefined ? {} : deadEventReports(ctx, ctx.events)),
  });

  async function recordReceipt(source: WebhookSource, webhookId: string, executor: Executor): Promise<boolean> {
    const inserted = await executor
      .insertInto('webhook_receipts')
      .values({ source, webhook_id: webhookId, received_at: isoAt(ctx.now()) })
      .onConflict((oc) => oc.columns(['source', 'webhook_id']).doNothing())
      .returning('webhook_id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Events still to process: pending plus in flight. */
  async function waitingEvents(executor: Executor): Promise<number> {
    const row = await executor
      .selectFrom('inbound_events')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('status', 'in', ['pending', 'in_flight'])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function insertEvent(input: AcceptWebhookInput, payload: string, executor: Executor): Promise<InboundEvent> {
    const nowIso = isoAt(ctx.now());
    const row = await executor
      .insertInto('inbound_events')
      .values({
        source: input.source,
        webhook_id: input.webhookId,
        location_id: input.locationId,
        event_type: input.eventType,
        payload,
        attempts: 0,
        next_attempt_at: nowIso,
        last_error: null,
        status: 'pending',
        lease_owner: null,
        lease_expires_at: null,
        received_at: nowIso,
        updated_at: nowIso,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toEvent(row);
  }

  return {
    maxAttempts,

    async accept(input, acceptOptions = {}) {
      const payload = JSON.stringify(input.payload);
      if (payload === undefined) throw new TypeError(`webhook ${input.webhookId} payload is not JSON-serialisable`);
      const { queueMax } = acceptOptions;
      try {
        return await db.transaction().execute(async (tx): Promise<AcceptWebhookResult> => {
          if (queueMax !== undefined && ctx.dialect === 'postgres')
            await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.inbound_events.accept'))`.execute(tx);
          if (!(await recordReceipt(input.source, input.webhookId, tx)))
            return { accepted: false, reason: 'duplicate' };
          if (queueMax !== undefined) {
            const depth = await waitingEvents(tx);
            if (depth >= queueMax) throw new QueueFull(depth);
          }
          return { accepted: true, event: await insertEvent(input, payload, tx) };
        });
      } catch (error) {
        if (error instanceof QueueFull) return { accepted: false, reason: 'overloaded', depth: error.depth };
        throw error;
      }
    },

    recordReceipt: (source, webhookId, trx) => recordReceipt(source, webhookId, trx ?? db),

    async hasReceipt(source, webhookId) {
      const row = await db
        .selectFrom('webhook_receipts')
        .select('webhook_id')
        .where('source', '=', source)
        .where('webhook_id', '=', webhookId)
        .executeTakeFirst();
      return row !== undefined;
    },

    async purgeReceipts(before) {
      const result = await db
        .deleteFrom('webhook_receipts')
        .where('received_at', '<', isoAt(before))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async claimEvents(owner, limit, leaseMs) {
      const ids = await queue.claim(owner, limit, leaseMs);
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('inbound_events').selectAll().where('id', 'in', ids).orderBy('id').execute();
      return rows.map(toEvent);
    },

    renewEvents: (ids, owner, leaseMs) => queue.renew(ids, owner, leaseMs),

    completeEvent: (id, owner) => queue.complete(id, owner),

    failEvent: (id, error, nextAttemptAt, failOptions) =>
      queue.fail(id, failOptions.owner, { error, nextAttemptAt, permanent: failOptions.permanent === true }),

    releaseEvent: (id, owner) => queue.release(id, owner),

    async listDeadEvents(first, after, locationId) {
      const limit = clampPageSize(first);
      let query = db.selectFrom('inbound_events').selectAll().where('status', '=', 'dead');
      if (locationId !== undefined) query = query.where('location_id', '=', locationId);
      const rows = await query
        .where('id', '>', decodeIdCursor(after))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toEvent), limit, (event) => String(event.id));
    },

    retryDeadEvent: (id) => queue.retryDead(id),

    eventDepth: () => waitingEvents(db),

    eventCounts: () => queue.counts(),
  };
}
