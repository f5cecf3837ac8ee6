/**
 * The PostgreSQL store's time bound (src/store/bounded-pg-pool.ts), against a real server: a
 * query that does not answer within the timeout fails with DependencyUnavailableError and its
 * connection is not reused, while a wait for a session advisory lock another session holds (the
 * OAuth refresh lock) is not cut; errors about the statement itself stay what they are.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { DependencyUnavailableError } from '../../src/domain/dependency-unavailable.js';
import { storeBackends } from './store-backends.js';

const postgres = storeBackends().find((backend) => backend.name === 'postgres');

postgres?.describe('bounded PostgreSQL store', () => {
  afterEach(() => postgres.cleanup());

  test('when a query hangs past the timeout, then it fails as postgres unavailable and the next query works on a fresh connection', async () => {
    const store = await (await postgres.createDatabase()).open({ postgres: { max: 1, timeoutMs: 300 } });
    const hung = sql`select pg_sleep(5)`.execute(store.db);
    await expect(hung).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(hung).rejects.toMatchObject({ dependency: 'postgres' });
    // One connection in the pool: had the hung one been returned, this would wait behind pg_sleep.
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(store.db);
    expect(rows).toEqual([{ one: 1 }]);
  });

  test('when another session holds an advisory lock longer than the timeout, then waiting for it is not cut', async () => {
    const store = await (await postgres.createDatabase()).open({ postgres: { timeoutMs: 300 } });
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL_PG });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock(424242)');
      const waiting = store.db.connection().execute(async (connection) => {
        await sql`select pg_advisory_lock(424242)`.execute(connection);
        await sql`select pg_advisory_unlock(424242)`.execute(connection);
        return 'acquired';
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await holder.query('select pg_advisory_unlock(424242)');
      await expect(waiting).resolves.toBe('acquired');
    } finally {
      await holder.end();
    }
  });

  test('when a statement is wrong, then its own error comes back, not an outage', async () => {
    const store = await (await postgres.createDatabase()).open({ postgres: { timeoutMs: 300 } });
    const wrong = sql`select * from no_such_table`.execute(store.db);
    await expect(wrong).rejects.not.toBeInstanceOf(DependencyUnavailableError);
    await expect(wrong).rejects.toThrow(/no_such_table/);
  });
});
