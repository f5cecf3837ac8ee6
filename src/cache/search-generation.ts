/**
 * Per-location search generation: every cached search and paged contact list is keyed with
 * the location's current generation, so replacing the generation drops all of them in O(1)
 * (the old entries become unreachable and age out by TTL) without listing or scanning keys.
 *
 * The generation is a random token, not a counter: a new token needs no read-modify-write,
 * so two replicas invalidating at once cannot both write "n+1" and land on the same value a
 * reader already cached under. A missing generation (never set, or evicted by the LRU) is
 * replaced by a NEW token, never a fixed default, so an eviction can't revive old entries.
 */
import { randomBytes } from 'node:crypto';
import { cacheKeys } from './cache-keys.js';
import type { ResilientStore } from './resilient-store.js';

function newToken(): string {
  return randomBytes(9).toString('base64url');
}

export class SearchGenerations {
  /**
   * Used only while the store is down: a stable per-process generation keeps identical
   * searches on one key, so single-flight still merges them (a fresh token per call would not).
   */
  private readonly offline = new Map<string, string>();

  constructor(private readonly store: ResilientStore) {}

  async current(locationId: string): Promise<string> {
    const key = cacheKeys.searchGeneration(locationId);
    const stored = await this.store.get(key);
    if (typeof stored === 'string' && stored !== '') return stored;
    if (this.store.health().state === 'down') {
      const offline = this.offline.get(locationId) ?? newToken();
      this.offline.set(locationId, offline);
      return offline;
    }
    const token = newToken();
    // No TTL: the generation must outlive every search entry keyed with it.
    await this.store.set(key, token);
    return token;
  }

  /** Drops every cached search and list of the location; returns the new generation. */
  async bump(locationId: string): Promise<string> {
    const token = newToken();
    this.offline.delete(locationId);
    await this.store.set(cacheKeys.searchGeneration(locationId), token);
    return token;
  }
}
