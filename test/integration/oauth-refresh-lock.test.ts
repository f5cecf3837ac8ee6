/**
 * The cross-replica refresh lock on PostgreSQL: two "replicas" (two pools) refreshing the same
 * grant run one after the other; different grants do not wait for each other; and more refreshes
 * at once than the pool has connections all complete (the work under a lock needs a connection too).
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PgAdvisoryRefreshLock } from '../../src/ghl/oauth-refresh-lock.js';

const databaseUrl = process.env.DATABASE_URL_PG;
const describeIf = databaseUrl ? describe : describe.skip;
if (!databaseUrl)
  console.warn('oauth-refresh-lock.test.ts: set DATABASE_URL_PG to run the PostgreSQL advisory lock tests');

describeIf('PgAdvisoryRefreshLock', () => {
  const databases: Kysely<object>[] = [];

  afterAll(async () => {
    await Promise.all(databases.map((db) => db.destroy()));
  });

  function replica(): PgAdvisoryRefreshLock<object> {
    const db = new Kysely<object>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 2 }) }),
    });
    databases.push(db);
    return new PgAdvisoryRefreshLock(db);
  }

  it('when two replicas lock the same grant, then their critical sections never overlap', async () => {
    const [a, b] = [replica(), replica()];
    const events: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let entered: () => void = () => undefined;
    const firstEntered = new Promise<void>((resolve) => (entered = resolve));

    const first = a.withLock('location:L1', async () => {
      events.push('a:start');
      entered();
      await firstHolds;
      events.push('a:end');
    });
    await firstEntered;
    const second = b.withLock('location:L1', async () => {
      events.push('b:start');
      events.push('b:end');
    });
    // b waits on the advisory lock until a finishes; an unrelated grant does not.
    await replica().withLock('location:L2', async () => events.push('other'));
    releaseFirst();
    await Promise.all([first, second]);

    expect(events).toEqual(['a:start', 'other', 'a:end', 'b:start', 'b:end']);
  });

  it('when more grants are refreshed at once than the pool has connections, then each refresh gets a connection for its work', async () => {
    // Bounded as the store is: a connection not had within 2 s is an error, not a wait.
    const db = new Kysely<object>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 2000 }),
      }),
    });
    databases.push(db);
    const lock = new PgAdvisoryRefreshLock(db, { maxHolders: 1 });
    const refreshed = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        lock.withLock(`location:many-${index}`, async () => {
          // The grant is read and stored through the same pool, on another connection.
          const { rows } = await sql<{ n: number }>`select ${index}::int as n`.execute(db);
          return rows[0]?.n;
        }),
      ),
    );
    expect(refreshed).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
