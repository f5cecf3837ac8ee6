import { NOTES, TASKS } from '../../../src/entities/contact-lists.js';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createCache } from '../../../src/cache/cache-factory.js';
import type { SharedCache } from '../../../src/cache/shared-cache.js';
import { recordingLogger, ScriptedLoader } from './fakes.js';

const TTL = 60_000;
const L = 'loc1';

describe('invalidation', () => {
  let cache: SharedCache;
  afterEach(async () => cache.close());

  /** Reads through `key` with a loader that must not run: true when the value came from the cache. */
  async function cached(key: string): Promise<boolean> {
    const result = await cache.readThrough(key, TTL, async () => 'reloaded');
    return result.fromCache;
  }

  it('when a contact is invalidated, then its entity, every per-contact list (one per descriptor), their tasks and notes, and every search of its location are dropped', async () => {
    cache = await createCache('memory://', { logger: recordingLogger().logger });
    const search = { query: 'smith', pageLimit: 20 };
    await cache.readThrough(cache.keys.contact(L, 'c1'), TTL, async () => ({ id: 'c1' }));
    await cache.readThrough(cache.keys.listOfContact('tasksOfContact', L, 'c1'), TTL, async () => [
      { id: 't1', title: 'call' },
      { id: 't2', title: 'visit' },
    ]);
    await cache.readThrough(cache.keys.listOfContact('notesOfContact', L, 'c1'), TTL, async () => [
      { id: 'n1', body: 'hi' },
    ]);
    await cache.readThrough(cache.keys.listOfContact('appointmentsOfContact', L, 'c1'), TTL, async () => []);
    await cache.readThrough(cache.keys.task(L, 't1'), TTL, async () => ({ id: 't1' }));
    await cache.readThrough(cache.keys.note(L, 'n1'), TTL, async () => ({ id: 'n1' }));
    const searchKey = await cache.searchKey(L, search);
    await cache.readThrough(searchKey, TTL, async () => ({ contacts: ['c1'], total: 1 }));
    const businessKey = await cache.businessListKey(L, 'b1', { limit: 25 });
    await cache.readThrough(businessKey, TTL, async () => ({ contacts: [], count: 0 }));
    // Unrelated: another contact, and the same contact id in another location.
    await cache.readThrough(cache.keys.contact(L, 'c2'), TTL, async () => ({ id: 'c2' }));
    await cache.readThrough(cache.keys.contact('loc2', 'c1'), TTL, async () => ({ id: 'c1' }));
    const otherSearchKey = await cache.searchKey('loc2', search);
    await cache.readThrough(otherSearchKey, TTL, async () => ({ contacts: [], total: 0 }));

    const report = await cache.invalidateContact(L, 'c1');

    expect(report.evicted).toEqual([
      cache.keys.contact(L, 'c1'),
      cache.keys.listOfContact('tasksOfContact', L, 'c1'),
      cache.keys.listOfContact('notesOfContact', L, 'c1'),
      cache.keys.listOfContact('appointmentsOfContact', L, 'c1'),
      cache.keys.listOfContact('opportunitiesOfContact', L, 'c1'),
      cache.keys.task(L, 't1'),
      cache.keys.task(L, 't2'),
      cache.keys.note(L, 'n1'),
    ]);
    for (const key of report.evicted) expect(await cached(key)).toBe(false);
    // Searches: the location's generation changed, so the same request now has a new key, not cached.
    const newSearchKey = await cache.searchKey(L, search);
    expect(newSearchKey).not.toBe(searchKey);
    expect(await cached(newSearchKey)).toBe(false);
    expect(await cached(await cache.businessListKey(L, 'b1', { limit: 25 }))).toBe(false);
    // Untouched: the other contact, the other location's contact and its searches.
    expect(await cached(cache.keys.contact(L, 'c2'))).toBe(true);
    expect(await cached(cache.keys.contact('loc2', 'c1'))).toBe(true);
    expect(await cache.searchKey('loc2', search)).toBe(otherSearchKey);
    expect(await cached(otherSearchKey)).toBe(true);
  });

  it('when the same search is repeated without invalidation, then it keeps its key and is served from the cache', async () => {
    cache = await createCache('memory://', { logger: recordingLogger().logger });
    const first = await cache.searchKey(L, { query: 'a', pageLimit: 10 });
    await cache.readThrough(first, TTL, async () => 'page');
    expect(await cache.searchKey(L, { pageLimit: 10, query: 'a' })).toBe(first);
    expect(await cached(first)).toBe(true);
  });

  it('when the search generation is evicted by the LRU, then old searches are not revived', async () => {
    cache = await createCache('memory://?maxEntries=3', { logger: recordingLogger().logger });
    const before = await cache.searchKey(L, { query: 'a' });
    await cache.readThrough(before, TTL, async () => 'page');
    // Push the generation (and the page) out of the 3-entry LRU.
    for (const id of ['x', 'y', 'z']) await cache.readThrough(cache.keys.contact(L, id), TTL, async () => id);
    expect(await cache.searchKey(L, { query: 'a' })).not.toBe(before);
  });

  it('when a task is invalidated, then the task and its contact task list are dropped, and nothing else', async () => {
    cache = await createCache('memory://', { logger: recordingLogger().logger });
    await cache.readThrough(cache.keys.task(L, 't1'), TTL, async () => ({ id: 't1' }));
    await cache.readThrough(cache.keys.listOfContact('tasksOfContact', L, 'c1'), TTL, async () => [{ id: 't1' }]);
    await cache.readThrough(cache.keys.contact(L, 'c1'), TTL, async () => ({ id: 'c1' }));
    const searchKey = await cache.searchKey(L, { q: 1 });

    const report = await cache.invalidateList(L, 'c1', TASKS, 't1');
    expect(report).toEqual({
      evicted: [cache.keys.task(L, 't1'), cache.keys.listOfContact('tasksOfContact', L, 'c1')],
      searchGeneration: null,
    });
    expect(await cached(cache.keys.task(L, 't1'))).toBe(false);
    expect(await cached(cache.keys.listOfContact('tasksOfContact', L, 'c1'))).toBe(false);
    expect(await cached(cache.keys.contact(L, 'c1'))).toBe(true);
    expect(await cache.searchKey(L, { q: 1 })).toBe(searchKey);
  });

  it('when a note is invalidated, then the note and its contact note list are dropped', async () => {
    cache = await createCache('memory://', { logger: recordingLogger().logger });
    await cache.readThrough(cache.keys.note(L, 'n1'), TTL, async () => ({ id: 'n1' }));
    await cache.readThrough(cache.keys.listOfContact('notesOfContact', L, 'c1'), TTL, async () => [{ id: 'n1' }]);
    await cache.readThrough(cache.keys.listOfContact('notesOfContact', L, 'c2'), TTL, async () => []);
    await cache.invalidateList(L, 'c1', NOTES, 'n1');
    expect(await cached(cache.keys.note(L, 'n1'))).toBe(false);
    expect(await cached(cache.keys.listOfContact('notesOfContact', L, 'c1'))).toBe(false);
    expect(await cached(cache.keys.listOfContact('notesOfContact', L, 'c2'))).toBe(true);
  });

  it('when a contact is invalidated while its load is in flight, then that pre-mutation result is not stored', async () => {
    cache = await createCache('memory://', { logger: recordingLogger().logger });
    const key = cache.keys.contact(L, 'c1');
    const loader = new ScriptedLoader('before-update');
    const release = loader.hold();
    const read = cache.readThrough(key, TTL, loader.load);
    await new Promise((resolve) => setImmediate(resolve));
    await cache.invalidateContact(L, 'c1');
    release();
    expect((await read).value).toBe('before-update');
    loader.returns('after-update');
    expect(await cache.readThrough(key, TTL, loader.load)).toMatchObject({ value: 'after-update', fromCache: false });
  });
});
