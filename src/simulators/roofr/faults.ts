/**
 * Run-time fault injection for the Roofr simulator, so retry, timeout and rate-limit paths can be
 * shown working. Counted faults (`failNext`, `rateLimitNext`, …) are deterministic for tests;
 * rates (`errorRate`, `hangRate`) use a seeded generator so a demo run repeats. A request draws
 * the hang rate before the error rate.
 */
import { mulberry32 } from '../prng.js';

interface RoofrFaultSettings {
  /** Added before every API response. */
  latencyMs: number;
  /** Share (0..1) of API requests answered with `errorStatus`. */
  errorRate: number;
  errorStatus: number;
  /** Answer every API request 429 with this Retry-After. */
  force429: boolean;
  retryAfterSeconds: number;
  /** Accept requests and never answer. */
  hang: boolean;
  /** Share (0..1) of API requests accepted and never answered. */
  hangRate: number;
  /** Destroy the socket without an answer. */
  reset: boolean;
}

export type FaultAction =
  | { kind: 'none' }
  | { kind: 'error'; status: number }
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'hang' }
  | { kind: 'reset' };

const DEFAULTS: RoofrFaultSettings = {
  latencyMs: 0,
  errorRate: 0,
  errorStatus: 503,
  force429: false,
  retryAfterSeconds: 1,
  hang: false,
  hangRate: 0,
  reset: false,
};

export class RoofrFaults {
  private current: RoofrFaultSettings = { ...DEFAULTS };
  private queue: FaultAction[] = [];
  private random: () => number;

  constructor(
    seed = 7,
    private readonly power: { down(): Promise<void>; up(): Promise<void>; isDown(): boolean } | null = null,
  ) {
    this.random = mulberry32(seed);
  }

  get settings(): Readonly<RoofrFaultSettings> {
    return this.current;
  }

  set(partial: Partial<RoofrFaultSettings>): void {
    this.current = { ...this.current, ...partial };
  }

  /** Back to a healthy server (queued faults dropped; a down server stays down until `up`). */
  clear(): void {
    this.current = { ...DEFAULTS };
    this.queue = [];
  }

  failNext(count: number, status = 503): void {
    for (let index = 0; index < count; index += 1) this.queue.push({ kind: 'error', status });
  }

  rateLimitNext(count: number, retryAfterSeconds = 0): void {
    for (let index = 0; index < count; index += 1) this.queue.push({ kind: 'rate-limit', retryAfterSeconds });
  }

  hangNext(count: number): void {
    for (let index = 0; index < count; index += 1) this.queue.push({ kind: 'hang' });
  }

  resetNext(count: number): void {
    for (let index = 0; index < count; index += 1) this.queue.push({ kind: 'reset' });
  }

  /** Stops listening (clients get ECONNREFUSED) until `up()`; same port afterwards. */
  async down(): Promise<void> {
    await this.power?.down();
  }

  async up(): Promise<void> {
    await this.power?.up();
  }

  isDown(): boolean {
    return this.power?.isDown() ?? false;
  }

  /** What is queued, for the admin surface. */
  pending(): FaultAction[] {
    return [...this.queue];
  }

  /** The fault for the next API request, consuming a queued one first. */
  next(): FaultAction {
    const queued = this.queue.shift();
    if (queued) return queued;
    if (this.current.hang) return { kind: 'hang' };
    if (this.current.reset) return { kind: 'reset' };
    if (this.current.force429) return { kind: 'rate-limit', retryAfterSeconds: this.current.retryAfterSeconds };
    if (this.current.hangRate > 0 && this.random() < this.current.hangRate) return { kind: 'hang' };
    if (this.current.errorRate > 0 && this.random() < this.current.errorRate)
      return { kind: 'error', status: this.current.errorStatus };
    return { kind: 'none' };
  }
}
