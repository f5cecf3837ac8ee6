/**
 * Whether to repeat a failed HighLevel request: a pure function that says why (STYLE rule 5).
 *
 * - 429: always retried, whatever the method: GHL refused it before doing anything, so even a
 *   create cannot duplicate. Waits Retry-After (or the window) plus a little jitter so that
 *   queued callers do not return in lockstep. Counted against its own, larger cap because a
 *   burst of 429s says "later", not "broken".
 * - 5xx, connection resets and timeouts: only for idempotent endpoints (reads, PUT, DELETE,
 *   searches, upsert; see spec.ts). The request may have been applied, so a create is never
 *   repeated blindly. Exponential backoff with full jitter, capped.
 * - Connection refused: retried for every method, since nothing reached the server.
 * - 4xx, contract errors, refusals by our own budget: never (the same request fails the same way).
 *   401 is handled by the client (one retry after the token provider refreshes).
 */
import { GhlRateLimitedError, GhlTimeoutError, GhlUnavailableError, type GhlError } from './errors.js';
import { errorCodeOf } from './http-errors.js';

export interface RetryInput {
  error: GhlError;
  /** From spec.ts: repeating the request cannot repeat its effect. */
  idempotent: boolean;
  /** 1 after the first attempt failed. */
  attempt: number;
  /** Retries already spent on 429s and on other failures, counted apart. */
  rateLimitRetries: number;
  otherRetries: number;
}

export interface RetryPolicyOptions {
  maxRetries: number;
  maxRateLimitRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform in [0, 1); injectable so tests are deterministic. */
  random: () => number;
}

export interface RetryDecision {
  retry: boolean;
  reason: string;
  delayMs: number;
  /** True when the wait should apply to the whole location (a 429), not only this call. */
  pauseLocation: boolean;
}

export const DEFAULT_RETRY_POLICY: Omit<RetryPolicyOptions, 'random' | 'maxRetries'> = {
  maxRateLimitRetries: 10,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
};

/** Full jitter (AWS architecture blog): uniform in [0, min(cap, base·2^(n-1))]. */
export function backoffDelay(
  retryNumber: number,
  options: Pick<RetryPolicyOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(options.random() * ceiling);
}

function stop(reason: string): RetryDecision {
  return { retry: false, reason, delayMs: 0, pauseLocation: false };
}

export function decideRetry(input: RetryInput, options: RetryPolicyOptions): RetryDecision {
  const { error } = input;
  if (error instanceof GhlRateLimitedError) {
    if (input.rateLimitRetries >= options.maxRateLimitRetries)
      return stop(`429 persisted after ${input.rateLimitRetries} retries`);
    // Up to 10 % extra (at most 1 s) so callers paused together do not return together.
    const jitter = Math.floor(options.random() * Math.min(1000, Math.max(50, error.retryAfterMs * 0.1)));
    return {
      retry: true,
      reason: 'rate limited (429): GHL did not process the request',
      delayMs: error.retryAfterMs + jitter,
      pauseLocation: true,
    };
  }
  if (error instanceof GhlUnavailableError || error instanceof GhlTimeoutError) {
    const refused =
      error instanceof GhlUnavailableError && error.status === null && errorCodeOf(error.cause) === 'ECONNREFUSED';
    if (!input.idempotent && !refused)
      return stop(`${describe(error)} on a non-idempotent request: it may have been applied, so it is not repeated`);
    if (input.otherRetries >= options.maxRetries)
      return stop(`${describe(error)} persisted after ${input.otherRetries} retries`);
    return {
      retry: true,
      reason: refused ? 'connection refused: nothing was sent' : `${describe(error)} on an idempotent request`,
      delayMs: backoffDelay(input.otherRetries + 1, options),
      pauseLocation: false,
    };
  }
  return stop(`${error.kind} is not transient`);
}

function describe(error: GhlUnavailableError | GhlTimeoutError): string {
  if (error instanceof GhlTimeoutError) return 'timeout';
  return error.status === null ? `network error (${errorCodeOf(error.cause) ?? 'unknown'})` : `HTTP ${error.status}`;
}
