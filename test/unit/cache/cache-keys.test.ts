import { describe, expect, it } from '@jest/globals';
import { cacheKeys, entityOfKey, locationOfKey } from '../../../src/cache/cache-keys.js';
import { hashRequest } from '../../../src/cache/request-hash.js';

describe('cache keys', () => {
  it('when two locations hold the same ids, then none of their keys collide', () => {
    const build = (locationId: string) => [
      cacheKeys.contact(locationId, 'abc'),
      cacheKeys.task(locationId, 'abc'),
      cacheKeys.note(locationId, 'abc'),
      cacheKeys.listOfContact('tasksOfContact', locationId, 'abc'),
      cacheKeys.listOfContact('notesOfContact', locationId, 'abc'),
      cacheKeys.listOfContact('appointmentsOfContact', locationId, 'abc'),
      cacheKeys.search(locationId, 'g1', 'h'),
      cacheKeys.contactList(locationId, 'g1', 'h'),
      cacheKeys.businessList(locationId, 'b', 'g1', 'h'),
      cacheKeys.searchGeneration(locationId),
    ];
    const first = build('locA');
    const second = build('locB');
    expect(new Set([...first, ...second]).size).toBe(first.length + second.length);
    expect(first.every((key) => locationOfKey(key) === 'locA')).toBe(true);
    expect(second.every((key) => locationOfKey(key) === 'locB')).toBe(true);
  });

  it('when an id contains the separator, then it cannot forge another location or entity key', () => {
    const forged = cacheKeys.contact('locA', 'x:loc:locB');
    expect(locationOfKey(forged)).toBe('locA');
    expect(forged).not.toContain(':locB');
    expect(cacheKeys.contact('loc:A', 'id')).not.toBe(cacheKeys.contact('loc', 'A:id'));
  });

  it('when a key is built, then its entity can be read back for metrics', () => {
    expect(entityOfKey(cacheKeys.listOfContact('tasksOfContact', 'l', 'c'))).toBe('tasksOfContact');
    expect(entityOfKey(cacheKeys.search('l', 'g', 'h'))).toBe('search');
    expect(entityOfKey('something-else')).toBe('unknown');
  });

  it('when a location id is empty, then building a key refuses', () => {
    expect(() => cacheKeys.contact('', 'c')).toThrow(/location id/);
  });

  it('when two requests differ only in key order, then they hash the same; otherwise not', () => {
    const a = hashRequest({
      pageLimit: 20,
      query: 'smith',
      filters: [{ field: 'tags', operator: 'eq', value: 'vip' }],
    });
    const b = hashRequest({
      filters: [{ value: 'vip', operator: 'eq', field: 'tags' }],
      query: 'smith',
      pageLimit: 20,
    });
    expect(a).toBe(b);
    expect(hashRequest({ pageLimit: 20, query: 'smith', page: undefined })).toBe(
      hashRequest({ query: 'smith', pageLimit: 20 }),
    );
    expect(hashRequest({ pageLimit: 20, query: 'smith' })).not.toBe(hashRequest({ pageLimit: 21, query: 'smith' }));
    expect(hashRequest({ sort: ['a', 'b'] })).not.toBe(hashRequest({ sort: ['b', 'a'] }));
  });
});
