/**
 * Turns the shared cache's events into counters. The cache knows nothing of prom-client: it
 * offers `stats.subscribe`, and this is the one subscriber that counts.
 */
import type { CacheEventListener } from '../cache/cache-stats.js';
import type { Metrics } from './metrics.js';

export interface CacheEventSource {
  subscribe(listener: CacheEventListener): () => void;
}

/** Counts every cache event; returns the function that stops counting. */
export function watchCache(metrics: Metrics, stats: CacheEventSource): () => void {
  return stats.subscribe((event) => {
    metrics.cacheEvents.inc({ outcome: event.kind, entity: event.entity ?? 'none' });
  });
}
