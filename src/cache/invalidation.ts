/**
 * What a mutation or webhook evicts. Each helper returns the keys it deleted (for logs and
 * tests). Deletes go through the resilient store: if the store is down they are skipped, and
 * entries written before the outage can be served until their TTL after it comes back.
 *
 * invalidateContact(L, C) evicts:
 *   contact(L, C); every per-contact list of C (one per descriptor in src/entities/contact-lists.ts);
 *   for lists whose items are also cached by id (tasks, notes), every item in the cached list;
 *   and bumps L's search generation, which drops every cached search, contact list and business
 *   list of L (one of them may include C).
 * invalidateList(L, C, list, itemId?): the list of C and, where its items are cached by id, that item.
 * invalidateSearches(L):     bumps L's search generation only (e.g. a contact was created).
 */
import { z } from 'zod';
import { CONTACT_LISTS, type AnyContactList } from '../entities/contact-lists.js';
import { CacheEntrySchema } from './cache-entry.js';
import { cacheKeys } from './cache-keys.js';
import type { ReadThrough } from './read-through.js';
import type { ResilientStore } from './resilient-store.js';
import type { SearchGenerations } from './search-generation.js';

export interface InvalidationReport {
  evicted: string[];
  /** The location's new search generation, when searches were dropped. */
  searchGeneration: string | null;
}

const ListOfIdsSchema = z.array(z.looseObject({ id: z.string() }));

/** Ids in a cached list envelope; nothing when the key holds no (valid) list. */
function idsInCachedList(raw: unknown): string[] {
  const entry = CacheEntrySchema.safeParse(raw);
  if (!entry.success) return [];
  const list = ListOfIdsSchema.safeParse(entry.data.value);
  return list.success ? list.data.map((item) => item.id) : [];
}

function itemKey(list: AnyContactList, locationId: string, itemId: string): string | null {
  if (!('itemCacheEntity' in list) || list.itemCacheEntity === undefined) return null;
  return list.itemCacheEntity === 'task' ? cacheKeys.task(locationId, itemId) : cacheKeys.note(locationId, itemId);
}

export class CacheInvalidation {
  constructor(
    private readonly store: ResilientStore,
    private readonly generations: SearchGenerations,
    private readonly readThrough: ReadThrough,
  ) {}

  async invalidateContact(locationId: string, contactId: string): Promise<InvalidationReport> {
    const listKeys = CONTACT_LISTS.map((list) => cacheKeys.listOfContact(list.cacheEntity, locationId, contactId));
    const cached = await this.store.getMany(listKeys);
    const itemKeys = CONTACT_LISTS.flatMap((list, index) =>
      idsInCachedList(cached[index]).flatMap((itemId) => itemKey(list, locationId, itemId) ?? []),
    );
    const evicted = [cacheKeys.contact(locationId, contactId), ...listKeys, ...itemKeys];
    await this.evict(evicted);
    const searchGeneration = await this.generations.bump(locationId);
    return { evicted, searchGeneration };
  }

  async invalidateList(
    locationId: string,
    contactId: string,
    list: AnyContactList,
    itemId?: string,
  ): Promise<InvalidationReport> {
    const item = itemId === undefined ? null : itemKey(list, locationId, itemId);
    const evicted = [
      ...(item === null ? [] : [item]),
      cacheKeys.listOfContact(list.cacheEntity, locationId, contactId),
    ];
    await this.evict(evicted);
    return { evicted, searchGeneration: null };
  }

  async invalidateSearches(locationId: string): Promise<InvalidationReport> {
    return { evicted: [], searchGeneration: await this.generations.bump(locationId) };
  }

  private async evict(keys: string[]): Promise<void> {
    this.readThrough.forgetInFlight(keys);
    await this.store.deleteMany(keys);
  }
}
