/**
 * The state a dry run or a verify keeps, on SQLite and PostgreSQL: migration 0008 over a
 * database an older release filled (its runs read as syncs), run kinds, the skip/conflict
 * counts and the summary merged per page, and the bounded, keyed, paged entries.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect, type Migration } from 'kysely';
import pg from 'pg';
import { storeMigrations, type StoreDialect } from '../../src/store/migrations.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { MAX_ENTRY_FIELDS, MAX_FIELD_CHARS, type RunEntryInput } from '../../src/store/sync-run-entries-repo.js';
import { createTestClock, storeBackends } from './store-backends.js';

function entry(key: string, fields = 1): RunEntryInput {
  return {
    entryKey: key,
    entityKind: 'contact',
    entityId: key,
    targetKind: 'customer',
    roofrId: null,
    action: 'CREATE',
    reason: null,
    fields: Array.from({ length: fields }, (_, index) => ({ field: `f${index}`, from: null, to: index })),
  };
}

for (const backend of storeBackends()) {
  backend.describe(`run reports on ${backend.name}`, () => {
    afterEach(() => backend.cleanup());

    async function setup(): Promise<Store> {
      return (await backend.createDatabase()).open({ now: createTestClock().now });
    }

    test('when a dry run reports pages, then counts add up, tallies merge and a later sample replaces the earlier', async () => {
      const store = await setup();
      const run = await store.syncRuns.start({ trigger: 'cli', locationId: 'L', mode: 'FULL', kind: 'dry_run' });
      expect(run).toMatchObject({ kind: 'dry_run', counts: { skipped: 0, conflicts: 0 }, summary: { tallies: {} } });
      await store.syncRuns.recordProgress(run.id, {
        counts: { read: 2, created: 1, skipped: 1, conflicts: 1 },
        summary: { tallies: { 'customer.CREATE': 1, 'job.SKIP': 1 }, roofrReads: 3, ghlCalls: 4 },
      });
      await store.syncRuns.recordProgress(run.id, {
        counts: { read: 1, conflicts: 1 },
        summary: { tallies: { 'customer.CREATE': 2 }, omittedEntries: 5, roofrReads: 1 },
      });
      const sample = {
        population: 10,
        sampled: 10,
        withFindings: 2,
        confidence: 0.95,
        maxAffected: 2,
        maxAffectedPercent: 20,
        statement: 'exact',
      };
      const done = await store.syncRuns.finish(run.id, { status: 'succeeded', summary: { sample } });
      expect(done).toMatchObject({
        counts: { read: 3, created: 1, skipped: 1, conflicts: 2 },
        summary: {
          tallies: { 'customer.CREATE': 3, 'job.SKIP': 1 },
          omittedEntries: 5,
          roofrReads: 4,
          ghlCalls: 4,
          sample,
        },
      });
      const sync = await store.syncRuns.start({ trigger: 'cli', locationId: 'L', mode: 'FULL' });
      expect(sync).toMatchObject({ kind: 'sync', summary: null });
    });

    test('when entries are appended, then a key is kept once, the cap holds, fields and values are bounded, and pages follow in order', async () => {
      const store = await setup();
      const long = 'x'.repeat(MAX_FIELD_CHARS + 20);
      const first = await store.syncRunEntries.append(
        'run-1',
        [
          entry('a'),
          entry('b', MAX_ENTRY_FIELDS + 7),
          { ...entry('c'), fields: [{ field: 'body', from: long, to: 'y' }] },
        ],
        4,
      );
      expect(first).toEqual({ stored: 3, omitted: 0 });
      // A redone page: 'a' again is not a second entry; the cap leaves room for one more.
      expect(await store.syncRunEntries.append('run-1', [entry('a'), entry('d'), entry('e')], 4)).toEqual({
        stored: 1,
        omitted: 1,
      });
      expect(await store.syncRunEntries.count('run-1')).toBe(4);
      expect(await store.syncRunEntries.count('run-2')).toBe(0);
      const page1 = await store.syncRunEntries.list('run-1', { first: 2 });
      expect(page1.items.map((item) => item.entityId)).toEqual(['a', 'b']);
      expect(page1.items[1]?.fields).toHaveLength(MAX_ENTRY_FIELDS);
      expect(page1.items[1]?.fieldsOmitted).toBe(7);
      const page2 = await store.syncRunEntries.list('run-1', { first: 2, after: page1.endCursor });
      expect(page2.items.map((item) => item.entityId)).toEqual(['c', 'd']);
      expect(page2.hasNextPage).toBe(false);
      expect(String(page2.items[0]?.fields[0]?.from)).toHaveLength(MAX_FIELD_CHARS + 1);
    });
  });
}

describe('migration 0008 over an older database', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  /** Migrates to 0005 only (the previous release) and stores a run the way it did. */
  async function olderDatabase(db: Kysely<unknown>, dialect: StoreDialect, schema?: string): Promise<void> {
    const all = storeMigrations(dialect);
    const older: Record<string, Migration> = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0008'));
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => older },
      ...(schema !== undefined ? { migrationTableSchema: schema } : {}),
    });
    const { error } = await migrator.migrateToLatest();
    if (error !== undefined) throw error;
    await sql`insert into sync_runs (id, trigger, location_id, business_id, mode, status, read_count, created_count,
      updated_count, unchanged_count, failed_count, started_at, finished_at, errors, cursor)
      values ('old-run', 'schedule', 'L', null, 'INCREMENTAL', 'succeeded', 5, 1, 2, 2, 0,
      '2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z', '[]', null)`.execute(db);
  }

  test('when an older SQLite database is opened, then its runs read as syncs and dry runs can be recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-0008-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'gateway.db');
    const raw = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SqliteDatabase(file) }) });
    await olderDatabase(raw, 'sqlite');
    await raw.destroy();
    const store = await openStore(`sqlite://${file}`);
    cleanups.push(() => store.close());
    expect(store.appliedMigrations).toEqual(['0008_run_reports', '0009_sync_jobs_per_location']);
    expect(await store.syncRuns.get('old-run')).toMatchObject({
      kind: 'sync',
      counts: { read: 5, skipped: 0, conflicts: 0 },
      summary: null,
    });
  });

  const pgUrl = process.env.DATABASE_URL_PG;
  (pgUrl === undefined ? test.skip : test)(
    'when an older PostgreSQL schema is opened, then its runs read as syncs and dry runs can be recorded',
    async () => {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      cleanups.push(async () => {
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      });
      const pool = new pg.Pool({ connectionString: pgUrl, max: 2, options: `-c search_path=${schema}` });
      const raw = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
      await olderDatabase(raw, 'postgres', schema);
      await raw.destroy();
      const store = await openStore(pgUrl ?? '', { postgres: { searchPath: schema, max: 2 } });
      cleanups.unshift(() => store.close());
      expect(store.appliedMigrations).toEqual(['0008_run_reports', '0009_sync_jobs_per_location']);
      expect(await store.syncRuns.get('old-run')).toMatchObject({ kind: 'sync', summary: null });
      const dry = await store.syncRuns.start({ trigger: 'cli', locationId: 'L', mode: 'FULL', kind: 'dry_run' });
      expect(await store.syncRunEntries.append(dry.id, [entry('a')])).toEqual({ stored: 1, omitted: 0 });
    },
  );
});
