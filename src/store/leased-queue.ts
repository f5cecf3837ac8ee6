/**
 * The lease protocol shared by the two durable queues (outbox, inbound_events).
 *
 * A row is claimable when it is pending and due, or in flight with an expired lease (its
 * claimer crashed or hung). Claiming sets the lease and counts an attempt, so a row whose
 * handler crashes the process every time still reaches the attempt limit and is dead-lettered
 * instead of looping forever. PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, so replicas
 * never claim the same row and never wait on each other; SQLite runs the same statement in a
 * transaction, which serialises writers on the one file.
 * Completion is unconditional (the remote side confirmed, that is the truth even if our lease
 * lapsed); failure only applies for the current lease holder, so a late failure from a replica
 * that lost its lease cannot undo the new holder's claim.
 */
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { QueueStatus } from './schema.js';
import { isoAt, type StoreContext } from './store-context.js';

interface LeasedColumns {
  id: number;
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
}

export type QueueTable = keyof QueueDatabase;

export const MAX_ERROR_LENGTH = 2000;

export function truncateError(error: string): string {
  return error.length <= MAX_ERROR_LENGTH ? error : `${error.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}

function queueDb(ctx: StoreContext): Kysely<QueueDatabase> {
  // Both tables carry every LeasedColumns column with the same type (see schema.ts), so this
  // narrower view of the same connection is sound.
  return ctx.db as unknown as Kysely<QueueDatabase>;
}

/** Pending and due, or in flight under an expired lease. */
function claimableAt(nowIso: string) {
  return (eb: ExpressionBuilder<QueueDatabase, QueueTable>) =>
    eb.or([
      eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', nowIso)]),
      eb.and([eb('status', '=', 'in_flight'), eb('lease_expires_at', '<=', nowIso)]),
    ]);
}

/** Claims up to `limit` claimable rows for `owner`; returns their ids in claim (FIFO) order. */
export async function claimRows(
  ctx: StoreContext,
  table: QueueTable,
  options: { owner: string; limit: number; leaseMs: number; maxAttempts: number },
): Promise<number[]> {
  if (options.limit < 1) return [];
  const now = ctx.now();
  const nowIso = isoAt(now);
  const leaseUntil = isoAt(new Date(now.getTime() + options.leaseMs));
  return queueDb(ctx)
    .transaction()
    .execute(async (trx) => {
      // A lease that expired on its last permitted attempt: the claimer died every time.
      await trx
        .updateTable(table)
        .set({
          status: 'dead',
          last_error: sql<string>`coalesce(last_error || '; ', '') || ${`lease expired on attempt ${options.maxAttempts} (the worker crashed or hung)`}`,
          lease_owner: null,
          lease_expires_at: null,
          updated_at: nowIso,
        })
        .where('status', '=', 'in_flight')
        .where('lease_expires_at', '<=', nowIso)
        .where('attempts', '>=', options.maxAttempts)
        .execute();

      const candidates = trx
        .selectFrom(table)
        .select('id')
        .where(claimableAt(nowIso))
        .orderBy('id')
        .limit(options.limit);
      // PostgreSQL: lock the candidates first, in their own statement. Inside an UPDATE … IN
      // (subquery LIMIT n FOR UPDATE SKIP LOCKED) the planner may re-run the subquery and claim
      // more than n rows. SQLite: one statement; the file lock already makes it exclusive.
      const target =
        ctx.dialect === 'postgres'
          ? (await candidates.forUpdate().skipLocked().execute()).map((row) => row.id)
          : candidates;
      if (Array.isArray(target) && target.length === 0) return [];

      const claimed = await trx
        .updateTable(table)
        .set((eb) => ({
          status: 'in_flight',
          lease_owner: options.owner,
          lease_expires_at: leaseUntil,
          attempts: eb('attempts', '+', 1),
          updated_at: nowIso,
        }))
        .where('id', 'in', target)
        // Re-checked on the locked row: under READ COMMITTED the subquery's view may be stale.
        .where(claimableAt(nowIso))
        .returning('id')
        .execute();
      return claimed.map((row) => row.id).sort((a, b) => a - b);
    });
}

/** Marks a row done whatever its lease; false if it was already done or does not exist. */
export async function completeRow(ctx: StoreContext, table: QueueTable, id: number): Promise<boolean> {
  const result = await queueDb(ctx)
    .updateTable(table)
    .set({ status: 'done', lease_owner: null, lease_expires_at: null, last_error: null, updated_at: isoAt(ctx.now()) })
    .where('id', '=', id)
    .where('status', '!=', 'done')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export interface FailOptions {
  /** Apply only while this owner holds the lease (guards against a replica that lost it). */
  owner?: string;
  /** A failure no retry can fix (e.g. the remote side rejected the payload): dead at once. */
  permanent?: boolean;
}

/**
 * Records a failed attempt: back to pending until `nextAttemptAt`, or dead once the attempts
 * reached `maxAttempts` (or the failure is permanent). Returns the new status, or null when the
 * row was not in flight (under that owner).
 */
export async function failRow(
  ctx: StoreContext,
  table: QueueTable,
  id: number,
  failure: { error: string; nextAttemptAt: Date; maxAttempts: number } & FailOptions,
): Promise<QueueStatus | null> {
  let query = queueDb(ctx)
    .updateTable(table)
    .set({
      status:
        failure.permanent === true
          ? 'dead'
          : sql<QueueStatus>`case when attempts >= ${failure.maxAttempts} then 'dead' else 'pending' end`,
      last_error: truncateError(failure.error),
      next_attempt_at: isoAt(failure.nextAttemptAt),
      lease_owner: null,
      lease_expires_at: null,
      updated_at: isoAt(ctx.now()),
    })
    .where('id', '=', id)
    .where('status', '=', 'in_flight');
  if (failure.owner !== undefined) query = query.where('lease_owner', '=', failure.owner);
  const row = await query.returning('status').executeTakeFirst();
  return row?.status ?? null;
}

/**
 * Gives an unstarted claimed row back (a stopping worker): pending again, due now, and the
 * attempt counted by the claim is taken back since nothing was attempted.
 */
export async function releaseRow(ctx: StoreContext, table: QueueTable, id: number, owner: string): Promise<boolean> {
  const nowIso = isoAt(ctx.now());
  const result = await queueDb(ctx)
    .updateTable(table)
    .set((eb) => ({
      status: 'pending',
      attempts: eb('attempts', '-', 1),
      next_attempt_at: nowIso,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: nowIso,
    }))
    .where('id', '=', id)
    .where('status', '=', 'in_flight')
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Puts a dead row back in the queue with a fresh attempt budget. */
export async function retryDeadRow(ctx: StoreContext, table: QueueTable, id: number): Promise<boolean> {
  const nowIso = isoAt(ctx.now());
  const result = await queueDb(ctx)
    .updateTable(table)
    .set({
      status: 'pending',
      attempts: 0,
      next_attempt_at: nowIso,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: nowIso,
    })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Row counts per status (every status present, zero when none). */
export async function countByStatus(ctx: StoreContext, table: QueueTable): Promise<Record<QueueStatus, number>> {
  const rows = await queueDb(ctx)
    .selectFrom(table)
    .select((eb) => ['status', eb.fn.countAll<string | number>().as('n')])
    .groupBy('status')
    .execute();
  const counts: Record<QueueStatus, number> = { pending: 0, in_flight: 0, done: 0, dead: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}
