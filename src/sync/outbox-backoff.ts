/**
 * Retry delays of outbox deliveries: exponential in the attempt number, capped, with "equal
 * jitter" (half fixed, half random) so replicas retrying after a shared Roofr outage spread out
 * yet never retry immediately. Pure: the random source is a parameter.
 */
export interface BackoffPolicy {
  /** Delay ceiling of the first retry. */
  baseMs: number;
  /** Cap of every delay. */
  maxMs: number;
  /** Growth per attempt; default 2. */
  factor?: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000, factor: 2 };

/** Delay before the retry following failed attempt number `attempt` (1 = the first). */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * Math.pow(policy.factor ?? 2, exponent));
  const half = ceiling / 2;
  const unit = Math.min(Math.max(random(), 0), 1);
  return Math.round(half + unit * half);
}
