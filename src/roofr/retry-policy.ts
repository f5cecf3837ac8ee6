/**
 * Whether to retry a Roofr request, as a pure function that names its reason (STYLE rule 5).
 * A write is retried only when it carries an Idempotency-Key (every port write does), because a
 * 5xx or a timeout leaves unknown whether Roofr applied it. A 429 or a refused connection means
 * the request was not processed, so retrying those is always safe.
 */
import type { HttpMethod } from './api-paths.js';

export type AttemptResult =
  | { kind: 'response'; status: number; retryAfterMs: number | null }
  | { kind: 'timeout' }
  | { kind: 'network'; code: string | null };

export interface RetryInput {
  method: HttpMethod;
  hasIdempotencyKey: boolean;
  result: AttemptResult;
  /** Retries already made (0 after the first attempt). */
  retriesSoFar: number;
  maxRetries: number;
  baseDelayMs: number;
  /** A Retry-After beyond this is not waited out: the caller gets RateLimited instead. */
  maxRetryAfterMs: number;
  /** 0..1, injected so the decision stays a pure function. */
  random: number;
}

export type RetryDecision = { retry: true; delayMs: number; reason: string } | { retry: false; reason: string };

const RETRYABLE_STATUSES = new Set([500, 502, 503, 504]);
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

export function isIdempotent(method: HttpMethod, hasIdempotencyKey: boolean): boolean {
  return method === 'GET' || method === 'PUT' || method === 'DELETE' || hasIdempotencyKey;
}

export function backoffMs(retriesSoFar: number, baseDelayMs: number, random: number): number {
  const ceiling = Math.min(baseDelayMs * 2 ** retriesSoFar, 30_000);
  // Half fixed, half jitter: spreads concurrent retries without ever waiting zero.
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

export function decideRetry(input: RetryInput): RetryDecision {
  const { result } = input;
  if (input.retriesSoFar >= input.maxRetries)
    return { retry: false, reason: `gave up after ${input.maxRetries} retries` };
  const idempotent = isIdempotent(input.method, input.hasIdempotencyKey);
  const backoff = backoffMs(input.retriesSoFar, input.baseDelayMs, input.random);

  if (result.kind === 'response') {
    if (result.status === 429) {
      const wait = result.retryAfterMs ?? backoff;
      if (wait > input.maxRetryAfterMs)
        return { retry: false, reason: `Retry-After ${wait} ms exceeds ${input.maxRetryAfterMs} ms` };
      return { retry: true, delayMs: wait, reason: 'rate limited (429): the request was not processed' };
    }
    if (RETRYABLE_STATUSES.has(result.status)) {
      if (!idempotent)
        return {
          retry: false,
          reason: `${result.status} on a ${input.method} without Idempotency-Key may have been applied`,
        };
      return { retry: true, delayMs: result.retryAfterMs ?? backoff, reason: `server error ${result.status}` };
    }
    return { retry: false, reason: `status ${result.status} is final` };
  }
  if (result.kind === 'network' && result.code !== null && NOT_SENT_CODES.has(result.code)) {
    return { retry: true, delayMs: backoff, reason: `${result.code}: the request never reached Roofr` };
  }
  if (!idempotent)
    return {
      retry: false,
      reason: `${result.kind} on a ${input.method} without Idempotency-Key may have been applied`,
    };
  return {
    retry: true,
    delayMs: backoff,
    reason: result.kind === 'timeout' ? 'timeout' : `network error ${result.code ?? 'unknown'}`,
  };
}

/** Retry-After as delta-seconds (decimals accepted) or an HTTP date; null when absent or unreadable. */
export function parseRetryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
