import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import { storeBackends } from './store-backends.js';

for (const backend of storeBackends()) {
  backend.describe(`restart on ${backend.name}`, () => {
    afterEach(() => backend.cleanup());

    test('when the store is opened twice on the same database, then migrations run once and the second open is a no-op', async () => {
      const database = await backend.createDatabase();
      const first = await database.open();
      expect(first.appliedMigrations).toEqual(['0001_initial']);
      const second = await database.open();
      expect(second.appliedMigrations).toEqual([]);
      await second.outbox.enqueue({ locationId: 'L', kind: 'job.create', payload: {}, idempotencyKey: 'k' });
      expect(await first.outbox.depth()).toBe(1);
    });

    test('when the process restarts, then pending outbox entries, links and cursors are still there', async () => {
      const database = await backend.createDatabase();
      const before = await database.open();
      await before.outbox.enqueue({ locationId: 'L', kind: 'customer.upsert', payload: { email: 'a@example.com' }, idempotencyKey: 'k-1' });
      await before.outbox.enqueue({ locationId: 'L', kind: 'job.create', payload: { name: 'Roof' }, idempotencyKey: 'k-2' });
      await before.links.upsert({ locationId: 'L', ghlKind: 'contact', ghlId: 'c1', roofrKind: 'customer', roofrId: 'cu1' });
      await before.cursors.set('L', 'ghl.contacts', '2026-01-01T00:00:00.000Z');
      await before.close();

      const after = await database.open();
      const pending = await after.outbox.claimDue('after-restart', 10, 30_000);
      expect(pending.map((e) => [e.idempotencyKey, e.payload])).toEqual([
        ['k-1', { email: 'a@example.com' }],
        ['k-2', { name: 'Roof' }],
      ]);
      expect((await after.links.findByGhl({ locationId: 'L', ghlKind: 'contact', ghlId: 'c1', roofrKind: 'customer' }))?.roofrId).toBe('cu1');
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
    await expect(failure).rejects.toThrow(/Could not open the database postgres:\/\/gateway:\*\*\*@127\.0\.0\.1:1\/gateway.*Check DATABASE_URL/);
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });
});
