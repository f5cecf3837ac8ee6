import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Keyv from 'keyv';
import { SqliteStore } from '../../../src/cache/sqlite-store.js';
import { FakeClock } from './fakes.js';

describe('SqliteStore', () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cache-sqlite-'));
    path = join(dir, 'nested', 'cache.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when the store is closed and reopened, then its entries are still there', async () => {
    const first = new SqliteStore({ path, purgeIntervalMs: 60_000 });
    const keyv = new Keyv(first, { namespace: 'gw' });
    await keyv.set('contact', { id: 'c1', name: 'Ada' }, 60_000);
    await keyv.set('forever', 'kept');
    await first.disconnect();

    const second = new SqliteStore({ path, purgeIntervalMs: 60_000 });
    const reopened = new Keyv(second, { namespace: 'gw' });
    expect(await reopened.get('contact')).toEqual({ id: 'c1', name: 'Ada' });
    expect(await reopened.getMany(['forever', 'absent', 'contact'])).toEqual([
      'kept',
      undefined,
      { id: 'c1', name: 'Ada' },
    ]);
    await second.disconnect();
  });

  it('when the database is opened, then it runs in WAL mode', async () => {
    const store = new SqliteStore({ path, purgeIntervalMs: 60_000 });
    await store.disconnect();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('when an entry has expired, then reads ignore it and the purge deletes the rows', async () => {
    const clock = new FakeClock();
    const store = new SqliteStore({ path, purgeIntervalMs: 60_000, now: clock.now });
    await store.set('short', 'a', 1000);
    await store.set('long', 'b', 10_000);
    await store.set('lasting', 'c');
    clock.advance(1000);
    expect(await store.get('short')).toBeUndefined();
    expect(await store.getMany(['short', 'long', 'lasting'])).toEqual([undefined, 'b', 'c']);
    clock.advance(9000);
    expect(store.rowCount()).toBe(2);
    expect(store.purgeExpired()).toBe(1);
    expect(store.rowCount()).toBe(1);
    expect(await store.get('lasting')).toBe('c');
    await store.disconnect();
  });

  it('when an expired entry is reopened after a restart, then it is still ignored', async () => {
    const clock = new FakeClock();
    const first = new SqliteStore({ path, purgeIntervalMs: 60_000, now: clock.now });
    await first.set('k', 'v', 500);
    await first.disconnect();
    clock.advance(501);
    const second = new SqliteStore({ path, purgeIntervalMs: 60_000, now: clock.now });
    expect(await second.get('k')).toBeUndefined();
    await second.disconnect();
  });

  it('when keys are deleted one by one, in bulk or by clear, then they are gone and other namespaces stay', async () => {
    const store = new SqliteStore({ path, purgeIntervalMs: 60_000 });
    const keyv = new Keyv(store, { namespace: 'mine' });
    await keyv.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
      { key: 'c', value: 3 },
      { key: 'd', value: 4 },
    ]);
    await store.set('other:x', 'foreign');
    expect(await keyv.delete('a')).toBe(true);
    expect(await keyv.deleteMany(['b', 'c'])).toBe(true);
    expect(await keyv.getMany(['a', 'b', 'c', 'd'])).toEqual([undefined, undefined, undefined, 4]);
    await keyv.clear();
    expect(await keyv.get('d')).toBeUndefined();
    expect(await store.get('other:x')).toBe('foreign');
    await store.disconnect();
  });
});
