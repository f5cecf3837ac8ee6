/**
 * The shared cache under the DataLoaders (STYLE rule 8): a batch function's keys are read from
 * the shared cache first (one getMany), and only the misses go to the upstream batch function,
 * through the cache's single-flight (identical loads in flight from other requests are joined,
 * not repeated). Per key the DataLoader contract holds: a value, or an Error for that key.
 *
 * Upstream failures: when any missed key failed retryably (rate limited, unavailable, timeout),
 * the whole load counts as failed so the cache can stand in with stale copies (serve-stale);
 * the keys that did load are still stored for the next request. A key that failed otherwise
 * (NotFound, missing scope…) keeps its own Error and only its own cached copy is evicted.
 * In cache-only admission mode misses never reach upstream: they fail RATE_LIMITED (or are
 * answered stale).
 */
import type { ReadResult } from '../cache/read-through.js';
import { isServeStaleFailure } from '../cache/read-through.js';
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
export type UpstreamBatch<K, V> = (keys: readonly K[], lane: Lane) => Promise<Array<V | Error>>;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Wraps `upstream` with read-through; without a cache layer it is returned as is (lane interactive). */
export function cachedBatch<K, V>(
  layer: CacheLayer | undefined,
  options: { cacheKey: (key: K) => string; ttlMs: number; endpoint: string },
  upstream: UpstreamBatch<K, V>,
): (keys: readonly K[]) => Promise<Array<V | Error>> {
  if (layer === undefined) return (keys) => upstream(keys, 'interactive');
  const { cache, admission } = layer;
  return async (keys) => {
    const cacheKeys = keys.map(options.cacheKey);
    const byCacheKey = new Map(cacheKeys.map((cacheKey, index) => [cacheKey, keys[index] as K]));
    /** Errors of keys upstream answered with a non-retryable failure (left out of the map). */
    const failures = new Map<string, Error>();
    const results = await cache.readThroughMany<V>(cacheKeys, options.ttlMs, async (missing, context) => {
      admission.guardUpstream(options.endpoint);
      const wanted = missing.map((cacheKey) => byCacheKey.get(cacheKey) as K);
      const answers = await upstream(wanted, context.lane);
      const found = new Map<string, V>();
      let retryable: Error | null = null;
      answers.forEach((answer, index) => {
        const cacheKey = missing[index] ?? '';
        if (answer instanceof Error) {
          if (isServeStaleFailure(answer)) retryable ??= answer;
          else failures.set(cacheKey, answer);
        } else found.set(cacheKey, answer);
      });
      if (retryable !== null) {
        // Keep what did load for the next request, then fail the load so stale copies stand in.
        await Promise.all([...found].map(([cacheKey, value]) => cache.prime(cacheKey, options.ttlMs, value)));
        throw retryable;
      }
      return found;
    });
    results.forEach((result, index) => layer.dependencies?.noteRead(cacheKeys[index] ?? '', result));
    return results.map((result, index) => settle(result, cacheKeys[index] ?? '', failures, admission, options.endpoint));
  };
}

function settle<V>(result: ReadResult<V> | Error | undefined, cacheKey: string, failures: Map<string, Error>, admission: RequestAdmission, endpoint: string): V | Error {
  if (result instanceof Error) return result;
  if (result === undefined) return failures.get(cacheKey) ?? new GhlNotFoundError(endpoint, `Not found upstream (${endpoint})`);
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
      admission.guardUpstream(options.endpoint);
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
