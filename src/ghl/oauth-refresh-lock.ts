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
 */
export class PgAdvisoryRefreshLock<DB> implements RefreshLock {
  // The lock only needs raw SQL: any Kysely instance, whatever its table types.
  constructor(private readonly db: Kysely<DB>) {}

  withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const lockKey = `ghl-oauth:${key}`;
    return this.db.connection().execute(async (connection) => {
      await sql`SELECT pg_advisory_lock(hashtext(${lockKey}))`.execute(connection);
      try {
        return await work();
      } finally {
        await sql`SELECT pg_advisory_unlock(hashtext(${lockKey}))`.execute(connection);
      }
    });
  }
}
