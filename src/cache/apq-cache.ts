/**
 * Apollo's automatic persisted queries (APQ) kept in the shared cache store, so a hash one
 * replica learnt is known to all (Apollo's default is a per-process LRU: behind a load balancer a
 * client would register its query once per replica). Apollo prefixes its keys with `apq:`; this
 * adds the gateway's own namespace. Values are query texts (strings); anything else reads as a
 * miss. Apollo registers a text only after it parsed, validated and passed every limit, and the
 * store's TTL ends it (APQ_TTL_MS), so registrations cannot fill the store for ever.
 */
import type { SharedCache } from './shared-cache.js';

/** The subset of Apollo's KeyValueCache<string> its persisted-query support calls. */
interface ApqStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

const NAMESPACE = 'gw:';

export function apqStore(cache: Pick<SharedCache, 'getPlain' | 'setPlain' | 'deletePlain'>, ttlMs: number): ApqStore {
  return {
    async get(key) {
      const value = await cache.getPlain(NAMESPACE + key);
      return typeof value === 'string' ? value : undefined;
    },
    async set(key, value, options) {
      // Apollo's ttl is in seconds; the gateway's APQ_TTL_MS when Apollo gives none.
      const ttl = options?.ttl;
      await cache.setPlain(NAMESPACE + key, value, typeof ttl === 'number' && ttl > 0 ? ttl * 1000 : ttlMs);
    },
    async delete(key) {
      await cache.deletePlain(NAMESPACE + key);
    },
  };
}
