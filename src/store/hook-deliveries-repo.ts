/**
 * The signed-webhook outbox: messages to send to a channel (the configured webhook, Slack,
 * e-mail) or a Zapier REST hook, each row one message to one target. A producer enqueues rows in
 * the same transaction as what they announce (a notification, a Zapier event); the delivery
 * worker (src/notify/delivery-worker.ts) claims them under the store's one leased-queue protocol
 * (leased-queue.ts): claim, renew, complete, fail with backoff, dead after the attempt limit.
 */
import type { Selectable } from 'kysely';
import { createLeasedQueue, type FailOptions } from './leased-queue.js';
import type { HookDeliveriesTable, QueueStatus } from './schema.js';
import { isoAt, type Executor, type StoreContext } from './store-context.js';

export type DeliveryChannel = 'webhook' | 'slack' | 'email' | 'zapier';

export interface HookDelivery {
  id: number;
  channel: DeliveryChannel;
  /** The Zapier hook id for `zapier`; the channel's name for configured channels. */
  target: string;
  locationId: string;
  eventKind: string;
  payload: unknown;
  attempts: number;
  lastError: string | null;
  status: QueueStatus;
  createdAt: string;
}

export interface DeliveryInput {
  channel: DeliveryChannel;
  target: string;
  locationId: string;
  eventKind: string;
  /** JSON-serialisable; what the channel sends (or renders). */
  payload: unknown;
}

export interface HookDeliveriesRepo {
  readonly maxAttempts: number;
  enqueue(inputs: readonly DeliveryInput[], trx?: Executor): Promise<number>;
  claim(owner: string, limit: number, leaseMs: number): Promise<HookDelivery[]>;
  renew(ids: readonly number[], owner: string, leaseMs: number): Promise<number[]>;
  complete(id: number, owner: string): Promise<boolean>;
  fail(id: number, error: string, nextAttemptAt: Date, options: FailOptions): Promise<QueueStatus | null>;
  release(id: number, owner: string): Promise<boolean>;
  counts(): Promise<Record<QueueStatus, number>>;
  get(id: number): Promise<HookDelivery | null>;
  /** Deletes delivered rows last updated before `before`. */
  purgeDone(before: Date): Promise<number>;
}

const CHANNELS: ReadonlySet<string> = new Set<DeliveryChannel>(['webhook', 'slack', 'email', 'zapier']);

function toDelivery(row: Selectable<HookDeliveriesTable>): HookDelivery {
  if (!CHANNELS.has(row.channel)) throw new Error(`hook delivery ${row.id} names an unknown channel ${row.channel}`);
  return {
    id: row.id,
    channel: row.channel as DeliveryChannel,
    target: row.target,
    locationId: row.location_id,
    eventKind: row.event_kind,
    payload: JSON.parse(row.payload) as unknown,
    attempts: row.attempts,
    lastError: row.last_error,
    status: row.status,
    createdAt: row.created_at,
  };
}

export function createHookDeliveriesRepo(ctx: StoreContext, options: { maxAttempts: number }): HookDeliveriesRepo {
  const { db } = ctx;
  const queue = createLeasedQueue<number>(ctx, { table: 'hook_deliveries', orderBy: 'id', ...options });
  return {
    maxAttempts: options.maxAttempts,

    async enqueue(inputs, trx) {
      if (inputs.length === 0) return 0;
      const nowIso = isoAt(ctx.now());
      const rows = inputs.map((input) => {
        const payload = JSON.stringify(input.payload);
        if (payload === undefined) throw new TypeError(`hook delivery payload of ${input.eventKind} is not JSON`);
        return {
          channel: input.channel,
          target: input.target,
          location_id: input.locationId,
          event_kind: input.eventKind,
          payload,
          attempts: 0,
          next_attempt_at: nowIso,
          last_error: null,
          status: 'pending' as const,
          lease_owner: null,
          lease_expires_at: null,
          created_at: nowIso,
          updated_at: nowIso,
        };
      });
      await (trx ?? db).insertInto('hook_deliveries').values(rows).execute();
      return rows.length;
    },

    async claim(owner, limit, leaseMs) {
      const ids = await queue.claim(owner, limit, leaseMs);
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('hook_deliveries').selectAll().where('id', 'in', ids).orderBy('id').execute();
      return rows.map(toDelivery);
    },

    renew: (ids, owner, leaseMs) => queue.renew(ids, owner, leaseMs),
    complete: (id, owner) => queue.complete(id, owner),
    fail: (id, error, nextAttemptAt, failOptions) =>
      queue.fail(id, failOptions.owner, { error, nextAttemptAt, permanent: failOptions.permanent === true }),
    release: (id, owner) => queue.release(id, owner),
    counts: () => queue.counts(),

    async get(id) {
      const row = await db.selectFrom('hook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toDelivery(row);
    },

    async purgeDone(before) {
      const result = await db
        .deleteFrom('hook_deliveries')
        .where('status', '=', 'done')
        .where('updated_at', '<', isoAt(before))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
