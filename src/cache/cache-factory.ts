/**
 * createCache: CACHE_URL → a ready SharedCache over the right keyv store.
 *   memory://  MemoryLruStore (this process only)
 *   sqlite://  SqliteStore over better-sqlite3 (survives restarts)
 *   redis://   RedisStore over ioredis (redis-store.ts), tuned to fail fast: no offline queue (a
 *              command while disconnected fails at once instead of waiting for a reconnect),
 *              bounded connect timeout, capped reconnect backoff. The client keeps reconnecting
 *              in the background; the resilient store notices when it answers again.
 * Every store sits behind ResilientStore, so a store failure never fails a request. The sqlite
 * and redis stores (and their drivers) are imported only when CACHE_URL names them: a process
 * keeps in memory only the code its configuration runs.
 */
import Keyv, { type DeserializedData, type Deserialize, type Serialize } from 'keyv';
import type { Config } from '../config.js';
import { CacheStats, type CacheEventListener } from './cache-stats.js';
import { resolveTtls, type CacheTtlOverrides } from './cache-ttls.js';
import { parseCacheUrl, redactUrl } from './cache-url.js';
import { CacheInvalidation } from './invalidation.js';
import { MemoryLruStore } from './memory-lru-store.js';
import { ReadThrough } from './read-through.js';
import { CacheValueError, ResilientStore, type CacheLogger } from './resilient-store.js';
import { SearchGenerations } from './search-generation.js';
import { SharedCache } from './shared-cache.js';

export interface CreateCacheOptions {
  logger: CacheLogger;
  /** Per-kind TTL overrides (CACHE_TTLS); the rest keep their defaults. */
  ttls?: CacheTtlOverrides;
  /** CACHE_STALE_GRACE_MS: how long past its TTL a value is served while refreshed in the background. */
  graceMs?: number;
  /** CACHE_MAX_STALE_MS: how long past its TTL a value may stand in when upstream fails retryably. */
  maxStaleMs?: number;
  /** CACHE_OP_TIMEOUT_MS: the longest one store operation may take before the request goes on without it. */
  opTimeoutMs?: number;
  /** How often a down store is probed. */
  probeIntervalMs?: number;
  /** How long start-up waits for the first Redis connection before starting with the cache down. */
  connectWaitMs?: number;
  /** Prefix of every key in the store; tests use a random one so parallel runs never collide. */
  namespace?: string;
  /** The clock of freshness decisions (tests inject a fake). */
  now?: () => number;
  /** Called for every cache event (metrics). */
  onEvent?: CacheEventListener;
}

const CACHE_DEFAULTS = {
  graceMs: 60_000,
  maxStaleMs: 60 * 60_000,
  opTimeoutMs: 150,
  probeIntervalMs: 1_000,
  connectWaitMs: 2_000,
  namespace: 'ghlgw',
} as const;

/**
 * Plain JSON in and out. Keyv's default serializer walks values by hand and revives with a
 * per-string callback (to carry Buffers), several times slower on every hit; cached values
 * here are JSON data by design (domain types hold ISO strings, never Buffers or Dates).
 * Every replica sharing a Redis must use the same format: it is fixed here, not configurable.
 */
const serialize: Serialize = (data) => {
  try {
    return JSON.stringify(data);
  } catch (error) {
    throw new CacheValueError(`not JSON-serializable: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
};
const deserialize: Deserialize = <Value>(text: string) => {
  const parsed: unknown = JSON.parse(text);
  // Keyv needs {value, expires}; the value itself is checked by the read-through layer (parseEntry).
  return parsed !== null && typeof parsed === 'object' ? (parsed as DeserializedData<Value>) : undefined;
};
const jsonSerialization = { serialize, deserialize };

interface OpenedStore {
  keyv: Keyv;
  dispose: () => Promise<void>;
  /** Set when the store could not be reached at start. */
  startupError: unknown;
}

async function openRedis(
  url: string,
  namespace: string,
  opTimeoutMs: number,
  connectWaitMs: number,
): Promise<OpenedStore> {
  const { RedisStore } = await import('./redis-store.js');
  const store = new RedisStore({ url, namespace, connectTimeoutMs: Math.max(opTimeoutMs, 1_000) });
  // The store prefixes its keys itself (`<namespace>::<key>`), so keyv must not prefix them again.
  const keyv = new Keyv(store, { namespace, useKeyPrefix: false, throwOnErrors: true, ...jsonSerialization });
  const startupError = await store.connect(connectWaitMs);
  return { keyv, startupError, dispose: () => store.disconnect() };
}

export async function createCache(cacheUrl: string, options: CreateCacheOptions): Promise<SharedCache> {
  const parsed = parseCacheUrl(cacheUrl);
  const now = options.now ?? Date.now;
  const namespace = options.namespace ?? CACHE_DEFAULTS.namespace;
  const opTimeoutMs = options.opTimeoutMs ?? CACHE_DEFAULTS.opTimeoutMs;
  const stats = new CacheStats(options.onEvent);

  let opened: OpenedStore;
  if (parsed.kind === 'memory') {
    // Parsed once on the way in: keyv reads a non-string row back as it is, without deserializing.
    const decode = (text: string): object | undefined => {
      try {
        return deserialize(text) as object | undefined;
      } catch {
        return undefined;
      }
    };
    const store = new MemoryLruStore({ maxEntries: parsed.maxEntries, maxBytes: parsed.maxBytes, now, decode });
    opened = {
      keyv: new Keyv(store, { namespace, throwOnErrors: true, ...jsonSerialization }),
      dispose: () => store.disconnect(),
      startupError: null,
    };
  } else if (parsed.kind === 'sqlite') {
    const { SqliteStore } = await import('./sqlite-store.js');
    const store = new SqliteStore({ path: parsed.path, purgeIntervalMs: parsed.purgeIntervalMs, now });
    opened = {
      keyv: new Keyv(store, { namespace, throwOnErrors: true, ...jsonSerialization }),
      dispose: () => store.disconnect(),
      startupError: null,
    };
  } else {
    opened = await openRedis(parsed.url, namespace, opTimeoutMs, options.connectWaitMs ?? CACHE_DEFAULTS.connectWaitMs);
  }

  const store = new ResilientStore(opened.keyv, {
    logger: options.logger,
    stats,
    label: parsed.kind === 'redis' ? redactUrl(parsed.url) : `${parsed.kind}://`,
    opTimeoutMs,
    probeIntervalMs: options.probeIntervalMs ?? CACHE_DEFAULTS.probeIntervalMs,
    dispose: opened.dispose,
    now,
    local: parsed.kind === 'memory',
  });
  if (opened.startupError !== null) store.reportUnavailable(opened.startupError);

  const reader = new ReadThrough({
    store,
    stats,
    logger: options.logger,
    now,
    graceMs: options.graceMs ?? CACHE_DEFAULTS.graceMs,
    maxStaleMs: options.maxStaleMs ?? CACHE_DEFAULTS.maxStaleMs,
  });
  const generations = new SearchGenerations(store);
  const invalidation = new CacheInvalidation(store, generations, reader);
  return new SharedCache(resolveTtls(options.ttls), stats, store, reader, generations, invalidation);
}

/** The CACHE_* settings of the parsed config as createCache options: `createCache(config.CACHE_URL, cacheOptionsFromConfig(config, logger))`. */
export function cacheOptionsFromConfig(
  config: Pick<Config, 'CACHE_TTLS' | 'CACHE_STALE_GRACE_MS' | 'CACHE_MAX_STALE_MS' | 'CACHE_OP_TIMEOUT_MS'>,
  logger: CacheLogger,
  onEvent?: CacheEventListener,
): CreateCacheOptions {
  return {
    logger,
    ttls: config.CACHE_TTLS,
    graceMs: config.CACHE_STALE_GRACE_MS,
    maxStaleMs: config.CACHE_MAX_STALE_MS,
    opTimeoutMs: config.CACHE_OP_TIMEOUT_MS,
    ...(onEvent === undefined ? {} : { onEvent }),
  };
}
