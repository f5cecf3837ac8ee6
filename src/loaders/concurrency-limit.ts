/**
 * A per-location cap on calls that cannot be batched (notes and appointments are one call per
 * contact). Without it a page of 500 contacts would fire 1,000 requests at once and spend the
 * location's burst budget (100 / 10 s) in one go; the client has its own cap too, this one keeps
 * a single GraphQL operation from queueing everything at the client at the same instant.
 * Shared across requests: the budget it protects is per location, not per request.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a positive integer, got ${max}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }
}

export class LocationLimiters {
  private readonly limiters = new Map<string, ConcurrencyLimiter>();

  constructor(private readonly maxPerLocation: number) {}

  for(locationId: string): ConcurrencyLimiter {
    let limiter = this.limiters.get(locationId);
    if (!limiter) {
      limiter = new ConcurrencyLimiter(this.maxPerLocation);
      this.limiters.set(locationId, limiter);
    }
    return limiter;
  }
}
