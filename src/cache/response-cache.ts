/**
 * Whole GraphQL responses, reused while everything they were built from is unchanged.
 *
 * The entity cache saves upstream calls; a warm query still pays for GraphQL execution (the
 * loaders, the plugins, serialization), which is most of what a cached read costs. This cache
 * keeps, per (location, caller, operation text, variables), the response's `data` as JSON and
 * the versions of the cached values it came from (response-dependencies.ts). A lookup checks
 * those versions in one getMany against the shared store: any value evicted, replaced or past
 * its TTL (a mutation, a webhook, another replica's write) and the response is executed again.
 * So a reused response is never staler than what the entity cache would answer, on one replica
 * or many, and nothing else has to be invalidated. On memory:// (a store no other process
 * writes) the check is skipped while the store has seen no write since the last one and no
 * dependency's TTL has run out: then nothing can have changed.
 *
 * Held in this process only (bounded LRU): a response is cheap to rebuild from the shared cache.
 */
import { BoundedLru } from './bounded-lru.js';
import type { CacheStats } from './cache-stats.js';
import type { ResponseDependency } from './response-dependencies.js';
import type { SharedCache } from './shared-cache.js';

interface CachedResponse {
  dataJson: string;
  /** The operation's name as Apollo resolved it, so a reuse is recorded under the same name. */
  operationName: string | null;
  dependencies: ResponseDependency[];
  storedAt: number;
  /**
   * Set by a successful check on a store only this process writes: the store's write count then,
   * and the first TTL of a dependency to run out. While neither moved, nothing it was built from
   * can have changed, so the check need not be repeated.
   */
  checked: { atWrites: number; freshUntil: number } | null;
}

interface ResponseCacheOptions {
  /** RESPONSE_CACHE_MAX_ENTRIES. */
  maxEntries: number;
  /** RESPONSE_CACHE_MAX_BYTES: the whole cache's budget. */
  maxBytes: number;
  /** A larger response is not kept (default: a sixteenth of maxBytes), so one page cannot flush the rest. */
  maxResponseBytes?: number;
  now?: () => number;
}

/** Who asks for what: two requests share a response only when all of this is equal. */
interface ResponseKeyParts {
  locationId: string;
  /** The caller's subject, kind and roles; null where no client auth runs. */
  caller: { subject: string; kind: string; roles: readonly string[] } | null;
  query: string;
  operationName: string | null;
  variables: Record<string, unknown> | null;
}

export function responseKey(parts: ResponseKeyParts): string {
  const caller =
    parts.caller === null ? null : [parts.caller.kind, parts.caller.subject, [...parts.caller.roles].sort()];
  return JSON.stringify([parts.locationId, caller, parts.operationName, parts.query, parts.variables ?? {}]);
}

export class ResponseCache {
  private readonly lru: BoundedLru<CachedResponse>;
  private readonly now: () => number;
  private readonly maxResponseBytes: number;

  constructor(
    private readonly cache: SharedCache,
    options: ResponseCacheOptions,
    private readonly stats: CacheStats = cache.stats,
  ) {
    this.now = options.now ?? Date.now;
    this.lru = new BoundedLru<CachedResponse>({
      maxEntries: options.maxEntries,
      maxBytes: options.maxBytes,
      now: this.now,
    });
    this.maxResponseBytes = options.maxResponseBytes ?? Math.floor(options.maxBytes / 16);
  }

  get size(): { entries: number; bytes: number; evictions: number } {
    return this.lru.size;
  }

  /** The response's data (JSON) and age when all it was built from is unchanged; null otherwise. */
  async lookup(key: string): Promise<{ dataJson: string; ageMs: number; operationName: string | null } | null> {
    const cached = this.lru.get(key);
    if (cached === undefined) {
      this.stats.record('miss', 'response');
      return null;
    }
    const writes = this.cache.localWrites;
    const unchanged =
      cached.checked !== null && writes === cached.checked.atWrites && this.now() < cached.checked.freshUntil;
    if (!unchanged) {
      const freshUntil = await this.cache.stillCurrent(cached.dependencies);
      if (freshUntil === null) {
        // Only drop what we checked: a newer response may have replaced it meanwhile.
        if (this.lru.get(key) === cached) this.lru.delete(key);
        this.stats.record('outdated', 'response');
        return null;
      }
      // Writes counted before the check: one landing during it makes the next lookup check again.
      cached.checked = writes === null ? null : { atWrites: writes, freshUntil };
    }
    this.stats.record('hit', 'response');
    return { dataJson: cached.dataJson, ageMs: this.now() - cached.storedAt, operationName: cached.operationName };
  }

  /** Keeps a response's data; false when it is too large to keep. */
  store(key: string, data: unknown, dependencies: ResponseDependency[], operationName: string | null = null): boolean {
    const dataJson = JSON.stringify(data);
    // UTF-16 in memory: two bytes a character, plus the dependency keys.
    const bytes =
      2 *
      (key.length + dataJson.length + dependencies.reduce((sum, dependency) => sum + dependency.key.length + 24, 0));
    if (bytes > this.maxResponseBytes) return false;
    return this.lru.set(key, { dataJson, operationName, dependencies, storedAt: this.now(), checked: null }, bytes);
  }

  clear(): void {
    this.lru.clear();
  }
}
