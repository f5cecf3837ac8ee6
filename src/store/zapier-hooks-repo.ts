/**
 * Zapier REST hook subscriptions, and the recent records Zapier's editor samples when a Zap is
 * built (GET /zapier/samples/:event). A subscription belongs to one location and one event
 * kind; subscribing the same target twice returns the existing subscription (Zapier may retry a
 * subscribe). Every read names its location in SQL: no method returns another location's rows.
 */
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { ZapierHooksTable } from './schema.js';
import { isoAt, type Executor, type StoreContext } from './store-context.js';

export interface ZapierHook {
  id: string;
  locationId: string;
  event: string;
  targetUrl: string;
  /** The HMAC key its deliveries are signed with (x-gateway-signature). */
  secret: string;
  subscriber: string;
  createdAt: string;
}

export interface SyncedContactSample {
  contactId: string;
  roofrCustomerId: string;
  roofrJobId: string | null;
  syncedAt: string;
}

export interface FinishedRunSample {
  id: string;
  trigger: string;
  locationId: string;
  businessId: string | null;
  mode: string;
  status: 'succeeded' | 'partial' | 'failed';
  counts: { read: number; created: number; updated: number; unchanged: number; failed: number };
  startedAt: string;
  finishedAt: string | null;
}

export interface DeadLetterSample {
  queue: 'outbox' | 'webhook';
  id: number;
  kind: string;
  error: string | null;
  attempts: number;
  at: string;
}

export interface ZapierHooksRepo {
  subscribe(input: {
    locationId: string;
    event: string;
    targetUrl: string;
    subscriber: string;
  }): Promise<{ hook: ZapierHook; created: boolean }>;
  /** Deletes the hook when it belongs to one of `locations`; false otherwise (unknown or not theirs). */
  unsubscribe(id: string, locations: readonly string[]): Promise<boolean>;
  get(id: string): Promise<ZapierHook | null>;
  /** Subscriptions to `event` in `locationId`. */
  listFor(event: string, locationId: string, trx?: Executor): Promise<ZapierHook[]>;
  count(): Promise<number>;
  recentSyncedContacts(locationId: string, limit: number): Promise<SyncedContactSample[]>;
  recentFinishedRuns(locationId: string, limit: number): Promise<FinishedRunSample[]>;
  recentDeadLetters(locationId: string, limit: number): Promise<DeadLetterSample[]>;
}

function toHook(row: Selectable<ZapierHooksTable>): ZapierHook {
  return {
    id: row.id,
    locationId: row.location_id,
    event: row.event,
    targetUrl: row.target_url,
    secret: row.secret,
    subscriber: row.subscriber,
    createdAt: row.created_at,
  };
}

const FINISHED = ['succeeded', 'partial', 'failed'] as const;

export function createZapierHooksRepo(ctx: StoreContext): ZapierHooksRepo {
  const { db } = ctx;

  async function findByTarget(locationId: string, event: string, targetUrl: string): Promise<ZapierHook | null> {
    const row = await db
      .selectFrom('zapier_hooks')
      .selectAll()
      .where('location_id', '=', locationId)
      .where('event', '=', event)
      .where('target_url', '=', targetUrl)
      .executeTakeFirst();
    return row === undefined ? null : toHook(row);
  }

  return {
    async subscribe(input) {
      const inserted = await db
        .insertInto('zapier_hooks')
        .values({
          id: `hook_${randomBytes(9).toString('base64url')}`,
          location_id: input.locationId,
          event: input.event,
          target_url: input.targetUrl,
          secret: randomBytes(32).toString('base64url'),
          subscriber: input.subscriber,
          created_at: isoAt(ctx.now()),
        })
        .onConflict((oc) => oc.columns(['location_id', 'event', 'target_url']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted !== undefined) return { hook: toHook(inserted), created: true };
      const existing = await findByTarget(input.locationId, input.event, input.targetUrl);
      if (existing === null) throw new Error('zapier hook: the subscription conflicted but no row holds it');
      return { hook: existing, created: false };
    },

    async unsubscribe(id, locations) {
      if (locations.length === 0) return false;
      const result = await db
        .deleteFrom('zapier_hooks')
        .where('id', '=', id)
        .where('location_id', 'in', [...locations])
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async get(id) {
      const row = await db.selectFrom('zapier_hooks').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toHook(row);
    },

    async listFor(event, locationId, trx) {
      const rows = await (trx ?? db)
        .selectFrom('zapier_hooks')
        .selectAll()
        .where('event', '=', event)
        .where('location_id', '=', locationId)
        .orderBy('created_at')
        .execute();
      return rows.map(toHook);
    },

    async count() {
      const row = await db
        .selectFrom('zapier_hooks')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async recentSyncedContacts(locationId, limit) {
      const rows = await db
        .selectFrom('links as customer')
        .leftJoin('links as job', (join) =>
          join
            .onRef('job.location_id', '=', 'customer.location_id')
            .onRef('job.ghl_id', '=', 'customer.ghl_id')
            .on('job.ghl_kind', '=', 'contact')
            .on('job.roofr_kind', '=', 'job')
            .on('job.status', '=', 'active'),
        )
        .select([
          'customer.ghl_id as contactId',
          'customer.roofr_id as roofrCustomerId',
          'job.roofr_id as roofrJobId',
          'customer.updated_at as syncedAt',
        ])
        .where('customer.location_id', '=', locationId)
        .where('customer.ghl_kind', '=', 'contact')
        .where('customer.roofr_kind', '=', 'customer')
        .where('customer.status', '=', 'active')
        .orderBy('customer.updated_at', 'desc')
        .orderBy('customer.id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ ...row, roofrJobId: row.roofrJobId ?? null }));
    },

    async recentFinishedRuns(locationId, limit) {
      const rows = await db
        .selectFrom('sync_runs')
        .selectAll()
        .where('location_id', '=', locationId)
        .where('status', 'in', [...FINISHED])
        .orderBy('finished_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        id: row.id,
        trigger: row.trigger,
        locationId: row.location_id,
        businessId: row.business_id,
        mode: row.mode,
        status: row.status === 'running' ? 'failed' : row.status,
        counts: {
          read: row.read_count,
          created: row.created_count,
          updated: row.updated_count,
          unchanged: row.unchanged_count,
          failed: row.failed_count,
        },
        startedAt: row.started_at,
        finishedAt: row.finished_at,
      }));
    },

    async recentDeadLetters(locationId, limit) {
      const [outbox, inbound] = await Promise.all([
        db
          .selectFrom('outbox')
          .select(['id', 'kind', 'last_error', 'attempts', 'updated_at'])
          .where('location_id', '=', locationId)
          .where('status', '=', 'dead')
          .orderBy('updated_at', 'desc')
          .limit(limit)
          .execute(),
        db
          .selectFrom('inbound_events')
          .select(['id', 'source', 'event_type', 'last_error', 'attempts', 'updated_at'])
          .where('location_id', '=', locationId)
          .where('status', '=', 'dead')
          .orderBy('updated_at', 'desc')
          .limit(limit)
          .execute(),
      ]);
      const samples: DeadLetterSample[] = [
        ...outbox.map((row) => ({
          queue: 'outbox' as const,
          id: row.id,
          kind: row.kind,
          error: row.last_error,
          attempts: row.attempts,
          at: row.updated_at,
        })),
        ...inbound.map((row) => ({
          queue: 'webhook' as const,
          id: row.id,
          kind: `${row.source}:${row.event_type}`,
          error: row.last_error,
          attempts: row.attempts,
          at: row.updated_at,
        })),
      ];
      return samples.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
    },
  };
}
