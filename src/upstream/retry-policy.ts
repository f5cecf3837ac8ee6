/**
 * Whether to repeat a failed upstream request: one pure function for every upstream, which
 * says why (docs/style.md rule 5). Each upstream configures it with its own numbers (RetryPolicy).
 *
 * - 429 (RateLimited): retried whatever the method: the upstream refused before doing
 *   anything, so even a create cannot duplicate. Waits Retry-After plus a little jitter so that
 *   callers paused together do not return together, and pauses every caller of the same scope
 *   (`pauseAll`). Counted against its own, larger cap: a burst of 429s says "later", not
 *   "broken". A Retry-After beyond `maxRetryAfterMs` is not waited out.
 * - 5xx, resets, timeouts: only when repeating cannot repeat the effect (reads, PUT, DELETE,
 *   writes carrying an honoured idempotency key), or when the request certainly never left
 *   (connection refused). Exponential backoff with full jitter, capped.
 * - Everything else (4xx, contract errors, refusals by our own budget): never.
 * - The deadline: no retry whose wait would leave no time for the attempt itself; the caller
 *   then gets the last failure at once (a 429 as RateLimited with its retryAfterMs).
 */
import type { UpstreamError } from './errors.js';

export interface RetryPolicy {
  /** Retries of 5xx, resets and timeouts. */
  maxRetries: number;
  /** Retries of 429s, counted apart. */
  maxRateLimitRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer Retry-After is not waited out: the caller gets RateLimited instead. */
  maxRetryAfterMs: number;
}

export interface RetryInput {
  error: UpstreamError;
  /** Repeating the request cannot repeat its effect. */
  idempotent: boolean;
  /** The request certainly never reached the upstream (connection refused, DNS). */
  neverSent: boolean;
  rateLimitRetries: number;
  otherRetries: number;
  /** Time left before the caller's deadline; null: none. */
  remainingMs: number | null;
  /** Uniform in [0, 1), drawn by the caller so the decision stays pure. */
  random: number;
}

type RetryDecision =
  { retry: true; delayMs: number; reason: string; pauseAll: boolean } | { retry: false; reason: string };

/** Below this no attempt is worth starting: the answer could not come back in time. */
export const MIN_ATTEMPT_MS = 25;

/** Full jitter (AWS architecture blog): uniform in [0, min(cap, base·2^(n-1))]. */
export function backoffDelay(
  retryNumber: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(random * ceiling);
}

function within(input: RetryInput, decision: Extract<RetryDecision, { retry: true }>): RetryDecision {
  if (input.remainingMs !== null && decision.delayMs + MIN_ATTEMPT_MS > input.remainingMs) {
    return {
      retry: false,
      reason: `${decision.reason}, but a retry in ${decision.delayMs} ms would pass the deadline (${Math.max(0, Math.round(input.remainingMs))} ms left)`,
    };
  }
  return decision;
}

export function decideRetry(input: RetryInput, policy: RetryPolicy): RetryDecision {
  const { error } = input;
  if (error.kind === 'RateLimited') {
    const retryAfterMs = 'retryAfterMs' in error && typeof error.retryAfterMs === 'number' ? error.retryAfterMs : 1000;
    if (input.rateLimitRetries >= policy.maxRateLimitRetries)
      return { retry: false, reason: `429 persisted after ${input.rateLimitRetries} retries` };
    if (retryAfterMs > policy.maxRetryAfterMs)
      return { retry: false, reason: `Retry-After ${retryAfterMs} ms exceeds ${policy.maxRetryAfterMs} ms` };
    // Up to 10 % extra (at least 50 ms, at most 1 s) so paused callers do not return in lockstep.
    const jitter = Math.floor(input.random * Math.min(1000, Math.max(50, retryAfterMs * 0.1)));
    return within(input, {
      retry: true,
      delayMs: retryAfterMs + jitter,
      reason: 'rate limited (429): the request was not processed',
      pauseAll: true,
    });
  }
  if (error.kind === 'Unavailable' || error.kind === 'Timeout') {
    const what = describe(error);
    if (!input.idempotent && !input.neverSent)
      return {
        retry: false,
        reason: `${what} on a non-idempotent request: it may have been applied, so it is not repeated`,
      };
    if (input.otherRetries >= policy.maxRetries)
      return { retry: false, reason: `${what} persisted after ${input.otherRetries} retries` };
    return within(input, {
      retry: true,
      delayMs: backoffDelay(input.otherRetries + 1, policy, input.random),
      reason: input.neverSent ? `${what}: nothing was sent` : `${what} on an idempotent request`,
      pauseAll: false,
    });
  }
  return { retry: false, reason: `${error.kind} is not transient` };
}

function describe(error: UpstreamError): string {
  if (error.kind === 'Timeout') return 'timeout';
  const status = 'status' in error && typeof error.status === 'number' ? error.status : null;
  return status === null ? 'network error' : `HTTP ${status}`;
}

/** Retry-After as delta-seconds (decimals accepted) or an HTTP date, in ms from `nowMs`; null when absent or unusable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | null {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (raw === undefined || raw === '') return null;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}
