/**
 * The ioredis keyv store (src/cache/redis-store.ts) on a real Redis: keyv's adapter contract
 * (single and batch reads, writes with Redis TTLs, deletes, clear), the key layout shared with
 * earlier releases, a namespace that never touches anyone else's keys, and commands refused at
 * once (not queued) while Redis is unreachable.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStore } from '../../src/cache/redis-store.js';
import { unusedPort } from './cache-tcp-proxy.js';

const REDIS_URL = process.env.REDIS_URL;
const describeIf = REDIS_URL ? describe : describe.skip;
if (!REDIS_URL) console.warn('cache-redis-store.test.ts skipped: set REDIS_URL to run it');

describeIf('RedisStore (keyv adapter over ioredis)', () => {
  const namespace = `test-store-${randomBytes(6).toString('hex')}`;
  const neighbour = `test-store-${randomBytes(6).toString('hex')}`;
  const raw = new Redis(REDIS_URL ?? '', { lazyConnect: true });
  let store: RedisStore;

  beforeAll(async () => {
    await raw.connect();
    store = new RedisStore({ url: REDIS_URL ?? '', namespace, connectTimeoutMs: 1_000 });
    expect(await store.connect(5_000)).toBeNull();
  });
  afterAll(async () => {
    await store.disconnect();
    await raw.del(`${neighbour}::kept`);
    raw.disconnect();
  });

  it('when values are written with and without a TTL, then they read back under <namespace>::<key> with Redis expiries', async () => {
    expect(await store.set('a', '{"value":1}', 60_000)).toBe(true);
    await store.set('forever', '{"value":2}');
    expect(await store.get('a')).toBe('{"value":1}');
    expect(await store.has('a')).toBe(true);
    expect(await store.has('missing')).toBe(false);
    expect(await store.get('missing')).toBeUndefined();
    const ttl = await raw.pttl(`${namespace}::a`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await raw.pttl(`${namespace}::forever`)).toBe(-1);
  });

  it('when a batch is written, read and deleted, then each answers per key in key order', async () => {
    await store.setMany([
      { key: 'b1', value: '"one"', ttl: 60_000 },
      { key: 'b2', value: '"two"' },
    ]);
    expect(await store.getMany(['b2', 'nope', 'b1'])).toEqual(['"two"', undefined, '"one"']);
    expect(await store.getMany([])).toEqual([]);
    expect(await store.deleteMany(['b1', 'b2'])).toBe(true);
    expect(await store.deleteMany(['b1'])).toBe(false);
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
  });

  it('when the store is cleared, then only its own namespace is gone', async () => {
    await raw.set(`${neighbour}::kept`, 'x');
    await store.set('c1', '1');
    await store.set('c2', '2');
    await store.clear();
    expect(await raw.keys(`${namespace}::*`)).toEqual([]);
    expect(await raw.get(`${neighbour}::kept`)).toBe('x');
  });

  it('when Redis cannot be reached, then connect reports why and every command is refused at once instead of queued', async () => {
    const down = new RedisStore({ url: `redis://127.0.0.1:${await unusedPort()}`, namespace, connectTimeoutMs: 1_000 });
    try {
      expect(String(await down.connect(2_000))).toMatch(/ECONNREFUSED/);
      await expect(down.get('a')).rejects.toThrow();
      await expect(down.setMany([{ key: 'a', value: '1' }])).rejects.toThrow();
    } finally {
      await down.disconnect();
    }
  });
});
