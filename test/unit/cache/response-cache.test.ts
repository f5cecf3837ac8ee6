import { NOTES } from '../../../src/entities/contact-lists.js';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createCache } from '../../../src/cache/cache-factory.js';
import { cacheKeys, generationOfKey } from '../../../src/cache/cache-keys.js';
import { ResponseCache, responseKey } from '../../../src/cache/response-cache.js';
import { ResponseDependencies } from '../../../src/cache/response-dependencies.js';
import type { SharedCache } from '../../../src/cache/shared-cache.js';
import { FakeClock, recordingLogger } from './fakes.js';

const TTL = 10_000;
const LOCATION = 'LocResponseCache0001';

describe('whole-response cache over the shared cache', () => {
  let cache: SharedCache;
  let clock: FakeClock;

  async function setup(): Promise<void> {
    clock = new FakeClock();
    cache = await createCache('memory://', {
      logger: recordingLogger().logger,
      now: clock.now,
      graceMs: 5_000,
      maxStaleMs: 60_000,
    });
  }
  afterEach(async () => cache.close());

  /** Reads `key` through the cache twice (load, then hit) and records the hit, as a request's loaders would. */
  async function cachedRead(dependencies: ResponseDependencies, key: string, value: unknown): Promise<void> {
    await cache.readThrough(key, TTL, async () => value);
    dependencies.noteRead(key, await cache.readThrough(key, TTL, async () => value));
  }

  it('when every value a response read is unchanged and fresh, then it is reused; when one is replaced, it is not, even within the same millisecond', async () => {
    await setup();
    const responses = new ResponseCache(cache, { maxEntries: 10, maxBytes: 1_000_000, now: clock.now });
    const dependencies = new ResponseDependencies();
    const key = cacheKeys.contact(LOCATION, 'c1');
    await cachedRead(dependencies, key, { id: 'c1', name: 'Ada' });
    expect(responses.store('q1', { contact: { id: 'c1' } }, dependencies.list() ?? [])).toBe(true);
    clock.advance(10);
    expect(await responses.lookup('q1')).toEqual({
      dataJson: '{"contact":{"id":"c1"}}',
      ageMs: 10,
      operationName: null,
    });
    // Same clock reading: only the entry's version tells the write apart.
    await cache.prime(key, TTL, { id: 'c1', name: 'Grace' });
    expect(await responses.lookup('q1')).toBeNull();
    expect(cache.stats.snapshot().outdated).toBe(1);
  });

  it("when the store is this process's own and nothing was written since the last check, then a reuse does not read the store again", async () => {
    await setup();
    const responses = new ResponseCache(cache, { maxEntries: 10, maxBytes: 1_000_000, now: clock.now });
    const dependencies = new ResponseDependencies();
    await cachedRead(dependencies, cacheKeys.contact(LOCATION, 'c1'), { id: 'c1' });
    responses.store('q1', { ok: true }, dependencies.list() ?? []);
    const checks: number[] = [];
    const check = cache.stillCurrent.bind(cache);
    cache.stillCurrent = async (list) => {
      checks.push(list.length);
      return check(list);
    };
    expect(await responses.lookup('q1')).not.toBeNull();
    expect(await responses.lookup('q1')).not.toBeNull();
    expect(checks).toHaveLength(1);
    // Any write to the store (here another contact) and the next reuse checks again.
    await cache.prime(cacheKeys.contact(LOCATION, 'other'), TTL, { id: 'other' });
    expect(await responses.lookup('q1')).not.toBeNull();
    expect(checks).toHaveLength(2);
  });

  it('when a value passes its TTL or is evicted, then the response is not reused', async () => {
    await setup();
    const responses = new ResponseCache(cache, { maxEntries: 10, maxBytes: 1_000_000, now: clock.now });
    const dependencies = new ResponseDependencies();
    await cachedRead(dependencies, cacheKeys.contact(LOCATION, 'c1'), { id: 'c1' });
    await cachedRead(dependencies, cacheKeys.listOfContact('notesOfContact', LOCATION, 'c1'), []);
    responses.store('q1', { ok: true }, dependencies.list() ?? []);
    responses.store('q2', { ok: true }, dependencies.list() ?? []);
    await cache.invalidateList(LOCATION, 'c1', NOTES, 'n1');
    expect(await responses.lookup('q1')).toBeNull();
    await cachedRead(new ResponseDependencies(), cacheKeys.listOfContact('notesOfContact', LOCATION, 'c1'), []);
    clock.advance(TTL);
    expect(await responses.lookup('q2')).toBeNull();
  });

  it('when a search was read under a generation that moved on, then the response is not reused', async () => {
    await setup();
    const responses = new ResponseCache(cache, { maxEntries: 10, maxBytes: 1_000_000, now: clock.now });
    const dependencies = new ResponseDependencies();
    const key = await cache.searchKey(LOCATION, { pageLimit: 3 });
    await cachedRead(dependencies, key, { contacts: [] });
    expect(
      dependencies
        .list()
        ?.map((dependency) => dependency.kind)
        .sort(),
    ).toEqual(['entry', 'generation']);
    responses.store('page', { contacts: [] }, dependencies.list() ?? []);
    expect(await responses.lookup('page')).not.toBeNull();
    await cache.invalidateSearches(LOCATION);
    expect(await responses.lookup('page')).toBeNull();
  });

  it('when anything was loaded upstream, served stale, absent or failed, then the response has nothing reusable', async () => {
    await setup();
    const loaded = new ResponseDependencies();
    loaded.noteRead('k', await cache.readThrough(cacheKeys.contact(LOCATION, 'c2'), TTL, async () => 'v'));
    expect(loaded.list()).toBeNull();
    const stale = new ResponseDependencies();
    clock.advance(TTL + 1);
    stale.noteRead('k', await cache.readThrough(cacheKeys.contact(LOCATION, 'c2'), TTL, async () => 'v'));
    expect(stale.list()).toBeNull();
    for (const result of [undefined, new Error('boom')]) {
      const failed = new ResponseDependencies();
      failed.noteRead('k', result);
      expect(failed.list()).toBeNull();
    }
    expect(new ResponseDependencies().list()).toBeNull();
  });

  it('when responses exceed the entry or byte budget, then the least recently used go first and an oversized one is not kept', async () => {
    await setup();
    const responses = new ResponseCache(cache, {
      maxEntries: 2,
      maxBytes: 16_000,
      maxResponseBytes: 2_000,
      now: clock.now,
    });
    const dependencies = new ResponseDependencies();
    await cachedRead(dependencies, cacheKeys.contact(LOCATION, 'c1'), 'v');
    const list = dependencies.list() ?? [];
    responses.store('a', 1, list);
    responses.store('b', 2, list);
    expect(await responses.lookup('a')).not.toBeNull();
    responses.store('c', 3, list);
    expect(await responses.lookup('b')).toBeNull();
    expect(await responses.lookup('a')).not.toBeNull();
    expect(responses.store('huge', 'x'.repeat(2_000), list)).toBe(false);
    expect(responses.size.entries).toBe(2);
  });
});

describe('response keys', () => {
  it('when caller, location, text, operation name or variables differ, then the keys differ; role order does not matter', () => {
    const base = {
      locationId: 'L1',
      caller: { subject: 'k1', kind: 'api-key', roles: ['read', 'write'] },
      query: '{ a }',
      operationName: null,
      variables: { id: '1' },
    };
    const variants = [
      { ...base, locationId: 'L2' },
      { ...base, caller: { ...base.caller, subject: 'k2' } },
      { ...base, caller: null },
      { ...base, query: '{ b }' },
      { ...base, operationName: 'A' },
      { ...base, variables: { id: '2' } },
    ];
    const keys = new Set([base, ...variants].map(responseKey));
    expect(keys.size).toBe(variants.length + 1);
    expect(responseKey({ ...base, caller: { ...base.caller, roles: ['write', 'read'] } })).toBe(responseKey(base));
  });

  it('when a key is a search or list key, then its generation key and token are derived; otherwise none', () => {
    expect(generationOfKey(cacheKeys.search(LOCATION, 'gen:1', 'h'))).toEqual({
      key: cacheKeys.searchGeneration(LOCATION),
      token: 'gen:1',
    });
    expect(generationOfKey(cacheKeys.businessList(LOCATION, 'b1', 'g2', 'h'))).toEqual({
      key: cacheKeys.searchGeneration(LOCATION),
      token: 'g2',
    });
    expect(generationOfKey(cacheKeys.contact(LOCATION, 'c1'))).toBeNull();
  });
});
