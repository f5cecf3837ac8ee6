/**
 * Per-request admission and freshness state, shared by the admission plugin (which decides)
 * and the cached loaders (which obey and report). One per GraphQL request, never shared.
 *
 * In "cache-only" mode the operation was estimated to need more HighLevel calls than the rate
 * budget can grant soon: loaders answer from the shared cache (stale copies included) and raise
 * RATE_LIMITED for misses, without sending a request GHL would refuse.
 */
import { GhlRateLimitedError } from '../ghl/errors.js';

export type AdmissionMode = 'normal' | 'cache-only';

export class RequestAdmission {
  mode: AdmissionMode = 'normal';
  /** When the budget is expected to fit the operation again (set with cache-only). */
  retryAfterMs = 0;
  /** Upstream calls the estimator predicted (after subtracting what the cache holds). */
  estimatedCalls: number | null = null;
  reason = '';
  private staleCount = 0;
  private maxStaleAgeMs = 0;

  /** Switches to cache-only for the rest of the request. */
  restrictToCache(retryAfterMs: number, reason: string): void {
    this.mode = 'cache-only';
    this.retryAfterMs = Math.max(1, Math.ceil(retryAfterMs));
    this.reason = reason;
  }

  /** Throws RATE_LIMITED instead of letting a cache miss reach HighLevel in cache-only mode. */
  guardUpstream(endpoint: string): void {
    if (this.mode === 'cache-only') {
      throw new GhlRateLimitedError(
        endpoint,
        this.retryAfterMs,
        `Not sent: this operation needs more HighLevel calls than the rate budget allows now (${this.reason}); the cached parts were answered, retry in ${this.retryAfterMs} ms`,
      );
    }
  }

  /** A value served past its TTL (grace, or upstream failed): reported as `extensions.stale`. */
  noteStale(ageMs: number): void {
    this.staleCount += 1;
    this.maxStaleAgeMs = Math.max(this.maxStaleAgeMs, ageMs);
  }

  get stale(): { count: number; maxAgeMs: number } {
    return { count: this.staleCount, maxAgeMs: this.maxStaleAgeMs };
  }
}
