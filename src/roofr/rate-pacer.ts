/**
 * Paces Roofr requests from the rate-limit headers of previous responses so the adapter slows
 * down before Roofr answers 429: `X-RateLimit-Remaining` requests are left until
 * `X-RateLimit-Reset` seconds from the response. A 429's Retry-After blocks every caller.
 * Also caps requests in flight, since the remaining count is only known after a response.
 */
export interface RateHeaders {
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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export { sleep as pacerSleep };

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
  async acquire(signal?: AbortSignal): Promise<void> {
    this.waiting += 1;
    try {
      for (;;) {
        const now = this.now();
        if (this.blockedUntil > now) {
          await sleep(this.blockedUntil - now, signal);
          continue;
        }
        if (this.remaining !== null && this.resetAt > now && this.remaining - this.inFlight <= 0) {
          await sleep(this.resetAt - now, signal);
          continue;
        }
        if (this.inFlight >= this.maxInFlight) {
          await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
          continue;
        }
        break;
      }
    } finally {
      this.waiting -= 1;
    }
    this.inFlight += 1;
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
