/**
 * Counters of what the shared cache did, plus a listener hook so the metrics module can turn
 * each event into a prom-client counter without the cache depending on prom-client.
 * Events carry the entity (contact, search…), never an id: ids would explode label cardinality.
 */
import type { CacheEntity } from './cache-keys.js';

export type CacheEventKind =
  /** Served from the cache within its TTL. */
  | 'hit'
  /** Not in the cache (or too old to serve): the loader ran. */
  | 'miss'
  /** Served after its TTL, within the grace window, while a background refresh runs. */
  | 'stale'
  /** Served stale because the loader failed with a retryable upstream error. */
  | 'stale_on_error'
  /** A background refresh stored a new value. */
  | 'revalidated'
  /** A background refresh failed; the stale value stays. */
  | 'revalidate_failed'
  /** A read joined an identical upstream call already in flight instead of making its own. */
  | 'coalesced'
  /** A cache store operation failed or timed out (the request went on without the cache). */
  | 'store_error'
  /** The store became unavailable; the cache is bypassed until it answers again. */
  | 'store_down'
  /** The store answers again. */
  | 'store_up'
  /** A whole cached response was found but something it was built from changed: executed again. */
  | 'outdated';

export interface CacheEvent {
  kind: CacheEventKind;
  /** "response": the whole-response cache (response-cache.ts), in front of the entity cache. */
  entity: CacheEntity | 'response' | 'unknown' | null;
}

export type CacheEventListener = (event: CacheEvent) => void;

export class CacheStats {
  private readonly counts = new Map<CacheEventKind, number>();
  private readonly listeners = new Set<CacheEventListener>();

  constructor(onEvent?: CacheEventListener) {
    if (onEvent !== undefined) this.listeners.add(onEvent);
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: CacheEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  record(kind: CacheEventKind, entity: CacheEvent['entity'] = null): void {
    this.counts.set(kind, this.count(kind) + 1);
    for (const listener of this.listeners) {
      try {
        listener({ kind, entity });
      } catch {
        // A broken metrics listener must not fail the request that produced the event.
      }
    }
  }

  count(kind: CacheEventKind): number {
    return this.counts.get(kind) ?? 0;
  }

  get hits(): number {
    return this.count('hit');
  }

  get misses(): number {
    return this.count('miss');
  }

  /** Stale serves of both kinds: within the grace window and on upstream failure. */
  get staleServes(): number {
    return this.count('stale') + this.count('stale_on_error');
  }

  snapshot(): Record<CacheEventKind, number> {
    const kinds: CacheEventKind[] = [
      'hit',
      'miss',
      'stale',
      'stale_on_error',
      'revalidated',
      'revalidate_failed',
      'coalesced',
      'store_error',
      'store_down',
      'store_up',
      'outdated',
    ];
    return Object.fromEntries(kinds.map((kind) => [kind, this.count(kind)])) as Record<CacheEventKind, number>;
  }
}
