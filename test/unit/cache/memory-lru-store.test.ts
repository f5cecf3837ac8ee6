import { describe, expect, it } from '@jest/globals';
import Keyv from 'keyv';
import { MemoryLruStore } from '../../../src/cache/memory-lru-store.js';
import { FakeClock } from './fakes.js';

describe('MemoryLruStore', () => {
  it('when more entries than maxEntries are set, then the least recently used are evicted', async () => {
    const store = new MemoryLruStore({ maxEntries: 3, maxBytes: 1_000_000 });
    const keyv = new Keyv(store, { namespace: 't' });
    await keyv.set('a', 1);
    await keyv.set('b', 2);
    await keyv.set('c', 3);
    // Reading "a" makes it recent, so "b" is now the least recently used.
    expect(await keyv.get('a')).toBe(1);
    await keyv.set('d', 4);
    expect(await keyv.get('b')).toBeUndefined();
    expect(await keyv.get('a')).toBe(1);
    expect(await keyv.get('c')).toBe(3);
    expect(await keyv.get('d')).toBe(4);
    expect(store.size).toMatchObject({ entries: 3, evictions: 1 });
  });

  it('when the entries exceed maxBytes, then old entries are evicted until they fit', async () => {
    const store = new MemoryLruStore({ maxEntries: 1000, maxBytes: 1000 });
    const keyv = new Keyv(store, { namespace: 't' });
    const payload = 'x'.repeat(300);
    await keyv.set('one', payload);
    await keyv.set('two', payload);
    await keyv.set('three', payload);
    expect(store.size.entries).toBe(3);
    await keyv.set('four', payload);
    expect(store.size.bytes).toBeLessThanOrEqual(1000);
    expect(await keyv.get('one')).toBeUndefined();
    expect(await keyv.get('four')).toBe(payload);
    expect(store.size.evictions).toBeGreaterThanOrEqual(1);
  });

  it('when one value is larger than maxBytes, then it is not stored and nothing else is evicted', async () => {
    const store = new MemoryLruStore({ maxEntries: 10, maxBytes: 500 });
    const keyv = new Keyv(store, { namespace: 't' });
    await keyv.set('small', 'ok');
    await keyv.set('huge', 'y'.repeat(1000));
    expect(await keyv.get('huge')).toBeUndefined();
    expect(await keyv.get('small')).toBe('ok');
  });

  it('when a key is overwritten, then its old size is released', async () => {
    const store = new MemoryLruStore({ maxEntries: 10, maxBytes: 10_000 });
    await store.set('k', 'a'.repeat(100));
    const before = store.size.bytes;
    await store.set('k', 'a'.repeat(10));
    expect(store.size.bytes).toBe(before - 90);
    await store.delete('k');
    expect(store.size).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('when an entry outlives its ttl on the store clock, then it is gone', async () => {
    const clock = new FakeClock();
    const store = new MemoryLruStore({ maxEntries: 10, maxBytes: 10_000, now: clock.now });
    await store.set('k', 'v', 1000);
    clock.advance(999);
    expect(await store.get('k')).toBe('v');
    clock.advance(1);
    expect(await store.get('k')).toBeUndefined();
    expect(store.size.entries).toBe(0);
  });

  it('when cleared, then only its own namespace goes', async () => {
    const store = new MemoryLruStore({ maxEntries: 10, maxBytes: 10_000 });
    const mine = new Keyv(store, { namespace: 'mine' });
    await mine.set('a', 1);
    await store.set('other:b', 'raw');
    await mine.clear();
    expect(await mine.get('a')).toBeUndefined();
    expect(await store.get('other:b')).toBe('raw');
  });

  it('when values are decoded on the way in, then reads share one frozen object and the byte bound counts it at twice its text', async () => {
    const store = new MemoryLruStore({
      maxEntries: 10,
      maxBytes: 10_000,
      decode: (text) => JSON.parse(text) as object,
    });
    // Keyv reads a row that is not a string as it is: no deserializer runs on the way out.
    const keyv = new Keyv(store, { namespace: 't', serialize: (data) => JSON.stringify(data) });
    await keyv.set('c', { id: 'c1', tasks: [{ id: 't1' }] });
    const first = (await keyv.get('c')) as { id: string; tasks: Array<{ id: string }> };
    const second = await keyv.get('c');
    expect(first).toEqual({ id: 'c1', tasks: [{ id: 't1' }] });
    expect(second).toBe(first);
    expect(Object.isFrozen(first.tasks[0])).toBe(true);
    expect(() => {
      (first.tasks as Array<{ id: string }>).push({ id: 't2' });
    }).toThrow(TypeError);
    const plain = new MemoryLruStore({ maxEntries: 10, maxBytes: 10_000 });
    await new Keyv(plain, { namespace: 't', serialize: (data) => JSON.stringify(data) }).set('c', {
      id: 'c1',
      tasks: [{ id: 't1' }],
    });
    const key = Buffer.byteLength('t:c');
    expect(store.size.bytes - key).toBe(2 * (plain.size.bytes - key));
    expect(await keyv.getMany(['c', 'missing'])).toEqual([first, undefined]);
  });
});
