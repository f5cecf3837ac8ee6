import { afterEach, describe, expect, it } from '@jest/globals';
import { createCache } from '../../src/cache/cache-factory.js';
import type { SharedCache } from '../../src/cache/shared-cache.js';
import { GhlNotFoundError } from '../../src/ghl/errors.js';
import { recordingLogger, ScriptedLoader } from '../unit/cache/fakes.js';
import { unusedPort } from './cache-tcp-proxy.js';

describe('shared cache when Redis is not there at all', () => {
  let cache: SharedCache | undefined;
  afterEach(async () => cache?.close());

  it('when CACHE_URL points at a port nothing listens on, then every read is served by the loader and the outage is logged once', async () => {
    const log = recordingLogger();
    cache = await createCache(`redis://127.0.0.1:${await unusedPort()}`, {
      logger: log.logger,
      probeIntervalMs: 60_000,
    });
    expect(cache.health()).toMatchObject({ state: 'down', lastError: expect.stringMatching(/ECONNREFUSED/) });

    const loader = new ScriptedLoader({ id: 'c1' });
    for (let i = 0; i < 5; i += 1) {
      const result = await cache.readThrough(cache.keys.contact('loc1', 'c1'), 60_000, loader.load);
      expect(result).toEqual({ value: { id: 'c1' }, stale: false, ageMs: 0, fromCache: false, version: null });
    }
    expect(loader.calls).toBe(5);
    const batch = await cache.readThroughMany(
      [cache.keys.contact('loc1', 'a')],
      60_000,
      async (keys) => new Map(keys.map((key) => [key, 'A'])),
    );
    expect(batch).toEqual([{ value: 'A', stale: false, ageMs: 0, fromCache: false, version: null }]);
    await cache.invalidateContact('loc1', 'c1');
    expect(typeof (await cache.searchKey('loc1', { q: 1 }))).toBe('string');
    await expect(
      cache.readThrough(cache.keys.contact('loc1', 'gone'), 60_000, async () =>
        Promise.reject(new GhlNotFoundError('GET /contacts/{contactId}', 'gone')),
      ),
    ).rejects.toBeInstanceOf(GhlNotFoundError);

    expect(log.warnings()).toHaveLength(1);
    expect(log.warnings()[0]?.msg).toMatch(/unavailable; serving straight from upstream/);
  });

  it('when the store is down, then ten concurrent identical reads still make one upstream call', async () => {
    cache = await createCache(`redis://127.0.0.1:${await unusedPort()}`, {
      logger: recordingLogger().logger,
      probeIntervalMs: 60_000,
    });
    const loader = new ScriptedLoader('v');
    const release = loader.hold();
    const reads = Array.from({ length: 10 }, () => cache?.readThrough('v1:loc:l:contact:c', 60_000, loader.load));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await Promise.all(reads);
    expect(loader.calls).toBe(1);
  });

  it('when the store is down, then identical concurrent searches still share one upstream call', async () => {
    cache = await createCache(`redis://127.0.0.1:${await unusedPort()}`, {
      logger: recordingLogger().logger,
      probeIntervalMs: 60_000,
    });
    const loader = new ScriptedLoader({ contacts: [], total: 0 });
    const release = loader.hold();
    const searches = Array.from({ length: 5 }, async () => {
      const key = await cache?.searchKey('loc1', { query: 'smith', pageLimit: 20 });
      return cache?.readThrough(key ?? '', 30_000, loader.load);
    });
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await Promise.all(searches);
    expect(loader.calls).toBe(1);
  });
});
