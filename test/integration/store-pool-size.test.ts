/**
 * DATABASE_POOL_SIZE bounds the PostgreSQL connections one process opens (the state store's pool):
 * against a real server, one more query than the pool holds waits for a connection instead of
 * opening another. Skipped without DATABASE_URL_PG.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { parseConfig } from '../../src/config.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Lifecycle } from '../../src/wiring/lifecycle.js';
import { openStateStore } from '../../src/wiring/state-store.js';

const pgUrl = process.env.DATABASE_URL_PG;
const describeWithPostgres = pgUrl === undefined ? describe.skip : describe;

async function admin<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Sessions of this server waiting for the advisory lock `key` (each one a connection of the pool). */
async function waitingFor(key: number): Promise<number> {
  const rows = await admin<{ waiting: string }>(
    `select count(*) as waiting from pg_stat_activity
      where wait_event_type = 'Lock' and wait_event = 'advisory' and query like $1`,
    [`%pg_advisory_xact_lock_shared(${key})%`],
  );
  return Number(rows[0]?.waiting ?? 0);
}

describeWithPostgres('DATABASE_POOL_SIZE', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  beforeAll(() => admin(`create schema ${schema}`));
  afterAll(() => admin(`drop schema if exists ${schema} cascade`));

  test('when more queries run at once than the pool holds, then only DATABASE_POOL_SIZE of them reach PostgreSQL and the rest wait their turn', async () => {
    const url = new URL(pgUrl ?? '');
    url.searchParams.set('options', `-c search_path=${schema}`);
    const config = parseConfig({
      DATABASE_URL: url.toString(),
      DATABASE_POOL_SIZE: '3',
      // The queries below wait for a lock on purpose; they must not be cut as an outage meanwhile.
      DEPENDENCY_TIMEOUT_MS: '60000',
    });
    const lifecycle = new Lifecycle(silentLogger());
    const store = await openStateStore(config, lifecycle, { logger: silentLogger() });
    const key = 770_000 + Math.floor(Math.random() * 10_000);
    const holder = new pg.Client({ connectionString: pgUrl });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select pg_advisory_xact_lock($1)', [key]);
      const queries = Array.from({ length: 5 }, () =>
        sql`select pg_advisory_xact_lock_shared(${sql.raw(String(key))})`.execute(store.db),
      );
      while ((await waitingFor(key)) < 3) await new Promise((resolve) => setTimeout(resolve, 50));
      // Three connections, each blocked: the other two queries cannot have reached the server.
      expect(await waitingFor(key)).toBe(3);
      await holder.query('commit');
      await expect(Promise.all(queries)).resolves.toHaveLength(5);
    } finally {
      await holder.end();
      await lifecycle.close();
    }
  }, 30_000);

  test('when it is unset, then a process keeps at most 10 connections, as before', () => {
    expect(parseConfig({}).DATABASE_POOL_SIZE).toBe(10);
  });
});
