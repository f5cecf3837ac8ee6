/**
 * Per-location HighLevel rate budget, fed from the X-RateLimit-* headers of every response so
 * that a long run never meets a 429.
 *
 * Invariants of the in-memory implementation:
 * - Limits are never assumed: until a location's first response with headers, at most
 *   `probeConcurrency` requests are in flight (probing), one after another.
 * - No more than the window's max are granted in ANY span of `intervalMs + margin`. That is safe
 *   whether GHL counts in fixed or sliding windows (unverified); the margin absorbs the jitter
 *   between our grant and GHL's arrival time.
 * - `interactiveShare` of each window is reserved for interactive callers: background callers
 *   stop at the remainder; interactive ones may use the whole window.
 * - Usage GHL reports beyond our own grants (other replicas, other tools on the same app and
 *   location) lowers the window's cap for one interval.
 * - The daily reserve is never spent: a grant that would dip into it is refused.
 * - A 429 that still arrives pauses the whole location (the retry policy supplies Retry-After or
 *   the interval, plus jitter), and widens that location's margin (doubling, up to a tenth of
 *   the interval): our grants ran ahead of GHL's count, e.g. a loaded host delayed requests
 *   between grant and arrival, so the same margin would earn the same 429 again.
 *
 * `tryReserve` is the atomic core a shared (Redis) budget re-implements; waiting in FIFO order is
 * RateBudgetQueue's job and is reused as is.
 */
import type { Lane, RateBudgetSnapshot } from './ghl-api.js';
import { systemClock, type Clock } from './clock.js';
import { RateBudgetQueue, type AcquireOptions, type ReserveOutcome } from './rate-budget-queue.js';
import type { RateLimitHeaders } from './rate-limit-headers.js';

export interface Affordability {
  ok: boolean;
  /** Estimated wait until `calls` slots have been granted at the current pace. */
  waitMs: number;
  reason: string;
}

export interface RateBudget {
  /** Atomic core: reserve one slot for `locationId` in `lane` now, or say how long to wait. */
  tryReserve(locationId: string, lane: Lane): Promise<ReserveOutcome>;
  /**
   * Waits (FIFO per lane) for a slot; rejects with GhlBudgetReserveError rather than spend the daily
   * reserve, and with GhlRateLimitedError at once when the wait would pass `deadlineAt`.
   */
  acquire(locationId: string, lane: Lane, options: AcquireOptions): Promise<void>;
  /** After every attempt that was granted a slot: the response's limits, or null when none came back. */
  record(locationId: string, headers: RateLimitHeaders | null): void;
  /** A 429 arrived anyway: nobody sends for this location for `ms`. */
  pause(locationId: string, ms: number): void;
  snapshot(locationId: string): RateBudgetSnapshot;
  /** Admission control: could `calls` more requests be spent without touching the daily reserve, and how soon. */
  canAfford(locationId: string, calls: number, lane: Lane): Affordability;
  /** The interval learnt from headers, or null before the first response. */
  intervalMs(locationId: string): number | null;
  /** Shared budgets (Redis) re-read the location's state so snapshot() / canAfford() are current; in-memory ones need not. */
  refresh?(locationId: string): Promise<void>;
}

interface InMemoryRateBudgetOptions {
  dailyReserve: number;
  interactiveShare: number;
  clock?: Clock;
  /** Requests in flight per location before its limits are known. */
  probeConcurrency?: number;
  /** Extra span added to every window: at least this many ms… */
  minMarginMs?: number;
  /** …or this fraction of the interval, whichever is larger. */
  marginRatio?: number;
}

interface Limits {
  burstMax: number;
  intervalMs: number;
  dailyMax: number | null;
}

interface LocationState {
  limits: Limits | null;
  /** Grant times inside the current span, ascending. */
  grants: number[];
  probesInFlight: number;
  pausedUntil: number;
  /** Daily remaining as last reported, minus grants since. */
  dailyRemaining: number | null;
  external: { count: number; until: number } | null;
  /** Margin learnt from 429s on top of the configured one. */
  learnedMarginMs: number;
}

/** The most a learnt margin adds, as a fraction of the interval. */
const MAX_LEARNED_MARGIN_RATIO = 0.1;

const DAY_MS = 86_400_000;

/** Requests a new caller in `lane` waits behind: interactive ones go first, background ones after all. */
export function queuedAhead(queued: { interactive: number; background: number }, lane: Lane): number {
  return lane === 'interactive' ? queued.interactive : queued.interactive + queued.background;
}

export class InMemoryRateBudget implements RateBudget {
  private readonly states = new Map<string, LocationState>();
  private readonly clock: Clock;
  private readonly queue: RateBudgetQueue;
  private readonly probeConcurrency: number;
  private readonly minMarginMs: number;
  private readonly marginRatio: number;

  constructor(private readonly options: InMemoryRateBudgetOptions) {
    if (options.interactiveShare < 0 || options.interactiveShare > 1)
      throw new RangeError('interactiveShare must be within [0, 1]');
    this.clock = options.clock ?? systemClock;
    this.probeConcurrency = options.probeConcurrency ?? 1;
    this.minMarginMs = options.minMarginMs ?? 50;
    this.marginRatio = options.marginRatio ?? 0.02;
    this.queue = new RateBudgetQueue((locationId, lane) => this.reserveNow(locationId, lane), this.clock);
  }

  async tryReserve(locationId: string, lane: Lane): Promise<ReserveOutcome> {
    return this.reserveNow(locationId, lane);
  }

  acquire(locationId: string, lane: Lane, options: AcquireOptions): Promise<void> {
    return this.queue.acquire(locationId, lane, options);
  }

  /** Synchronous, hence atomic within this process. */
  reserveNow(locationId: string, lane: Lane): ReserveOutcome {
    const state = this.stateOf(locationId);
    const now = this.clock.now();
    if (state.pausedUntil > now) return { kind: 'wait', waitMs: state.pausedUntil - now, reason: 'paused' };
    if (state.dailyRemaining !== null && state.dailyRemaining <= this.options.dailyReserve) {
      return {
        kind: 'refused',
        dailyRemaining: state.dailyRemaining,
        reserve: this.options.dailyReserve,
        retryAfterMs: msUntilUtcMidnight(now),
      };
    }
    const { limits } = state;
    if (limits === null) {
      if (state.probesInFlight >= this.probeConcurrency) return { kind: 'wait', waitMs: 1000, reason: 'probing' };
      state.probesInFlight += 1;
      this.grant(state, now);
      return { kind: 'granted' };
    }
    const span = this.spanOf(state, limits);
    prune(state.grants, now - span);
    const cap = this.capOf(state, limits, lane, now);
    if (state.grants.length >= cap) {
      // The slot frees when enough of the oldest grants leave the span.
      const freeing = state.grants[state.grants.length - cap];
      let waitMs = freeing === undefined ? span : freeing + span - now;
      // Others' usage expiring may free a slot sooner.
      if (state.external !== null) waitMs = Math.min(waitMs, state.external.until - now);
      return {
        kind: 'wait',
        waitMs: Math.max(1, waitMs),
        reason: lane === 'background' && cap < this.windowCap(state, limits, now) ? 'lane-share' : 'window',
      };
    }
    this.grant(state, now);
    return { kind: 'granted' };
  }

  record(locationId: string, headers: RateLimitHeaders | null): void {
    const state = this.stateOf(locationId);
    if (state.probesInFlight > 0) state.probesInFlight -= 1;
    if (headers !== null) {
      const now = this.clock.now();
      const limits: Limits = { burstMax: headers.burstMax, intervalMs: headers.intervalMs, dailyMax: headers.dailyMax };
      state.limits = limits;
      if (headers.dailyRemaining !== null) state.dailyRemaining = headers.dailyRemaining;
      // What GHL counts beyond our own grants of the last span belongs to someone else.
      const span = this.spanOf(state, limits);
      prune(state.grants, now - span);
      const external = headers.burstMax - headers.burstRemaining - state.grants.length;
      if (external > 0) state.external = { count: external, until: now + headers.intervalMs };
    }
    this.queue.wake(locationId);
  }

  pause(locationId: string, ms: number): void {
    const state = this.stateOf(locationId);
    state.pausedUntil = Math.max(state.pausedUntil, this.clock.now() + ms);
    if (state.limits !== null) {
      const configured = this.configuredMarginOf(state.limits);
      state.learnedMarginMs = Math.min(
        state.limits.intervalMs * MAX_LEARNED_MARGIN_RATIO,
        Math.max(2 * state.learnedMarginMs, configured),
      );
    }
    this.queue.wake(locationId);
  }

  intervalMs(locationId: string): number | null {
    return this.states.get(locationId)?.limits?.intervalMs ?? null;
  }

  snapshot(locationId: string): RateBudgetSnapshot {
    const state = this.stateOf(locationId);
    const now = this.clock.now();
    const { limits } = state;
    const queued = this.queue.queued(locationId);
    if (limits === null) {
      return {
        locationId,
        limitsKnown: false,
        burstMax: 0,
        burstRemaining: 0,
        intervalMs: 0,
        dailyMax: 0,
        dailyRemaining: state.dailyRemaining ?? 0,
        dailyReserve: this.options.dailyReserve,
        queued,
        resetInMs: Math.max(0, state.pausedUntil - now),
      };
    }
    const span = this.spanOf(state, limits);
    prune(state.grants, now - span);
    const cap = this.windowCap(state, limits, now);
    const oldest = state.grants[0];
    return {
      locationId,
      limitsKnown: true,
      burstMax: limits.burstMax,
      burstRemaining: Math.max(0, cap - state.grants.length),
      intervalMs: limits.intervalMs,
      dailyMax: limits.dailyMax ?? 0,
      dailyRemaining: state.dailyRemaining ?? limits.dailyMax ?? 0,
      dailyReserve: this.options.dailyReserve,
      queued,
      resetInMs: Math.max(state.pausedUntil - now, oldest === undefined ? 0 : oldest + span - now, 0),
    };
  }

  canAfford(locationId: string, calls: number, lane: Lane): Affordability {
    const state = this.stateOf(locationId);
    const now = this.clock.now();
    if (state.dailyRemaining !== null && state.dailyRemaining - calls < this.options.dailyReserve) {
      return {
        ok: false,
        waitMs: msUntilUtcMidnight(now),
        reason: `${calls} calls would dip into the daily reserve of ${this.options.dailyReserve}`,
      };
    }
    const paused = Math.max(0, state.pausedUntil - now);
    const { limits } = state;
    if (limits === null)
      return {
        ok: true,
        waitMs: paused,
        reason: 'limits not yet known: requests go one at a time until the first response',
      };
    const span = this.spanOf(state, limits);
    prune(state.grants, now - span);
    const cap = Math.max(1, this.capOf(state, limits, lane, now));
    const availableNow = Math.max(0, cap - state.grants.length);
    // Callers already waiting are served first: an estimate that ignored them would promise slots they take.
    const beyond = calls + queuedAhead(this.queue.queued(locationId), lane) - availableNow;
    const waitMs = beyond <= 0 ? paused : paused + Math.ceil(beyond / cap) * span;
    return {
      ok: true,
      waitMs,
      reason: beyond <= 0 ? 'within the current window' : `needs ${Math.ceil(beyond / cap)} more window(s)`,
    };
  }

  private grant(state: LocationState, now: number): void {
    state.grants.push(now);
    if (state.dailyRemaining !== null) state.dailyRemaining -= 1;
  }

  private spanOf(state: LocationState, limits: Limits): number {
    return limits.intervalMs + this.configuredMarginOf(limits) + state.learnedMarginMs;
  }

  private configuredMarginOf(limits: Limits): number {
    return Math.max(this.minMarginMs, limits.intervalMs * this.marginRatio);
  }

  /** The window's cap for everyone: the max less what others are using. */
  private windowCap(state: LocationState, limits: Limits, now: number): number {
    if (state.external !== null && state.external.until <= now) state.external = null;
    return Math.max(1, limits.burstMax - (state.external?.count ?? 0));
  }

  /** Background stops short of the interactive share (but keeps at least one slot, never starving). */
  private capOf(state: LocationState, limits: Limits, lane: Lane, now: number): number {
    const cap = this.windowCap(state, limits, now);
    if (lane === 'interactive') return cap;
    return Math.max(1, cap - Math.ceil(cap * this.options.interactiveShare));
  }

  private stateOf(locationId: string): LocationState {
    let state = this.states.get(locationId);
    if (state === undefined) {
      state = {
        limits: null,
        grants: [],
        probesInFlight: 0,
        pausedUntil: 0,
        dailyRemaining: null,
        external: null,
        learnedMarginMs: 0,
      };
      this.states.set(locationId, state);
    }
    return state;
  }
}

function prune(grants: number[], before: number): void {
  let drop = 0;
  while (drop < grants.length && (grants[drop] ?? Infinity) <= before) drop += 1;
  if (drop > 0) grants.splice(0, drop);
}

/** GHL's daily reset time is unverified; UTC midnight is the estimate offered to callers. */
function msUntilUtcMidnight(now: number): number {
  return DAY_MS - (now % DAY_MS);
}
