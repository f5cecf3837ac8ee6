/**
 * The simulator's own rate limit: a fixed window per API key, reported on every response as
 * X-RateLimit-Limit / -Remaining / -Reset (seconds until the window resets, decimals allowed),
 * and a 429 with Retry-After once spent (docs/roofr-api.md).
 */
export interface RateLimitSettings {
  limit: number;
  windowMs: number;
}

interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
  retryAfterSeconds: number;
}

export class FixedWindowLimiter {
  private readonly windows = new Map<string, { startedAt: number; used: number }>();

  constructor(
    public settings: RateLimitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  configure(settings: Partial<RateLimitSettings>): void {
    this.settings = { ...this.settings, ...settings };
    this.windows.clear();
  }

  take(key: string): RateDecision {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.settings.windowMs) {
      window = { startedAt: now, used: 0 };
      this.windows.set(key, window);
    }
    const resetInMs = Math.max(0, window.startedAt + this.settings.windowMs - now);
    const allowed = window.used < this.settings.limit;
    if (allowed) window.used += 1;
    return {
      allowed,
      retryAfterSeconds: Math.ceil(resetInMs / 1000),
      headers: {
        'x-ratelimit-limit': String(this.settings.limit),
        'x-ratelimit-remaining': String(Math.max(0, this.settings.limit - window.used)),
        'x-ratelimit-reset': (resetInMs / 1000).toFixed(3),
      },
    };
  }
}
