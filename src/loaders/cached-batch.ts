/**
 * The shared cache under the DataLoaders (docs/style.md rule 8): a batch function's keys are read from
 * the shared cache first (one getMany), and only the misses go to the upstream batch function,
 * through the cache's single-flight (identical loads in flight from other requests are joined,
 * not repeated). Per key the DataLoader contract holds: a value, or an Error for that key.
 *
 * Upstream failures stay with their key, for this request and every one that joined the load: a
 * key that failed retryably (rate limited, unavailable, timeout) is answered with its stale copy
 * when the cache has one, else with its error, while the keys of the same batch that did load
 * are stored and answered; a key that failed otherwise keeps its own Error (NotFound also
 * evicts its cached copy). One hung contact never fails its neighbours' fields.
 * In cache-only admission mode misses never reach upstream: they fail RATE_LIMITED (or are
 * answered stale); in partial mode only as many as the request's grant allows do.
 */
import type { LoadMissing, ReadResult } from '../cache/read-through.js';
import type { ResponseDependencies } from '../cache/response-dependencies.js';
import type { SharedCache } from '../cache/shared-cache.js';
import { GhlNotFoundError } from '../ghl/errors.js';
import type { CallOptions, Lane } from '../ghl/ghl-api.js';
import type { RequestAdmission } from './request-admission.js';

export interface CacheLayer {
  cache: SharedCache;
  admission: RequestAdmission;
  /** Records what this request's response is built from, when it may be reused whole (response-cache.ts). */
  dependencies?: ResponseDependencies;
}

/** The upstream batch: one result per key, in key order; `lane` is background for revalidation. */
type UpstreamBatch<K, V> = (keys: readonly K[], lane: Lane) => Promise<Array<V | Error>>;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Wraps `upstream` with read-through; without a cache layer it is returned as is (lane interactive). */
export function cachedBatch<K, V>(
  layer: CacheLayer | undefined,
  options: {
    cacheKey: (key: K) => string;
    ttlMs: number;
    endpoint: string;
    /** How many keys one upstream call answers (a batched endpoint), for partial admission; default 1. */
    keysPerCall?: number;
  },
  upstream: UpstreamBatch<K, V>,
): (keys: readonly K[]) => Promise<Array<V | Error>> {
  if (layer === undefined) return (keys) => upstream(keys, 'interactive');
  const { cache, admission } = layer;
  return async (keys) => {
    const cacheKeys = keys.map(options.cacheKey);
    const byCacheKey = new Map(cacheKeys.map((cacheKey, index) => [cacheKey, keys[index] as K]));
    // Every key's own answer, errors included: they travel with the key to every request that
    // joined this load (a joiner must see the 401 this load met, not a missing value).
    const loadMissing: LoadMissing<V> = async (missing, context) => {
      admission.guardUpstream(options.endpoint);
      const wanted = missing.map((cacheKey) => byCacheKey.get(cacheKey) as K);
      const answers = await upstream(wanted, context.lane);
      return new Map(missing.map((cacheKey, index) => [cacheKey, answers[index] as V | Error]));
    };
    const results =
      admission.mode === 'partial'
        ? await readWithinGrant(
            layer,
            cacheKeys,
            options.ttlMs,
            options.endpoint,
            options.keysPerCall ?? 1,
            loadMissing,
          )
        : await cache.readThroughMany<V>(cacheKeys, options.ttlMs, loadMissing);
    results.forEach((result, index) => layer.dependencies?.noteRead(cacheKeys[index] ?? '', result));
    return results.map((result) => settle(result, admission, options.endpoint));
  };
}

/**
 * Partial admission: the keys the cache cannot answer are loaded only as far as the request's
 * grant reaches; the others are read as in cache-only mode (a stale copy, or RATE_LIMITED).
 */
async function readWithinGrant<V>(
  layer: CacheLayer,
  cacheKeys: readonly string[],
  ttlMs: number,
  endpoint: string,
  keysPerCall: number,
  loadMissing: LoadMissing<V>,
): Promise<Array<ReadResult<V> | Error | undefined>> {
  const { cache, admission } = layer;
  const freshness = await cache.peekMany(cacheKeys);
  const uncached = cacheKeys.filter((_key, index) => freshness[index] !== 'fresh' && freshness[index] !== 'grace');
  const refused = new Set(uncached.slice(admission.grantKeys(uncached.length, keysPerCall)));
  if (refused.size === 0) return cache.readThroughMany<V>(cacheKeys, ttlMs, loadMissing);
  const sent = cacheKeys.filter((key) => !refused.has(key));
  const notSent = [...refused];
  const [sentResults, notSentResults] = await Promise.all([
    cache.readThroughMany<V>(sent, ttlMs, loadMissing),
    cache.readThroughMany<V>(notSent, ttlMs, async () => {
      throw admission.refusal(endpoint);
    }),
  ]);
  const byKey = new Map<string, ReadResult<V> | Error | undefined>();
  sent.forEach((key, index) => byKey.set(key, sentResults[index]));
  notSent.forEach((key, index) => byKey.set(key, notSentResults[index]));
  return cacheKeys.map((key) => byKey.get(key));
}

function settle<V>(
  result: ReadResult<V> | Error | undefined,
  admission: RequestAdmission,
  endpoint: string,
): V | Error {
  if (result instanceof Error) return result;
  if (result === undefined) return new GhlNotFoundError(endpoint, `Not found upstream (${endpoint})`);
  if (result.stale) admission.noteStale(result.ageMs);
  return result.value;
}

/** Single read-through (searches, pages) with the same admission and stale reporting. */
export async function cachedRead<V>(
  layer: CacheLayer | undefined,
  options: { cacheKey: string; ttlMs: number; endpoint: string },
  upstream: (lane: Lane) => Promise<V>,
): Promise<V> {
  if (layer === undefined) return upstream('interactive');
  const { cache, admission } = layer;
  try {
    const result = await cache.readThrough(options.cacheKey, options.ttlMs, async (context) => {
      // Refused in cache-only mode, or in partial mode once the grant is spent.
      if (admission.grantKeys(1) === 0) throw admission.refusal(options.endpoint);
      return upstream(context.lane);
    });
    layer.dependencies?.noteRead(options.cacheKey, result);
    if (result.stale) admission.noteStale(result.ageMs);
    return result.value;
  } catch (error) {
    layer.dependencies?.spoil('a read failed');
    throw asError(error);
  }
}

/** CallOptions for a lane: revalidation in the background must not take the interactive share. */
export function withLane(options: CallOptions, lane: Lane): CallOptions {
  return lane === options.lane ? options : { ...options, lane };
}
