/**
 * The cross-replica refresh lock on PostgreSQL: two "replicas" (two pools) refreshing the same
 * grant run one after the other; different grants do not wait for each other.
 */
import { Kysely, PostgresDialect } from 'kysely';
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
});
