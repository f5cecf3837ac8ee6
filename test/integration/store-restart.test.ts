import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import { openStore } from '../../src/store/open-store.js';
import { storeBackends } from './store-backends.js';

/** A database from before migration 0006 (trusted documents): its record, table and column gone. */
async function undoTrustedDocuments(db: Kysely<Database>): Promise<void> {
  await sql`delete from kysely_migration where name = '0006_trusted_documents'`.execute(db);
  await sql`drop table trusted_documents`.execute(db);
  await sql`alter table api_keys drop column documents`.execute(db);
}

/** A database from before migration 0009 (one sync job in flight per location): its record, index and column gone. */
async function undoSyncJobsPerLocation(db: Kysely<Database>): Promise<void> {
  await sql`delete from kysely_migration where name = '0009_sync_jobs_per_location'`.execute(db);
  await sql`drop index sync_jobs_one_in_flight_per_location`.execute(db);
  await sql`alter table sync_jobs drop column location_id`.execute(db);
}

/** The schema before 0007_notifications: its tables (their indexes go with them). */
async function dropNotificationTables(db: Kysely<Database>): Promise<void> {
  for (const table of ['notification_conditions', 'notifications', 'hook_deliveries', 'zapier_hooks'])
    await sql`drop table ${sql.raw(table)}`.execute(db);
}

for (const backend of storeBackends()) {
  backend.describe(`restart on ${backend.name}`, () => {
    afterEach(() => backend.cleanup());

    test('when the store is opened twice on the same database, then migrations run once and the second open is a no-op', async () => {
      const database = await backend.createDatabase();
      const first = await database.open();
      expect(first.appliedMigrations).toEqual([
        '0001_initial',
        '0002_sync_jobs',
        '0003_outbox_entity_key',
        '0004_sync_jobs_due',
        '0005_links_by_record',
        '0006_trusted_documents',
        '0007_notifications',
        '0008_run_reports',
        '0009_sync_jobs_per_location',
      ]);
      const second = await database.open();
      expect(second.appliedMigrations).toEqual([]);
      await second.outbox.enqueue({ locationId: 'L', kind: 'job.create', payload: {}, idempotencyKey: 'k' });
      expect(await first.outbox.depth()).toBe(1);
    });

    test('when a database already has the sync_jobs table an earlier release created on start, then the migrations adopt it and its jobs stay claimable in order', async () => {
      const database = await backend.createDatabase();
      const earlier = await database.open();
      // What an earlier release left: the table as its jobs repository created it (no due time),
      // two jobs in it (one whose claimer died mid-run), and no record of the later migrations.
      await undoSyncJobsPerLocation(earlier.db);
      await sql`delete from kysely_migration where name <> '0001_initial'`.execute(earlier.db);
      for (const index of [
        'sync_jobs_claim',
        'sync_jobs_due',
        'outbox_entity',
        'links_by_roofr_record',
        'links_by_ghl_record',
      ])
        await sql`drop index ${sql.raw(index)}`.execute(earlier.db);
      await sql`alter table outbox drop column entity_key`.execute(earlier.db);
      await sql`alter table sync_jobs drop column next_attempt_at`.execute(earlier.db);
      await dropNotificationTables(earlier.db);
      await sql`drop table sync_run_entries`.execute(earlier.db);
      for (const column of ['kind', 'skipped_count', 'conflict_count', 'summary'])
        await sql`alter table sync_runs drop column ${sql.raw(column)}`.execute(earlier.db);
      await sql`insert into sync_jobs (id, spec, status, attempts, lease_owner, lease_expires_at, last_error, created_at, updated_at)
        values ('run-2', ${JSON.stringify({ kind: 'contact', runId: 'run-2', locationId: 'L', contactId: 'c2' })}, 'in_flight', 1, 'gone', '2000-01-01T00:00:00.000Z', null, '2000-01-01T00:00:02.000Z', '2000-01-01T00:00:02.000Z'),
               ('run-1', ${JSON.stringify({ kind: 'contact', runId: 'run-1', locationId: 'L', contactId: 'c1' })}, 'pending', 0, null, null, null, '2000-01-01T00:00:01.000Z', '2000-01-01T00:00:01.000Z')`.execute(
        earlier.db,
      );
      await undoTrustedDocuments(earlier.db);
      await earlier.close();

      const upgraded = await database.open();
      expect(upgraded.appliedMigrations).toEqual([
        '0002_sync_jobs',
        '0003_outbox_entity_key',
        '0004_sync_jobs_due',
        '0005_links_by_record',
        '0006_trusted_documents',
        '0007_notifications',
        '0008_run_reports',
        '0009_sync_jobs_per_location',
      ]);
      expect((await upgraded.syncJobs.get('run-1'))?.nextAttemptAt).toBe('2000-01-01T00:00:01.000Z');
      const first = await upgraded.syncJobs.claim('worker', 30_000);
      const second = await upgraded.syncJobs.claim('worker', 30_000);
      expect([first?.spec, second?.spec]).toEqual([
        { kind: 'contact', runId: 'run-1', locationId: 'L', contactId: 'c1' },
        { kind: 'contact', runId: 'run-2', locationId: 'L', contactId: 'c2' },
      ]);
      expect(second?.attempts).toBe(2);
      // 0009: the pending job got its location; the one in flight during the upgrade kept none.
      expect(await upgraded.db.selectFrom('sync_jobs').select(['id', 'location_id']).orderBy('id').execute()).toEqual([
        { id: 'run-1', location_id: 'L' },
        { id: 'run-2', location_id: null },
      ]);
    });

    test('when outbox rows were queued before the entity key existed, then the migration derives it from their idempotency keys', async () => {
      const database = await backend.createDatabase();
      const earlier = await database.open();
      await earlier.outbox.enqueue({
        locationId: 'L',
        kind: 'task.upsert',
        payload: {},
        idempotencyKey: 'g2r:L:task:t:1:task.upsert:abc',
      });
      await earlier.outbox.enqueue({ locationId: 'L', kind: 'job.create', payload: {}, idempotencyKey: 'k-other' });
      // The schema before 0003: no entity key column, no index, no record of the migration.
      await undoSyncJobsPerLocation(earlier.db);
      await sql`delete from kysely_migration where name >= '0003_outbox_entity_key'`.execute(earlier.db);
      for (const index of ['sync_jobs_due', 'links_by_roofr_record', 'links_by_ghl_record'])
        await sql`drop index ${sql.raw(index)}`.execute(earlier.db);
      await sql`alter table sync_jobs drop column next_attempt_at`.execute(earlier.db);
      await sql`drop index outbox_entity`.execute(earlier.db);
      await sql`alter table outbox drop column entity_key`.execute(earlier.db);
      await undoTrustedDocuments(earlier.db);
      await dropNotificationTables(earlier.db);
      await sql`drop table sync_run_entries`.execute(earlier.db);
      for (const column of ['kind', 'skipped_count', 'conflict_count', 'summary'])
        await sql`alter table sync_runs drop column ${sql.raw(column)}`.execute(earlier.db);
      await earlier.close();

      const upgraded = await database.open();
      expect(upgraded.appliedMigrations).toEqual([
        '0003_outbox_entity_key',
        '0004_sync_jobs_due',
        '0005_links_by_record',
        '0006_trusted_documents',
        '0007_notifications',
        '0008_run_reports',
        '0009_sync_jobs_per_location',
      ]);
      const rows = await upgraded.db
        .selectFrom('outbox')
        .select(['idempotency_key', 'entity_key'])
        .orderBy('id')
        .execute();
      expect(rows).toEqual([
        { idempotency_key: 'g2r:L:task:t:1:task.upsert:abc', entity_key: 'g2r:L:task:t:1:' },
        { idempotency_key: 'k-other', entity_key: null },
      ]);
    });

    test('when the process restarts, then pending outbox entries, links and cursors are still there', async () => {
      const database = await backend.createDatabase();
      const before = await database.open();
      await before.outbox.enqueue({
        locationId: 'L',
        kind: 'customer.upsert',
        payload: { email: 'a@example.com' },
        idempotencyKey: 'k-1',
      });
      await before.outbox.enqueue({
        locationId: 'L',
        kind: 'job.create',
        payload: { name: 'Roof' },
        idempotencyKey: 'k-2',
      });
      await before.links.upsert({
        locationId: 'L',
        ghlKind: 'contact',
        ghlId: 'c1',
        roofrKind: 'customer',
        roofrId: 'cu1',
      });
      await before.cursors.set('L', 'ghl.contacts', '2026-01-01T00:00:00.000Z');
      await before.close();

      const after = await database.open();
      const pending = await after.outbox.claimDue('after-restart', 10, 30_000);
      expect(pending.map((e) => [e.idempotencyKey, e.payload])).toEqual([
        ['k-1', { email: 'a@example.com' }],
        ['k-2', { name: 'Roof' }],
      ]);
      expect(
        (await after.links.findByGhl({ locationId: 'L', ghlKind: 'contact', ghlId: 'c1', roofrKind: 'customer' }))
          ?.roofrId,
      ).toBe('cu1');
      expect((await after.cursors.get('L', 'ghl.contacts'))?.value).toBe('2026-01-01T00:00:00.000Z');
    });
  });
}

describe('sqlite files', () => {
  test('when DATABASE_URL names a file in a missing directory, then the directory is created', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gateway-store-dir-'));
    try {
      const file = join(root, 'nested', 'data', 'gateway.db');
      const store = await openStore(`sqlite://${file}`);
      await store.close();
      await store.close();
      expect(existsSync(file)).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('when DATABASE_URL is sqlite::memory:, then each open is its own empty database', async () => {
    const a = await openStore('sqlite::memory:');
    const b = await openStore('sqlite::memory:');
    try {
      await a.secrets.put('x', { ciphertext: 'c', iv: 'i', authTag: 't', keyId: 'k' });
      expect(await a.secrets.listKeys()).toEqual(['x']);
      expect(await b.secrets.listKeys()).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('unreachable PostgreSQL', () => {
  test('when nothing listens at DATABASE_URL, then openStore fails naming the URL without its password', async () => {
    const failure = openStore('postgres://gateway:hunter2@127.0.0.1:1/gateway', { postgres: { max: 1 } });
    await expect(failure).rejects.toThrow(
      /Could not open the database postgres:\/\/gateway:\*\*\*@127\.0\.0\.1:1\/gateway.*Check DATABASE_URL/,
    );
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });
});
