/**
 * The shared cache as the rest of the gateway uses it (built by `createCache`): read-through
 * helpers, key builders that need the search generation, invalidation, stats and health.
 */
import type { AnyContactList } from '../entities/contact-lists.js';
import type { Freshness } from './cache-entry.js';
import { cacheKeys } from './cache-keys.js';
import type { CacheStats } from './cache-stats.js';
import type { CacheTtls } from './cache-ttls.js';
import type { CacheInvalidation, InvalidationReport } from './invalidation.js';
import type { LoadMissing, Loader, ReadResult, ReadThrough, ReadThroughOptions } from './read-through.js';
import { hashRequest } from './request-hash.js';
import type { CacheHealth, ResilientStore } from './resilient-store.js';
import type { ResponseDependency } from './response-dependencies.js';
import type { SearchGenerations } from './search-generation.js';

export class SharedCache {
  /** Key builders for entities and per-contact lists (searches and lists: use the async *Key methods below). */
  readonly keys = cacheKeys;

  constructor(
    /** Freshness per entity kind (ms): pass e.g. `cache.ttls.contact` as `ttlMs`. */
    readonly ttls: CacheTtls,
    readonly stats: CacheStats,
    private readonly store: ResilientStore,
    private readonly reader: ReadThrough,
    private readonly generations: SearchGenerations,
    private readonly invalidation: CacheInvalidation,
  ) {}

  readThrough<T>(
    key: string,
    ttlMs: number,
    loader: Loader<T>,
    options?: ReadThroughOptions<T>,
  ): Promise<ReadResult<T>> {
    return this.reader.readThrough(key, ttlMs, loader, options);
  }

  readThroughMany<T>(
    keys: readonly string[],
    ttlMs: number,
    loadMissing: LoadMissing<T>,
    options?: ReadThroughOptions<T>,
  ): Promise<Array<ReadResult<T> | Error | undefined>> {
    return this.reader.readThroughMany(keys, ttlMs, loadMissing, options);
  }

  /** Freshness of each key's cached value without loading ("fresh" and "grace" cost no interactive call). */
  peekMany(keys: readonly string[]): Promise<Array<Freshness | 'absent'>> {
    return this.reader.peekMany(keys);
  }

  /** Until when every value a cached response was built from stays unchanged and fresh; null: not now (response-cache.ts). */
  stillCurrent(dependencies: readonly ResponseDependency[]): Promise<number | null> {
    return this.reader.stillCurrent(dependencies);
  }

  /** Writes so far when only this process writes the store (memory://), else null. */
  get localWrites(): number | null {
    return this.reader.localWrites;
  }

  /** Stores a value known to be current (e.g. what a mutation returned), after invalidating. */
  prime<T>(key: string, ttlMs: number, value: T): Promise<void> {
    return this.reader.prime(key, ttlMs, value);
  }

  /** Key of a POST /contacts/search request (any JSON-able request object; key order does not matter). */
  async searchKey(locationId: string, request: unknown): Promise<string> {
    return cacheKeys.search(locationId, await this.generations.current(locationId), hashRequest(request));
  }

  /** Key of a GET /contacts/ page. */
  async contactListKey(locationId: string, request: unknown): Promise<string> {
    return cacheKeys.contactList(locationId, await this.generations.current(locationId), hashRequest(request));
  }

  /** Key of a GET /contacts/business/{businessId} page. */
  async businessListKey(locationId: string, businessId: string, request: unknown): Promise<string> {
    return cacheKeys.businessList(
      locationId,
      businessId,
      await this.generations.current(locationId),
      hashRequest(request),
    );
  }

  /**
   * A value kept in the store beside the entities but outside the read-through protocol (no
   * freshness, versions or invalidation), e.g. automatically persisted query texts: only the
   * store's TTL ends it. Bounded by the same operation timeout; a store that is down reads as absent.
   */
  getPlain(key: string): Promise<unknown> {
    return this.store.get(key);
  }

  setPlain(key: string, value: unknown, ttlMs?: number): Promise<void> {
    return this.store.set(key, value, ttlMs);
  }

  deletePlain(key: string): Promise<void> {
    return this.store.delete(key);
  }

  /** See invalidation.ts for exactly what each of these evicts. */
  invalidateContact(locationId: string, contactId: string): Promise<InvalidationReport> {
    return this.invalidation.invalidateContact(locationId, contactId);
  }

  /** One contact's list of a kind (and its item, where items are cached by id). */
  invalidateList(
    locationId: string,
    contactId: string,
    list: AnyContactList,
    itemId?: string,
  ): Promise<InvalidationReport> {
    return this.invalidation.invalidateList(locationId, contactId, list, itemId);
  }

  invalidateSearches(locationId: string): Promise<InvalidationReport> {
    return this.invalidation.invalidateSearches(locationId);
  }

  /** Whether the store answers (for /health): "down" means requests go straight upstream. */
  health(): CacheHealth {
    return this.store.health();
  }

  /** Resolves when background refreshes started so far are done. */
  idle(): Promise<void> {
    return this.reader.idle();
  }

  /** Waits for background refreshes, then closes the store's connection or file. */
  async close(): Promise<void> {
    await this.reader.idle();
    await this.store.close();
  }
}
