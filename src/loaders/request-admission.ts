/**
 * Per-request admission and freshness state, shared by the admission plugin (which decides)
 * and the cached loaders (which obey and report). One per GraphQL request, never shared.
 *
 * "cache-only": the operation was estimated to need more HighLevel calls than the rate budget
 * can grant soon: loaders answer from the shared cache (stale copies included) and raise
 * RATE_LIMITED for misses, without sending a request GHL would refuse. Retrying after
 * `retryAfterMs` finds the budget able to take it.
 *
 * "partial": the operation needs more calls than a whole burst window holds, so no wait would
 * ever let it run whole, and refusing it would refuse it forever. It may spend what the window
 * has left now (`grantKeys`); what that loads is cached, so each retry gets further. Everything
 * beyond the grant is answered as in cache-only mode.
 */
import { GhlRateLimitedError } from '../ghl/errors.js';

type AdmissionMode = 'normal' | 'cache-only' | 'partial';

export class RequestAdmission {
  mode: AdmissionMode = 'normal';
  /** When the budget is expected to fit the operation again (set with cache-only and partial). */
  retryAfterMs = 0;
  /** Upstream calls the estimator predicted (after subtracting what the cache holds). */
  estimatedCalls: number | null = null;
  reason = '';
  /** Calls granted in partial mode (for the extensions), and how many are still unspent. */
  grantedCalls = 0;
  private callsLeft = 0;
  private staleCount = 0;
  private maxStaleAgeMs = 0;

  /** Switches to cache-only for the rest of the request. */
  restrictToCache(retryAfterMs: number, reason: string): void {
    this.mode = 'cache-only';
    this.retryAfterMs = Math.max(1, Math.ceil(retryAfterMs));
    this.reason = reason;
  }

  /** Lets at most `calls` upstream calls go for the rest of the request; the rest as in cache-only. */
  grantPartially(calls: number, retryAfterMs: number, reason: string): void {
    this.restrictToCache(retryAfterMs, reason);
    this.mode = 'partial';
    this.grantedCalls = Math.max(0, Math.floor(calls));
    this.callsLeft = this.grantedCalls;
  }

  /**
   * How many of `keys` uncached keys may be loaded upstream now, `keysPerCall` keys a call (a
   * batched endpoint), spending the grant. All of them in normal mode, none in cache-only.
   */
  grantKeys(keys: number, keysPerCall = 1): number {
    if (this.mode === 'normal') return keys;
    if (this.mode === 'cache-only') return 0;
    const granted = Math.min(keys, this.callsLeft * keysPerCall);
    this.callsLeft -= Math.ceil(granted / keysPerCall);
    return granted;
  }

  /** Throws RATE_LIMITED instead of letting a cache miss reach HighLevel in cache-only mode (partial mode grants by grantKeys). */
  guardUpstream(endpoint: string): void {
    if (this.mode === 'cache-only') throw this.refusal(endpoint);
  }

  /**
   * The error of a load that is not sent. Without a stack trace: a refusal is a decision, not a
   * fault, and an operation refused in cache-only mode makes one per field it could not read
   * (graphql-js reads each one's stack): capturing and formatting them cost ~2% of the CPU of
   * bench:peers workload (e). The stack is set here as a plain string, so it is the same data
   * property on every Node the project runs on (Node 24 keeps an error's stack as an accessor).
   */
  refusal(endpoint: string): GhlRateLimitedError {
    const stackFrames = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let refusal: GhlRateLimitedError;
    try {
      refusal = new GhlRateLimitedError(
        endpoint,
        this.retryAfterMs,
        `Not sent: this operation needs more HighLevel calls than the rate budget allows now (${this.reason}); the cached parts were answered, retry in ${this.retryAfterMs} ms`,
      );
    } finally {
      Error.stackTraceLimit = stackFrames;
    }
    Object.defineProperty(refusal, 'stack', {
      value: `${refusal.name}: ${refusal.message}`,
      writable: true,
      configurable: true,
    });
    return refusal;
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
