/**
 * The one leased-queue protocol of the store. Four queues follow it: the outbox (Roofr writes),
 * inbound_events (accepted webhooks), sync_jobs (batch and contact runs) and hook_deliveries
 * (notification and Zapier deliveries). Every status change
 * of a queue row goes through `createLeasedQueue`, and each change is guarded here, in
 * TRANSITIONS, by the status it may start from and, where it says so, by the lease owner:
 *
 * | transition | from                                   | to                       | by                            |
 * |------------|----------------------------------------|--------------------------|-------------------------------|
 * | claim      | pending, due                           | in_flight                | any worker; attempts + 1      |
 * | claim      | in_flight, lease expired, attempts<max | in_flight                | any worker (the holder died)  |
 * | renew      | in_flight                              | in_flight                | the lease owner only          |
 * | complete   | in_flight                              | done                     | the lease owner only          |
 * | fail       | in_flight                              | pending (due later)      | the lease owner only          |
 * | fail       | in_flight, permanent or attempts>=max  | dead                     | the lease owner only          |
 * | release    | in_flight                              | pending (due now)        | the lease owner only          |
 * | expire     | in_flight, lease expired, attempts>=max| dead                     | the next claim                |
 * | retry      | dead                                   | pending (attempts 0)     | an operator                   |
 *
 * Invariants:
 * - A lease is short (QUEUE_LEASE_MS) and renewed by a heartbeat while the work runs
 *   (lease-heartbeat.ts), so a killed worker's rows are claimable again within one lease.
 * - Only the lease owner moves its row out of in_flight. A worker whose lease passed to another
 *   (it stalled, the other claimed) finds every later renew, complete, fail or release refused:
 *   it cannot clobber the new holder, and it stops between steps once a renew is refused.
 * - Claiming counts an attempt, so work that crashes its process every time still reaches the
 *   attempt limit (expire) instead of looping for ever. Release gives the attempt back: nothing
 *   was attempted (a stopping worker hands back what it claimed but did not start, or a sync job
 *   that checkpointed and stopped for a shutdown).
 * - PostgreSQL claims with `FOR UPDATE SKIP LOCKED`: replicas never claim the same row and never
 *   wait on each other. SQLite claims with one UPDATE statement, atomic on the one file.
 */
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { QueueStatus } from './schema.js';
import { isoAt, type StoreContext } from './store-context.js';

/** The columns the protocol reads and writes, the same in every queue table (schema.ts). */
interface LeasedColumns {
  id: number | string;
  status: QueueStatus;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  updated_at: string;
}

/** The queue tables seen through the columns the protocol touches. */
interface QueueDatabase {
  outbox: LeasedColumns;
  inbound_events: LeasedColumns;
  sync_jobs: LeasedColumns;
  hook_deliveries: LeasedColumns;
}

type QueueTable = keyof QueueDatabase;

type Transition = 'claim' | 'renew' | 'complete' | 'fail' | 'release' | 'expire' | 'retry';

/** The transition table above, as data: the one place each change is allowed. */
const TRANSITIONS: Readonly<
  Record<Transition, { from: readonly QueueStatus[]; to: readonly QueueStatus[]; ownerOnly: boolean }>
> = {
  // in_flight only under an expired lease with attempts left (claimable() below).
  claim: { from: ['pending', 'in_flight'], to: ['in_flight'], ownerOnly: false },
  renew: { from: ['in_flight'], to: ['in_flight'], ownerOnly: true },
  complete: { from: ['in_flight'], to: ['done'], ownerOnly: true },
  fail: { from: ['in_flight'], to: ['pending', 'dead'], ownerOnly: true },
  release: { from: ['in_flight'], to: ['pending'], ownerOnly: true },
  // Only under an expired lease on the last permitted attempt (expire() below).
  expire: { from: ['in_flight'], to: ['dead'], ownerOnly: false },
  retry: { from: ['dead'], to: ['pending'], ownerOnly: false },
};

/**
 * The default lease (QUEUE_LEASE_MS): renewed every quarter of it while work runs, so a killed
 * worker's rows are claimable again 6 to 8 s after the kill, and a worker must stall for 6 s
 * (three missed beats) before it could lose a lease it still works under.
 */
export const DEFAULT_LEASE_MS = 8000;

const MAX_ERROR_LENGTH = 2000;

function truncateError(error: string): string {
  return error.length <= MAX_ERROR_LENGTH ? error : `${error.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}

interface FailInput {
  error: string;
  /** When the row is due again (ignored when it goes dead). */
  nextAttemptAt: Date;
  /** A failure no retry can fix (e.g. the remote side rejected the payload): dead at once. */
  permanent?: boolean;
}

/** How the repositories' `fail` names the holder and the kind of failure. */
export interface FailOptions {
  /** The lease owner: a failure applies only while it still holds the row. */
  owner: string;
  permanent?: boolean;
}

interface LeasedQueue<Id extends number | string> {
  readonly maxAttempts: number;
  /** Claims up to `limit` claimable rows for `owner`, oldest first; returns their ids in that order. */
  claim(owner: string, limit: number, leaseMs: number): Promise<Id[]>;
  /** The heartbeat: extends the leases `owner` still holds; returns the ids it still holds. */
  renew(ids: readonly Id[], owner: string, leaseMs: number): Promise<Id[]>;
  /** Done; false when `owner` no longer holds the row. */
  complete(id: Id, owner: string): Promise<boolean>;
  /** Back to pending until nextAttemptAt, or dead; null when `owner` no longer holds the row. */
  fail(id: Id, owner: string, failure: FailInput): Promise<QueueStatus | null>;
  /** Gives a claimed row back unattempted: pending, due now, its attempt given back. */
  release(id: Id, owner: string): Promise<boolean>;
  /** Puts a dead row back with a fresh attempt budget. */
  retryDead(id: Id): Promise<boolean>;
  /** Row counts per status (every status present, zero when none). */
  counts(): Promise<Record<QueueStatus, number>>;
}

interface LeasedQueueSpec {
  table: QueueTable;
  /** FIFO order of claims: the serial id, or the creation time where ids are not serial. */
  orderBy: 'id' | 'created_at';
  maxAttempts: number;
  /**
   * Rows that just went dead (a failure, or a lease that expired on the last attempt), after the
   * change is stored; a failure here is swallowed: reporting must never undo or fail a transition.
   */
  onDead?: (ids: Array<number | string>) => Promise<void> | void;
  /** A dead row an operator put back (retry), after the change is stored; failures swallowed. */
  onRetried?: (id: number | string) => Promise<void> | void;
  /**
   * Rows with the same value in this column are never in flight together: a claim skips a row
   * while another of its value is in flight (a null value is never held back). The table backs
   * it with a unique index over the column of its in-flight rows, which settles two claims racing.
   */
  exclusiveBy?: 'location_id';
}

/** PostgreSQL's unique_violation: here, a claim that lost a race for an exclusive value. */
const UNIQUE_VIOLATION = '23505';

function queueDb(ctx: StoreContext): Kysely<QueueDatabase> {
  // Every queue table carries every LeasedColumns column with the same type (see schema.ts;
  // ids are serial numbers except sync_jobs' run ids), so this narrower view is sound.
  return ctx.db as unknown as Kysely<QueueDatabase>;
}

export function createLeasedQueue<Id extends number | string>(
  ctx: StoreContext,
  spec: LeasedQueueSpec,
): LeasedQueue<Id> {
  const { table, maxAttempts } = spec;
  const db = queueDb(ctx);

  /** An UPDATE of rows in the transition's starting status, held by `owner` when it must be. */
  function transition(name: Transition, owner?: string, executor: Kysely<QueueDatabase> = db) {
    const rule = TRANSITIONS[name];
    if (rule.ownerOnly && owner === undefined) throw new Error(`queue ${table}: ${name} needs the lease owner`);
    let query = executor.updateTable(table).where('status', 'in', [...rule.from]);
    if (rule.ownerOnly) query = query.where('lease_owner', '=', owner ?? '');
    return query;
  }

  /** Pending and due, or in flight under an expired lease with attempts left. */
  const due = (nowIso: string) => (eb: ExpressionBuilder<QueueDatabase, QueueTable>) =>
    eb.or([
      eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', nowIso)]),
      eb.and([eb('status', '=', 'in_flight'), eb('lease_expires_at', '<=', nowIso), eb('attempts', '<', maxAttempts)]),
    ]);
  // A pending row whose value has a row in flight waits; an in-flight row under an expired lease
  // (its worker died) is itself the one in flight, so it is claimed again before the others.
  const exclusive =
    spec.exclusiveBy === undefined
      ? null
      : sql<boolean>`(${sql.ref(`${table}.${spec.exclusiveBy}`)} is null or not exists (select 1 from ${sql.table(table)} as sibling where sibling.${sql.ref(spec.exclusiveBy)} = ${sql.ref(`${table}.${spec.exclusiveBy}`)} and sibling.status = 'in_flight' and sibling.id <> ${sql.ref(`${table}.id`)}))`;
  const claimable = (nowIso: string) => (eb: ExpressionBuilder<QueueDatabase, QueueTable>) =>
    exclusive === null ? due(nowIso)(eb) : eb.and([due(nowIso)(eb), exclusive]);

  async function report(hook: (() => Promise<void> | void) | undefined): Promise<void> {
    try {
      await hook?.();
    } catch {
      // The listener logs what it needs; the transition itself is already stored.
    }
  }

  async function expire(nowIso: string): Promise<void> {
    // A lease that expired on its last permitted attempt: the claimer died every time.
    const expired = await transition('expire')
      .set({
        status: 'dead',
        last_error: sql<string>`coalesce(last_error || '; ', '') || ${`lease expired on attempt ${maxAttempts} (the worker crashed or hung)`}`,
        lease_owner: null,
        lease_expires_at: null,
        updated_at: nowIso,
      })
      .where('lease_expires_at', '<=', nowIso)
      .where('attempts', '>=', maxAttempts)
      .returning('id')
      .execute();
    if (expired.length > 0 && spec.onDead !== undefined) {
      const onDead = spec.onDead;
      await report(() => onDead(expired.map((row) => row.id)));
    }
  }

  return {
    maxAttempts,

    async claim(owner, limit, leaseMs) {
      if (limit < 1) return [];
      const now = ctx.now();
      const nowIso = isoAt(now);
      const leaseUntil = isoAt(new Date(now.getTime() + leaseMs));
      await expire(nowIso);
      const lease = {
        status: 'in_flight' as const,
        lease_owner: owner,
        lease_expires_at: leaseUntil,
        updated_at: nowIso,
      };
      const candidates = (executor: Kysely<QueueDatabase>) =>
        executor
          .selectFrom(table)
          .select('id')
          .where(claimable(nowIso))
          .orderBy(sql.ref(spec.orderBy))
          .orderBy('id')
          .limit(limit);
      let claimed: Array<{ id: number | string }>;
      if (ctx.dialect === 'postgres') {
        claimed = await db
          .transaction()
          .execute(async (trx) => {
            // Lock the candidates first, in their own statement: inside UPDATE … IN (subquery
            // LIMIT n FOR UPDATE SKIP LOCKED) the planner may re-run the subquery and claim more
            // than n rows.
            const ids = (await candidates(trx).forUpdate().skipLocked().execute()).map((row) => row.id);
            if (ids.length === 0) return [];
            return (
              transition('claim', undefined, trx)
                .set((eb) => ({ ...lease, attempts: eb('attempts', '+', 1) }))
                .where('id', 'in', ids)
                // Re-checked on the locked row: under READ COMMITTED the select's view may be stale.
                .where(claimable(nowIso))
                .returning('id')
                .execute()
            );
          })
          .catch((error: unknown) => {
            // Another worker claimed a row of the same exclusive value meanwhile: nothing to claim now.
            if (spec.exclusiveBy !== undefined && (error as { code?: unknown }).code === UNIQUE_VIOLATION) return [];
            throw error;
          });
      } else {
        // One statement: atomic on the file without an explicit transaction, which with two
        // processes on one file could fail to upgrade its read lock.
        claimed = await transition('claim')
          .set((eb) => ({ ...lease, attempts: eb('attempts', '+', 1) }))
          .where('id', 'in', candidates(db))
          .returning('id')
          .execute();
      }
      if (claimed.length === 0) return [];
      const rows = await db
        .selectFrom(table)
        .select('id')
        .where(
          'id',
          'in',
          claimed.map((row) => row.id),
        )
        .orderBy(sql.ref(spec.orderBy))
        .orderBy('id')
        .execute();
      return rows.map((row) => row.id as Id);
    },

    async renew(ids, owner, leaseMs) {
      if (ids.length === 0) return [];
      const now = ctx.now();
      const renewed = await transition('renew', owner)
        .set({ lease_expires_at: isoAt(new Date(now.getTime() + leaseMs)), updated_at: isoAt(now) })
        .where('id', 'in', [...ids])
        .returning('id')
        .execute();
      return renewed.map((row) => row.id as Id);
    },

    async complete(id, owner) {
      const result = await transition('complete', owner)
        .set({
          status: 'done',
          lease_owner: null,
          lease_expires_at: null,
          last_error: null,
          updated_at: isoAt(ctx.now()),
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async fail(id, owner, failure) {
      const row = await transition('fail', owner)
        .set({
          status:
            failure.permanent === true
              ? 'dead'
              : sql<QueueStatus>`case when attempts >= ${maxAttempts} then 'dead' else 'pending' end`,
          last_error: truncateError(failure.error),
          next_attempt_at: isoAt(failure.nextAttemptAt),
          lease_owner: null,
          lease_expires_at: null,
          updated_at: isoAt(ctx.now()),
        })
        .where('id', '=', id)
        .returning('status')
        .executeTakeFirst();
      if (row?.status === 'dead' && spec.onDead !== undefined) {
        const onDead = spec.onDead;
        await report(() => onDead([id]));
      }
      return row?.status ?? null;
    },

    async release(id, owner) {
      const nowIso = isoAt(ctx.now());
      const result = await transition('release', owner)
        .set((eb) => ({
          status: 'pending',
          attempts: eb('attempts', '-', 1),
          next_attempt_at: nowIso,
          lease_owner: null,
          lease_expires_at: null,
          updated_at: nowIso,
        }))
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async retryDead(id) {
      const nowIso = isoAt(ctx.now());
      const result = await transition('retry')
        .set({
          status: 'pending',
          attempts: 0,
          next_attempt_at: nowIso,
          lease_owner: null,
          lease_expires_at: null,
          updated_at: nowIso,
        })
        .where('id', '=', id)
        .executeTakeFirst();
      const retried = Number(result.numUpdatedRows) > 0;
      if (retried && spec.onRetried !== undefined) {
        const onRetried = spec.onRetried;
        await report(() => onRetried(id));
      }
      return retried;
    },

    async counts() {
      const rows = await db
        .selectFrom(table)
        .select((eb) => ['status', eb.fn.countAll<string | number>().as('n')])
        .groupBy('status')
        .execute();
      const counts: Record<QueueStatus, number> = { pending: 0, in_flight: 0, done: 0, dead: 0 };
      for (const row of rows) counts[row.status] = Number(row.n);
      return counts;
    },
  };
}
