/**
 * Serialises refreshes of one grant ACROSS replicas. Within a process the token provider's
 * single flight already does; the compare-and-swap on the row keeps two replicas from
 * overwriting each other, and GHL answers a repeated refresh within 30 s with the same tokens,
 * so this lock only saves wasted refreshes. PostgreSQL deployments use an advisory lock; SQLite
 * is one process by construction.
 */
import { sql, type Kysely } from 'kysely';

export interface RefreshLock {
  withLock<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export const inProcessRefreshLock: RefreshLock = {
  withLock: (_key, work) => work(),
};

/**
 * `pg_advisory_lock(hashtext(key))`, held on ONE connection for the refresh's duration
 * (advisory locks belong to the session that took them). Pass the store's Kysely instance.
 *
 * The work under the lock reads and writes the grant through the same pool on other
 * connections, so a process holds at most `maxHolders` locks at once (FIFO; default 2, keep it
 * well under the pool size): an agency's batch starting 25 locations per process minted 25
 * location tokens at once, the 10 connections of the pool were all held by lock holders whose
 * work then waited for an 11th, and every one of them failed at DEPENDENCY_TIMEOUT_MS as if
 * PostgreSQL were down (bench/agency, 50 locations: 9 runs gave up).
 */
export class PgAdvisoryRefreshLock<DB> implements RefreshLock {
  private holders = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly maxHolders: number;

  // The lock only needs raw SQL: any Kysely instance, whatever its table types.
  constructor(
    private readonly db: Kysely<DB>,
    options: { maxHolders?: number } = {},
  ) {
    this.maxHolders = Math.max(1, options.maxHolders ?? 2);
  }

  async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    if (this.holders < this.maxHolders) this.holders += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      const lockKey = `ghl-oauth:${key}`;
      return await this.db.connection().execute(async (connection) => {
        await sql`SELECT pg_advisory_lock(hashtext(${lockKey}))`.execute(connection);
        try {
          return await work();
        } finally {
          await sql`SELECT pg_advisory_unlock(hashtext(${lockKey}))`.execute(connection);
        }
      });
    } finally {
      // The turn passes straight to the next waiter, so a newcomer never overtakes it.
      const next = this.waiting.shift();
      if (next === undefined) this.holders -= 1;
      else next();
    }
  }
}
