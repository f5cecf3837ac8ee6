import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createCache, type CreateCacheOptions } from '../../src/cache/cache-factory.js';
import type { CacheEventKind } from '../../src/cache/cache-stats.js';
import type { SharedCache } from '../../src/cache/shared-cache.js';
import { recordingLogger, ScriptedLoader } from '../unit/cache/fakes.js';
import { TcpProxy } from './cache-tcp-proxy.js';

const REDIS_URL = process.env.REDIS_URL;
const describeIf = REDIS_URL ? describe : describe.skip;
if (!REDIS_URL)
  console.warn('cache-redis.test.ts skipped: set REDIS_URL (e.g. redis://127.0.0.1:6379) to run the Redis cache tests');

const TTL = 60_000;

/** Resolves on the next cache event of `kind`. */
function nextEvent(cache: SharedCache, kind: CacheEventKind): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe = cache.stats.subscribe((event) => {
      if (event.kind === kind) {
        unsubscribe();
        resolve();
      }
    });
  });
}

describeIf('shared cache on Redis', () => {
  // A prefix per run: parallel runs and other engineers' keys never collide with ours.
  const namespace = `test-cache-${randomBytes(6).toString('hex')}`;
  const raw = new Redis(REDIS_URL ?? '', { lazyConnect: true });
  const opened: SharedCache[] = [];

  async function open(url: string, extra: Partial<CreateCacheOptions> = {}): Promise<SharedCache> {
    const cache = await createCache(url, { logger: recordingLogger().logger, namespace, ...extra });
    opened.push(cache);
    return cache;
  }

  beforeAll(async () => {
    await raw.connect();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((cache) => cache.close()));
  });
  afterAll(async () => {
    for await (const keys of raw.scanStream({ match: `${namespace}::*`, count: 100 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await raw.del(...keys);
    }
    raw.disconnect();
  });

  it('when a value is read through, then it is stored under the namespace and location and a second replica reads it from Redis', async () => {
    const replicaA = await open(REDIS_URL ?? '');
    const replicaB = await open(REDIS_URL ?? '');
    const key = replicaA.keys.contact('locA', 'c1');
    const loader = new ScriptedLoader({ id: 'c1', name: 'Ada' });

    expect(await replicaA.readThrough(key, TTL, loader.load)).toMatchObject({ fromCache: false, version: null });
    expect(await replicaB.readThrough(key, TTL, loader.load)).toMatchObject({
      value: { id: 'c1', name: 'Ada' },
      fromCache: true,
      version: expect.any(String),
    });
    expect(loader.calls).toBe(1);
    expect(await raw.exists(`${namespace}::${key}`)).toBe(1);
    // The store keeps it past its TTL (for max-stale), but not forever.
    expect(await raw.pttl(`${namespace}::${key}`)).toBeGreaterThan(TTL);
  });

  it('when one replica invalidates a contact, then the other no longer serves it or its location searches', async () => {
    const replicaA = await open(REDIS_URL ?? '');
    const replicaB = await open(REDIS_URL ?? '');
    const key = replicaA.keys.contact('locB', 'c1');
    await replicaA.readThrough(key, TTL, async () => 'v1');
    const searchKey = await replicaA.searchKey('locB', { query: 'ada' });
    await replicaA.readThrough(searchKey, TTL, async () => ['c1']);
    expect(await replicaB.searchKey('locB', { query: 'ada' })).toBe(searchKey);

    await replicaB.invalidateContact('locB', 'c1');

    expect(await replicaA.readThrough(key, TTL, async () => 'v2')).toMatchObject({
      value: 'v2',
      fromCache: false,
      version: null,
    });
    const newSearchKey = await replicaA.searchKey('locB', { query: 'ada' });
    expect(newSearchKey).not.toBe(searchKey);
    expect(await replicaA.readThrough(newSearchKey, TTL, async () => ['c1', 'c9'])).toMatchObject({
      fromCache: false,
      version: null,
    });
  });

  it('when a batch is read, then cached keys come from one getMany and only the misses are loaded', async () => {
    const cache = await open(REDIS_URL ?? '');
    const keys = ['a', 'b', 'c'].map((id) => cache.keys.contact('locC', id));
    const batches: string[][] = [];
    const loadMissing = async (missing: string[]) => {
      batches.push(missing);
      return new Map(missing.map((key) => [key, `value of ${key}`]));
    };
    await cache.readThroughMany(keys.slice(0, 2), TTL, loadMissing);
    const results = await cache.readThroughMany(keys, TTL, loadMissing);
    expect(batches).toEqual([keys.slice(0, 2), keys.slice(2)]);
    expect(results.map((result) => (result instanceof Error ? result : result?.fromCache))).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('when Redis goes away, then reads fall back to the loader, the outage is logged once, and recovery is logged once', async () => {
    const target = new URL(REDIS_URL ?? '');
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    const port = await proxy.listen();
    const log = recordingLogger();
    const cache = await open(`redis://127.0.0.1:${port}`, {
      logger: log.logger,
      probeIntervalMs: 50,
      opTimeoutMs: 200,
    });
    try {
      const key = cache.keys.contact('locD', 'c1');
      const loader = new ScriptedLoader('from upstream');
      await cache.readThrough(key, TTL, loader.load);
      expect(await cache.readThrough(key, TTL, loader.load)).toMatchObject({
        fromCache: true,
        version: expect.any(String),
      });
      expect(cache.health().state).toBe('up');

      const down = nextEvent(cache, 'store_down');
      proxy.cut();
      for (let i = 0; i < 5; i += 1) {
        expect(await cache.readThrough(key, TTL, loader.load)).toEqual({
          value: 'from upstream',
          stale: false,
          ageMs: 0,
          fromCache: false,
          version: null,
        });
      }
      await down;
      expect(cache.health().state).toBe('down');
      expect(loader.calls).toBe(6);
      // Single-flight keeps working without the store.
      const release = loader.hold();
      const concurrent = Array.from({ length: 10 }, () => cache.readThrough(key, TTL, loader.load));
      await new Promise((resolve) => setImmediate(resolve));
      release();
      await Promise.all(concurrent);
      expect(loader.calls).toBe(7);
      expect(log.warnings().filter((line) => /unavailable/.test(line.msg ?? ''))).toHaveLength(1);

      const up = nextEvent(cache, 'store_up');
      proxy.restore();
      await up;
      expect(cache.health().state).toBe('up');
      expect(log.infos().filter((line) => /recovered/.test(line.msg ?? ''))).toHaveLength(1);
      // Back to caching: one load, then hits.
      await cache.readThrough(key, TTL, loader.load);
      expect(await cache.readThrough(key, TTL, loader.load)).toMatchObject({
        fromCache: true,
        version: expect.any(String),
      });
      expect(log.warnings()).toHaveLength(1);
    } finally {
      await cache.close();
      await proxy.close();
    }
  });

  it('when Redis is unreachable at start-up, then the gateway starts with the cache down and picks Redis up once it appears', async () => {
    const target = new URL(REDIS_URL ?? '');
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    const port = await proxy.listen();
    proxy.cut();
    const log = recordingLogger();
    const cache = await open(`redis://127.0.0.1:${port}`, { logger: log.logger, probeIntervalMs: 50 });
    try {
      expect(cache.health().state).toBe('down');
      const loader = new ScriptedLoader('v');
      const key = cache.keys.contact('locF', 'c1');
      expect(await cache.readThrough(key, TTL, loader.load)).toMatchObject({ fromCache: false, version: null });

      const up = nextEvent(cache, 'store_up');
      proxy.restore();
      await up;
      await cache.readThrough(key, TTL, loader.load);
      expect(await cache.readThrough(key, TTL, loader.load)).toMatchObject({
        fromCache: true,
        version: expect.any(String),
      });
      expect(log.warnings()).toHaveLength(1);
    } finally {
      await cache.close();
      await proxy.close();
    }
  });

  it('when Redis hangs without answering, then reads time out of the cache, fall back to the loader, and recover once it answers', async () => {
    const target = new URL(REDIS_URL ?? '');
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    const port = await proxy.listen();
    const log = recordingLogger();
    const cache = await open(`redis://127.0.0.1:${port}`, {
      logger: log.logger,
      probeIntervalMs: 50,
      opTimeoutMs: 100,
    });
    try {
      const key = cache.keys.contact('locE', 'c1');
      const loader = new ScriptedLoader('from upstream');
      await cache.readThrough(key, TTL, loader.load);

      const down = nextEvent(cache, 'store_down');
      proxy.freeze();
      // Without the operation timeout this read would wait for Redis forever (the jest timeout would fail it).
      expect(await cache.readThrough(key, TTL, loader.load)).toMatchObject({
        value: 'from upstream',
        fromCache: false,
        version: null,
      });
      await down;
      expect(cache.health().lastError).toMatch(/did not answer within 100 ms/);
      expect(await cache.readThrough(key, TTL, loader.load)).toMatchObject({ fromCache: false, version: null });

      const up = nextEvent(cache, 'store_up');
      proxy.restore();
      await up;
      expect(await cache.readThrough(key, TTL, loader.load)).toMatchObject({
        value: 'from upstream',
        fromCache: true,
        version: expect.any(String),
      });
      expect(log.warnings()).toHaveLength(1);
      expect(log.infos().filter((line) => /recovered/.test(line.msg ?? ''))).toHaveLength(1);
    } finally {
      await cache.close();
      await proxy.close();
    }
  });
});
