/**
 * Paces Roofr requests from the rate-limit headers of previous responses so the adapter slows
 * down before Roofr answers 429: `X-RateLimit-Remaining` requests are left until
 * `X-RateLimit-Reset` seconds from the response. A 429's Retry-After blocks every caller.
 * Also caps requests in flight, since the remaining count is only known after a response.
 * Waiting counts against the caller's deadline: a wait for the window or a 429 block that would
 * pass it is refused at once with RoofrRateLimitedError (its retryAfterMs says how long), and a
 * wait for an in-flight slot ends at the deadline with RoofrTimeoutError.
 */
import { RoofrRateLimitedError, RoofrTimeoutError } from './errors.js';
interface RateHeaders {
  limit: number | null;
  remaining: number | null;
  resetMs: number | null;
}

export interface RateSnapshot {
  limit: number | null;
  remaining: number | null;
  resetInMs: number;
  inFlight: number;
  waiting: number;
}

import { sleep } from '../upstream/sleep.js';

interface PaceRequest {
  /** Names the request in a refusal. */
  endpoint: string;
  signal?: AbortSignal;
  /** Epoch ms (the pacer's clock) by which the caller must be answered; null / absent: none. */
  deadlineAt?: number | null;
}

function headerNumber(value: string | string[] | undefined): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return null;
  const number = Number(text);
  return Number.isFinite(number) ? number : null;
}

export function readRateHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): RateHeaders {
  const reset = headerNumber(headers['x-ratelimit-reset']);
  return {
    limit: headerNumber(headers['x-ratelimit-limit']),
    remaining: headerNumber(headers['x-ratelimit-remaining']),
    resetMs: reset === null ? null : Math.max(0, Math.round(reset * 1000)),
  };
}

export class RatePacer {
  private limit: number | null = null;
  private remaining: number | null = null;
  private resetAt = 0;
  private blockedUntil = 0;
  private inFlight = 0;
  private waiting = 0;
  private readonly slotWaiters: Array<() => void> = [];

  constructor(
    private readonly maxInFlight: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when a request may go out; pair with `release`. */
  async acquire(request: PaceRequest): Promise<void> {
    const { signal } = request;
    const deadlineAt = request.deadlineAt ?? null;
    this.waiting += 1;
    try {
      for (;;) {
        const now = this.now();
        const waitUntil =
          this.blockedUntil > now
            ? this.blockedUntil
            : this.remaining !== null && this.resetAt > now && this.remaining - this.inFlight <= 0
              ? this.resetAt
              : null;
        if (waitUntil !== null) {
          if (deadlineAt !== null && waitUntil > deadlineAt) {
            throw new RoofrRateLimitedError(
              request.endpoint,
              waitUntil - now,
              `Roofr's rate limit leaves no slot for ${request.endpoint} before the deadline; retry in ${waitUntil - now} ms`,
            );
          }
          await sleep(waitUntil - now, signal);
          continue;
        }
        if (this.inFlight >= this.maxInFlight) {
          await this.slotFreed(request, deadlineAt);
          continue;
        }
        break;
      }
    } finally {
      this.waiting -= 1;
    }
    this.inFlight += 1;
  }

  /** Resolves when an in-flight slot frees up; rejects at the deadline or on abort. */
  private slotFreed(request: PaceRequest, deadlineAt: number | null): Promise<void> {
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const leave = (settle: () => void): void => {
        const index = this.slotWaiters.indexOf(wake);
        if (index >= 0) this.slotWaiters.splice(index, 1);
        if (timer !== null) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const wake = (): void => leave(resolve);
      const onAbort = (): void => leave(() => reject(signal?.reason));
      const timer =
        deadlineAt === null
          ? null
          : setTimeout(
              () =>
                leave(() =>
                  reject(
                    new RoofrTimeoutError(request.endpoint, 0, {
                      message: `every Roofr request slot stayed busy until the deadline (${request.endpoint})`,
                    }),
                  ),
                ),
              Math.max(0, deadlineAt - this.now()),
            );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.slotWaiters.push(wake);
    });
  }

  release(headers: RateHeaders | null): void {
    this.inFlight -= 1;
    if (headers !== null && headers.remaining !== null) {
      this.limit = headers.limit;
      this.remaining = headers.remaining;
      this.resetAt = this.now() + (headers.resetMs ?? 1000);
    }
    this.slotWaiters.shift()?.();
  }

  /** A 429 answered: nobody sends until Retry-After has passed. */
  block(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
  }

  snapshot(): RateSnapshot {
    return {
      limit: this.limit,
      remaining: this.remaining,
      resetInMs: Math.max(0, this.resetAt - this.now()),
      inFlight: this.inFlight,
      waiting: this.waiting,
    };
  }
}
