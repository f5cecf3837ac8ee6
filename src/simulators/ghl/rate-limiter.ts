/**
 * GHL's limits: a burst window per (app, location) and a daily budget per location, reported
 * on every answer through X-RateLimit-* headers. Fixed windows here; GHL's own window kind and
 * the Retry-After header are unverified, hence `sendRetryAfter`.
 */
import type { SimClock } from './clock.js';

export interface RateLimitConfig {
  max: number;
  intervalMs: number;
  dailyMax: number;
  sendRetryAfter: boolean;
}

const DEFAULT_RATE_LIMIT: RateLimitConfig = {
  max: 100,
  intervalMs: 10_000,
  dailyMax: 200_000,
  sendRetryAfter: true,
};

interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
  retryAfterSec: number;
}

interface Window {
  start: number;
  count: number;
}

const DAY_MS = 86_400_000;

export class RateLimiter {
  private config: RateLimitConfig;
  private readonly bursts = new Map<string, Window>();
  private readonly dailies = new Map<string, Window>();

  constructor(
    config: Partial<RateLimitConfig>,
    private readonly clock: SimClock,
  ) {
    this.config = { ...DEFAULT_RATE_LIMIT, ...config };
  }

  settings(): RateLimitConfig {
    return { ...this.config };
  }

  /** Changes limits at run time; counts in the current windows carry over. */
  configure(config: Partial<RateLimitConfig>): void {
    this.config = { ...this.config, ...config };
  }

  /** Forgets every window (tests that want a fresh budget). */
  resetCounters(): void {
    this.bursts.clear();
    this.dailies.clear();
  }

  /** Counts the request when allowed; a refused request does not consume budget. */
  take(burstKey: string, locationKey: string): RateDecision {
    const now = this.clock.now();
    const burst = this.window(this.bursts, `${burstKey}|${locationKey}`, now, this.config.intervalMs);
    const daily = this.window(this.dailies, locationKey, now, DAY_MS);
    const allowed = burst.count < this.config.max && daily.count < this.config.dailyMax;
    if (allowed) {
      burst.count += 1;
      daily.count += 1;
    }
    const burstWait = burst.count >= this.config.max ? burst.start + this.config.intervalMs - now : 0;
    const dailyWait = daily.count >= this.config.dailyMax ? daily.start + DAY_MS - now : 0;
    return {
      allowed,
      headers: this.headers(burst, daily),
      retryAfterSec: Math.max(1, Math.ceil(Math.max(burstWait, dailyWait) / 1000)),
    };
  }

  /** Headers without counting, for answers forced by fault injection. */
  peek(burstKey: string, locationKey: string): RateDecision {
    const now = this.clock.now();
    const burst = this.window(this.bursts, `${burstKey}|${locationKey}`, now, this.config.intervalMs);
    const daily = this.window(this.dailies, locationKey, now, DAY_MS);
    return {
      allowed: true,
      headers: this.headers(burst, daily),
      retryAfterSec: Math.max(1, Math.ceil((burst.start + this.config.intervalMs - now) / 1000)),
    };
  }

  private window(windows: Map<string, Window>, key: string, now: number, length: number): Window {
    let window = windows.get(key);
    if (!window || now >= window.start + length) {
      window = { start: now, count: 0 };
      windows.set(key, window);
    }
    return window;
  }

  private headers(burst: Window, daily: Window): Record<string, string> {
    return {
      'X-RateLimit-Max': String(this.config.max),
      'X-RateLimit-Remaining': String(Math.max(0, this.config.max - burst.count)),
      'X-RateLimit-Interval-Milliseconds': String(this.config.intervalMs),
      'X-RateLimit-Limit-Daily': String(this.config.dailyMax),
      'X-RateLimit-Daily-Remaining': String(Math.max(0, this.config.dailyMax - daily.count)),
    };
  }
}
