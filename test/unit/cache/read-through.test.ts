import { afterEach, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { createCache } from '../../../src/cache/cache-factory.js';
import type { CacheEvent } from '../../../src/cache/cache-stats.js';
import type { SharedCache } from '../../../src/cache/shared-cache.js';
import {
  GhlBudgetReserveError,
  GhlNotFoundError,
  GhlRateLimitedError,
  GhlTimeoutError,
  GhlUnauthorizedError,
  GhlUnavailableError,
} from '../../../src/ghl/errors.js';
import { FakeClock, recordingLogger, ScriptedLoader } from './fakes.js';

const TTL = 10_000;
const GRACE = 5_000;
const MAX_STALE = 60_000;
const endpoint = 'GET /contacts/{contactId}';

describe('readThrough', () => {
  let cache: SharedCache;
  let clock: FakeClock;
  let events: CacheEvent[];

  async function setup(): Promise<void> {
    clock = new FakeClock();
    events = [];
    cache = await createCache('memory://', {
      logger: recordingLogger().logger,
      now: clock.now,
      graceMs: GRACE,
      maxStaleMs: MAX_STALE,
      onEvent: (event) => events.push(event),
    });
  }
  afterEach(async () => cache.close());

  it('when the key is not cached, then the loader runs once and later reads within the TTL come from the cache', async () => {
    await setup();
    const key = cache.keys.contact('loc1', 'c1');
    const loader = new ScriptedLoader({ id: 'c1', name: 'Ada' });
    const first = await cache.readThrough(key, TTL, loader.load);
    expect(first).toEqual({
      value: { id: 'c1', name: 'Ada' },
      stale: false,
      ageMs: 0,
      fromCache: false,
      version: null,
    });
    expect(loader.lanes).toEqual(['interactive']);

    clock.advance(TTL - 1);
    const second = await cache.readThrough(key, TTL, loader.load);
    expect(second).toEqual({
      value: { id: 'c1', name: 'Ada' },
      stale: false,
      ageMs: TTL - 1,
      fromCache: true,
      version: expect.any(String),
    });
    expect(loader.calls).toBe(1);
    expect(cache.stats.misses).toBe(1);
    expect(cache.stats.hits).toBe(1);
    expect(events.map((event) => `${event.kind}:${event.entity}`)).toEqual(['miss:contact', 'hit:contact']);
  });

  it('when the TTL has passed but the grace window has not, then the stale value is served and refreshed once in the background', async () => {
    await setup();
    const key = cache.keys.contact('loc1', 'c1');
    const loader = new ScriptedLoader('v1');
    await cache.readThrough(key, TTL, loader.load);
    loader.returns('v2');
    clock.advance(TTL + 1000);

    const stale = await cache.readThrough(key, TTL, loader.load);
    expect(stale).toEqual({
      value: 'v1',
      stale: true,
      ageMs: TTL + 1000,
      fromCache: true,
      version: expect.any(String),
    });
    await cache.idle();
    expect(loader.calls).toBe(2);
    expect(loader.lanes).toEqual(['interactive', 'background']);

    const refreshed = await cache.readThrough(key, TTL, loader.load);
    expect(refreshed).toMatchObject({ value: 'v2', stale: false, fromCache: true, version: expect.any(String) });
    expect(cache.stats.count('stale')).toBe(1);
    expect(cache.stats.count('revalidated')).toBe(1);
    expect(loader.calls).toBe(2);
  });

  it('when the background refresh fails, then the stale value keeps being served within the grace window', async () => {
    await setup();
    const key = cache.keys.contact('loc1', 'c1');
    const loader = new ScriptedLoader('v1');
    await cache.readThrough(key, TTL, loader.load);
    loader.throws(new GhlUnavailableError(endpoint, 503));
    clock.advance(TTL + 1);
    expect(await cache.readThrough(key, TTL, loader.load)).toMatchObject({ value: 'v1', stale: true });
    await cache.idle();
    expect(cache.stats.count('revalidate_failed')).toBe(1);
    expect(await cache.readThrough(key, TTL, loader.load)).toMatchObject({ value: 'v1', stale: true });
  });

  it.each([
    ['Unavailable', new GhlUnavailableError(endpoint, 503)],
    ['RateLimited', new GhlRateLimitedError(endpoint, 2000)],
    ['Timeout', new GhlTimeoutError(endpoint, 15000)],
    ['BudgetReserve', new GhlBudgetReserveError(endpoint, 60_000, 900, 1000)],
  ])(
    'when past the grace window the loader fails with %s, then the stale value is served with its age',
    async (_kind, error) => {
      await setup();
      const key = cache.keys.contact('loc1', 'c1');
      const loader = new ScriptedLoader('old');
      await cache.readThrough(key, TTL, loader.load);
      loader.throws(error);
      clock.advance(TTL + GRACE + 30_000);
      const result = await cache.readThrough(key, TTL, loader.load);
      expect(result).toEqual({
        value: 'old',
        stale: true,
        ageMs: TTL + GRACE + 30_000,
        fromCache: true,
        version: expect.any(String),
      });
      expect(cache.stats.count('stale_on_error')).toBe(1);
      expect(cache.stats.staleServes).toBe(1);
    },
  );

  it('when the stale value is older than max-stale, then the upstream failure propagates', async () => {
    await setup();
    const key = cache.keys.contact('loc1', 'c1');
    const loader = new ScriptedLoader('old');
    await cache.readThrough(key, TTL, loader.load);
    const failure = new GhlUnavailableError(endpoint, 503);
    loader.throws(failure);
    clock.advance(TTL + MAX_STALE + 1);
    await expect(cache.readThrough(key, TTL, loader.load)).rejects.toBe(failure);
  });

  it('when the loader says NotFound, then it is never masked by a stale value and the entry is evicted', async () => {
    await setup();
    const key = cache.keys.contact('loc1', 'c1');
    const loader = new ScriptedLoader('old');
    await cache.readThrough(key, TTL, loader.load);
    loader.throws(new GhlNotFoundError(endpoint, 'Contact with id c1 not found'));
    clock.advance(TTL + GRACE + 1);
    await expect(cache.readThrough(key, TTL, loader.load)).rejects.toBeInstanceOf(GhlNotFoundError);

    // The stale copy is gone: a later outage has nothing to stand in with.
    const outage = new GhlUnavailableError(endpoint, 503);
    loader.throws(outage);
    await expect(cache.readThrough(key, TTL, loader.load)).rejects.toBe(outage);
  });

  it('when a background refresh finds NotFound, then the next read reaches upstream instead of the deleted value', async () => {
    await setup();
    const key = cache.keys.contact('loc1', 'c1');
    const loader = new ScriptedLoader('old');
    await cache.readThrough(key, TTL, loader.load);
    loader.throws(new GhlNotFoundError(endpoint, 'gone'));
    clock.advance(TTL + 1);
    expect(await cache.readThrough(key, TTL, loader.load)).toMatchObject({ value: 'old', stale: true });
    await cache.idle();
    await expect(cache.readThrough(key, TTL, loader.load)).rejects.toBeInstanceOf(GhlNotFoundError);
  });

  it('when the loader is refused (unauthorized), then the refusal propagates even with a stale value', async () => {
    await setup();
    const key = cache.keys.contact('loc1', 'c1');
    const loader = new ScriptedLoader('old');
    await cache.readThrough(key, TTL, loader.load);
    loader.throws(new GhlUnauthorizedError(endpoint, 'token revoked'));
    clock.advance(TTL + GRACE + 1);
    await expect(cache.readThrough(key, TTL, loader.load)).rejects.toBeInstanceOf(GhlUnauthorizedError);
  });

  it('when two locations read the same contact id, then each gets its own value', async () => {
    await setup();
    const a = await cache.readThrough(cache.keys.contact('locA', 'same'), TTL, async () => 'A');
    const b = await cache.readThrough(cache.keys.contact('locB', 'same'), TTL, async () => 'B');
    expect([a.value, b.value]).toEqual(['A', 'B']);
    const again = await cache.readThrough(cache.keys.contact('locB', 'same'), TTL, async () => 'never');
    expect(again).toMatchObject({ value: 'B', fromCache: true, version: expect.any(String) });
  });

  it('when a cached value does not match the schema, then it is treated as a miss', async () => {
    await setup();
    const key = cache.keys.contact('loc1', 'c1');
    await cache.readThrough(key, TTL, async () => ({ id: 'c1' }));
    const Schema = z.object({ id: z.string(), name: z.string() });
    const result = await cache.readThrough(key, TTL, async () => ({ id: 'c1', name: 'Ada' }), { schema: Schema });
    expect(result).toEqual({
      value: { id: 'c1', name: 'Ada' },
      stale: false,
      ageMs: 0,
      fromCache: false,
      version: null,
    });
    expect(
      await cache.readThrough(key, TTL, async () => ({ id: 'x', name: 'never' }), { schema: Schema }),
    ).toMatchObject({ fromCache: true, version: expect.any(String) });
  });

  it('when ten reads of one key arrive together, then the loader runs once and all get its value', async () => {
    await setup();
    const key = cache.keys.contact('loc1', 'c1');
    const loader = new ScriptedLoader({ id: 'c1' });
    const release = loader.hold();
    const reads = Array.from({ length: 10 }, () => cache.readThrough(key, TTL, loader.load));
    // Let every read pass its cache lookup and join the flight before the upstream answers.
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const results = await Promise.all(reads);
    expect(loader.calls).toBe(1);
    expect(results.every((result) => result.value === results[0]?.value)).toBe(true);
    expect(cache.stats.count('coalesced')).toBe(9);
  });

  it('when ten concurrent reads fail upstream, then the loader ran once and every read gets the error', async () => {
    await setup();
    const key = cache.keys.contact('loc1', 'c1');
    const failure = new GhlUnavailableError(endpoint, 502);
    const loader = new ScriptedLoader('x').throws(failure);
    const release = loader.hold();
    const reads = Array.from({ length: 10 }, () =>
      cache.readThrough(key, TTL, loader.load).catch((error: unknown) => error),
    );
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(new Set(await Promise.all(reads))).toEqual(new Set([failure]));
    expect(loader.calls).toBe(1);
  });
});

describe('readThrough edge cases', () => {
  it('when a loaded value cannot be serialized, then it is returned uncached and the cache stays up', async () => {
    const log = recordingLogger();
    const cache = await createCache('memory://', { logger: log.logger });
    const key = cache.keys.contact('loc1', 'c1');
    const result = await cache.readThrough(key, TTL, async () => ({ big: 1n }));
    expect(result).toMatchObject({ value: { big: 1n }, fromCache: false, version: null });
    expect(cache.health().state).toBe('up');
    expect(log.warnings().map((line) => line.msg)).toEqual(['A value could not be cached; it is served uncached']);
    await cache.readThrough(cache.keys.contact('loc1', 'c2'), TTL, async () => 'ok');
    expect(await cache.readThrough(cache.keys.contact('loc1', 'c2'), TTL, async () => 'never')).toMatchObject({
      fromCache: true,
      version: expect.any(String),
    });
    await cache.close();
  });

  it('when a mutation primes the value it returned, then the next read is a hit with that value', async () => {
    const cache = await createCache('memory://', { logger: recordingLogger().logger });
    const key = cache.keys.contact('loc1', 'c1');
    await cache.readThrough(key, TTL, async () => ({ name: 'old' }));
    await cache.invalidateContact('loc1', 'c1');
    await cache.prime(key, TTL, { name: 'new' });
    expect(await cache.readThrough(key, TTL, async () => ({ name: 'never' }))).toMatchObject({
      value: { name: 'new' },
      fromCache: true,
      version: expect.any(String),
    });
    await cache.close();
  });
});
