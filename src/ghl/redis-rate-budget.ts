/**
 * The rate budget shared by every replica through Redis (selected when REDIS_URL is set).
 * Same rules as InMemoryRateBudget (see rate-budget.ts), but the window, the daily counter, the
 * learnt limits and pauses live in Redis, so N replicas together stay inside one location's
 * limits: a 429 met by one replica pauses all of them, and limits read from one replica's
 * response headers are used by all.
 *
 * Lanes across replicas: background work may use (1 − interactiveShare) of a window, and yields
 * a free slot while any replica has interactive work waiting (the `iwait` set, which expires on
 * its own if a replica dies).
 *
 * Reservation is atomic in Redis (Lua, see redis-rate-budget-scripts.ts); waiting in FIFO order
 * is the shared RateBudgetQueue. The synchronous parts of the interface (snapshot, canAfford,
 * intervalMs) read a local mirror of the last state Redis returned; `refresh()` updates it.
 *
 * If Redis fails, the budget falls back to an in-memory one that assumes GHL_REPLICAS_HINT
 * replicas share the location, so it spends only 1/n of the reported limits; it logs once, and
 * tries Redis again every `retryRedisMs`.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Lane, RateBudgetSnapshot } from './ghl-api.js';
import { systemClock, type Clock } from './clock.js';
import { InMemoryRateBudget, queuedAhead, type Affordability, type RateBudget } from './rate-budget.js';
import { RateBudgetQueue, type AcquireOptions, type ReserveOutcome } from './rate-budget-queue.js';
import type { RateLimitHeaders } from './rate-limit-headers.js';
import { PAUSE_SCRIPT, PEEK_SCRIPT, RECORD_SCRIPT, RESERVE_SCRIPT } from './redis-rate-budget-scripts.js';

export interface RateBudgetLogger {
  warn(object: object, message?: string): void;
  info(object: object, message?: string): void;
}

export interface RedisRateBudgetOptions {
  redisUrl: string;
  dailyReserve: number;
  interactiveShare: number;
  /** Replicas assumed while Redis is unreachable (GHL_REPLICAS_HINT). */
  replicasHint: number;
  logger?: RateBudgetLogger;
  /** Prefix of every key; tests use a random one. */
  keyPrefix?: string;
  clock?: Clock;
  probeConcurrency?: number;
  minMarginMs?: number;
  marginRatio?: number;
  /** Longest one Redis command may take before the fallback answers (default 250 ms). */
  commandTimeoutMs?: number;
  /** How long the fallback answers after a Redis failure before Redis is tried again (default 1 s). */
  retryRedisMs?: number;
  /** How long past its expected wait a replica's "interactive waiting" mark outlives it (default 1 s). */
  interactiveWaitTtlMs?: number;
}

/** The state vector every script returns (order: STATE_FIELDS). */
interface Mirror {
  /** Local clock when read. */
  at: number;
  count: number;
  windowCap: number;
  burstMax: number | null;
  intervalMs: number | null;
  dailyMax: number | null;
  dailyRemaining: number | null;
  pausedForMs: number;
  oldestAgeMs: number | null;
  spanMs: number;
}

type ScriptReply = [
  string,
  number,
  string,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

function isScriptReply(value: unknown): value is ScriptReply {
  return Array.isArray(value) && value.length === 13 && typeof value[0] === 'string';
}

function orNull(value: number): number | null {
  return value < 0 ? null : value;
}

/** Headers as seen by one of `replicas` equal shares of the location's limits. */
function shareOf(headers: RateLimitHeaders, replicas: number): RateLimitHeaders {
  const part = (value: number) => Math.max(1, Math.floor(value / replicas));
  return {
    burstMax: part(headers.burstMax),
    burstRemaining: Math.floor(headers.burstRemaining / replicas),
    intervalMs: headers.intervalMs,
    dailyMax: headers.dailyMax === null ? null : part(headers.dailyMax),
    dailyRemaining: headers.dailyRemaining === null ? null : Math.floor(headers.dailyRemaining / replicas),
  };
}

export class RedisRateBudget implements RateBudget {
  /** Identifies this process in the shared "interactive waiting" set. */
  readonly replicaId = randomUUID();
  private readonly redis: Redis;
  private readonly clock: Clock;
  private readonly queue: RateBudgetQueue;
  private readonly fallback: InMemoryRateBudget;
  private readonly prefix: string;
  private readonly mirrors = new Map<string, Mirror>();
  /** Grants of this replica before limits were known, per location (each owes Redis a probe release). */
  private readonly probing = new Map<string, number>();
  private readonly shas = new Map<string, string>();
  /** This replica's grants awaiting their response, oldest first: record() re-stamps one to the response time. */
  private readonly outstanding = new Map<string, string[]>();
  private readonly minMarginMs: number;
  private readonly marginRatio: number;
  private readonly retryRedisMs: number;
  private grantCounter = 0;
  /** While set and in the future, the fallback answers. */
  private degradedUntil = 0;
  private degraded = false;

  constructor(private readonly options: RedisRateBudgetOptions) {
    if (options.interactiveShare < 0 || options.interactiveShare > 1)
      throw new RangeError('interactiveShare must be within [0, 1]');
    this.clock = options.clock ?? systemClock;
    this.prefix = options.keyPrefix ?? 'ghlgw:rate';
    // Wider than the in-memory budget's 50 ms / 2 %: a grant here is a Redis round trip away from
    // the send, in a process whose event loop may lag; a request still in flight counts from its
    // grant time, so the margin must cover grant → arrival at GHL.
    this.minMarginMs = options.minMarginMs ?? 250;
    this.marginRatio = options.marginRatio ?? 0.05;
    this.retryRedisMs = options.retryRedisMs ?? 1_000;
    this.redis = new Redis(options.redisUrl, {
      // Commands issued while (re)connecting queue, but the command timeout covers the wait and
      // a failed connection flushes the queue (no retries): the fallback answers within ~250 ms.
      enableOfflineQueue: true,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 250,
      connectTimeout: 1_000,
      retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000),
      lazyConnect: false,
    });
    // ioredis emits an error per failed (re)connect; failures are reported once through the fallback switch.
    this.redis.on('error', () => {});
    this.fallback = new InMemoryRateBudget({
      dailyReserve: Math.ceil(options.dailyReserve / options.replicasHint),
      interactiveShare: options.interactiveShare,
      clock: this.clock,
      probeConcurrency: options.probeConcurrency,
      minMarginMs: options.minMarginMs,
      marginRatio: options.marginRatio,
    });
    this.queue = new RateBudgetQueue((locationId, lane) => this.tryReserve(locationId, lane), this.clock);
  }

  /** Resolves once Redis answers (or rejects after `timeoutMs`); start-up may await it to log the mode. */
  async ready(timeoutMs = 2_000): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        reject(new Error(`Redis not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.redis.once('ready', onReady);
    });
  }

  /** True while Redis is failing and the in-memory fallback answers. */
  get usingFallback(): boolean {
    return this.degraded;
  }

  async tryReserve(locationId: string, lane: Lane): Promise<ReserveOutcome> {
    if (this.inFallback()) return this.fallback.reserveNow(locationId, lane);
    const grantId = `${this.replicaId}:${(this.grantCounter += 1)}`;
    const reply = await this.run(RESERVE_SCRIPT, locationId, [
      lane,
      this.options.interactiveShare,
      this.options.dailyReserve,
      this.options.probeConcurrency ?? 1,
      this.replicaId,
      grantId,
      this.options.interactiveWaitTtlMs ?? 1_000,
    ]);
    if (reply === null) return this.fallback.reserveNow(locationId, lane);
    const [kind, waitMs, reason] = reply;
    if (kind === 'granted') {
      if (reply[5] < 0) this.probing.set(locationId, (this.probing.get(locationId) ?? 0) + 1);
      const pending = this.outstanding.get(locationId) ?? [];
      // Bounded: a caller that never records (a crash between grant and send) cannot grow it.
      if (pending.length < 1_000) pending.push(grantId);
      this.outstanding.set(locationId, pending);
      return { kind: 'granted' };
    }
    if (kind === 'refused') {
      const dailyRemaining = reply[8];
      return {
        kind: 'refused',
        dailyRemaining,
        reserve: this.options.dailyReserve,
        retryAfterMs: msUntilUtcMidnight(reply[12]),
      };
    }
    const waitReason = reason === 'probing' || reason === 'paused' || reason === 'lane-share' ? reason : 'window';
    return { kind: 'wait', waitMs: Math.max(1, waitMs), reason: waitReason };
  }

  acquire(locationId: string, lane: Lane, options: AcquireOptions): Promise<void> {
    return this.queue.acquire(locationId, lane, options);
  }

  record(locationId: string, headers: RateLimitHeaders | null): void {
    // The fallback learns the limits too (as one replica's share), so a switch finds them known.
    this.fallback.record(locationId, headers === null ? null : shareOf(headers, this.options.replicasHint));
    const probes = this.probing.get(locationId) ?? 0;
    const wasProbe = probes > 0;
    if (wasProbe) this.probing.set(locationId, probes - 1);
    // Responses need not come back in grant order; re-stamping the oldest outstanding grant to
    // now only ever moves a grant later, which errs on the side of sending less.
    const grantId = this.outstanding.get(locationId)?.shift() ?? '';
    const args: Array<string | number> =
      headers === null
        ? [0, 0, 0, 0, -1, -1, wasProbe ? 1 : 0, grantId]
        : [
            1,
            headers.burstMax,
            headers.burstRemaining,
            headers.intervalMs,
            headers.dailyMax ?? -1,
            headers.dailyRemaining ?? -1,
            wasProbe ? 1 : 0,
            grantId,
          ];
    void this.run(RECORD_SCRIPT, locationId, args).finally(() => this.queue.wake(locationId));
    this.queue.wake(locationId);
  }

  pause(locationId: string, ms: number): void {
    this.fallback.pause(locationId, ms);
    void this.run(PAUSE_SCRIPT, locationId, [Math.ceil(ms)]).finally(() => this.queue.wake(locationId));
  }

  /** Re-reads the location's shared state into the mirror that snapshot() and canAfford() use. */
  async refresh(locationId: string): Promise<void> {
    if (this.inFallback()) return;
    await this.run(PEEK_SCRIPT, locationId, []);
  }

  intervalMs(locationId: string): number | null {
    if (this.degraded) return this.fallback.intervalMs(locationId);
    return this.mirrors.get(locationId)?.intervalMs ?? this.fallback.intervalMs(locationId);
  }

  snapshot(locationId: string): RateBudgetSnapshot {
    const mirror = this.mirrors.get(locationId);
    if (this.degraded || mirror === undefined)
      return { ...this.fallback.snapshot(locationId), queued: this.queue.queued(locationId) };
    const elapsed = Math.max(0, this.clock.now() - mirror.at);
    const queued = this.queue.queued(locationId);
    const pausedFor = Math.max(0, mirror.pausedForMs - elapsed);
    if (mirror.burstMax === null || mirror.intervalMs === null) {
      return {
        locationId,
        limitsKnown: false,
        burstMax: 0,
        burstRemaining: 0,
        intervalMs: 0,
        dailyMax: 0,
        dailyRemaining: mirror.dailyRemaining ?? 0,
        dailyReserve: this.options.dailyReserve,
        queued,
        resetInMs: pausedFor,
      };
    }
    const windowFreesIn = mirror.oldestAgeMs === null ? 0 : Math.max(0, mirror.spanMs - mirror.oldestAgeMs - elapsed);
    return {
      locationId,
      limitsKnown: true,
      burstMax: mirror.burstMax,
      // Grants made after the read are not seen; call refresh() first when it matters.
      burstRemaining: Math.max(0, mirror.windowCap - mirror.count),
      intervalMs: mirror.intervalMs,
      dailyMax: mirror.dailyMax ?? 0,
      dailyRemaining: mirror.dailyRemaining ?? mirror.dailyMax ?? 0,
      dailyReserve: this.options.dailyReserve,
      queued,
      resetInMs: Math.max(pausedFor, windowFreesIn),
    };
  }

  canAfford(locationId: string, calls: number, lane: Lane): Affordability {
    const mirror = this.mirrors.get(locationId);
    if (this.degraded || mirror === undefined) return this.fallback.canAfford(locationId, calls, lane);
    if (mirror.dailyRemaining !== null && mirror.dailyRemaining - calls < this.options.dailyReserve) {
      return {
        ok: false,
        waitMs: msUntilUtcMidnight(this.clock.now()),
        reason: `${calls} calls would dip into the daily reserve of ${this.options.dailyReserve}`,
      };
    }
    const snapshot = this.snapshot(locationId);
    const paused = Math.max(0, mirror.pausedForMs - Math.max(0, this.clock.now() - mirror.at));
    if (!snapshot.limitsKnown)
      return {
        ok: true,
        waitMs: paused,
        reason: 'limits not yet known: requests go one at a time until the first response',
      };
    const windowCap = mirror.windowCap;
    const cap =
      lane === 'interactive'
        ? windowCap
        : Math.max(1, windowCap - Math.ceil(windowCap * this.options.interactiveShare));
    const used = windowCap - snapshot.burstRemaining;
    const availableNow = Math.max(0, cap - used);
    // This replica's waiting callers are served first (other replicas' queues show in `used` once granted).
    const beyond = calls + queuedAhead(this.queue.queued(locationId), lane) - availableNow;
    const waitMs = beyond <= 0 ? paused : paused + Math.ceil(beyond / cap) * mirror.spanMs;
    return {
      ok: true,
      waitMs,
      reason: beyond <= 0 ? 'within the current window' : `needs ${Math.ceil(beyond / cap)} more window(s)`,
    };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private inFallback(): boolean {
    return this.degraded && this.clock.now() < this.degradedUntil;
  }

  private keysOf(locationId: string): string[] {
    // The hash tag keeps a location's keys in one slot (Lua needs that on a cluster).
    const tag = `{${encodeURIComponent(locationId)}}`;
    return [`${this.prefix}:${tag}:grants`, `${this.prefix}:${tag}:state`, `${this.prefix}:${tag}:iwait`];
  }

  /** Runs a script (EVALSHA, loading it on NOSCRIPT); null when Redis failed (the fallback then answers). */
  private async run(script: string, locationId: string, args: Array<string | number>): Promise<ScriptReply | null> {
    const keys = this.keysOf(locationId);
    const argv = [this.minMarginMs, this.marginRatio, ...args].map(String);
    try {
      let sha = this.shas.get(script);
      if (sha === undefined) {
        sha = String(await this.redis.script('LOAD', script));
        this.shas.set(script, sha);
      }
      let reply: unknown;
      try {
        reply = await this.redis.evalsha(sha, keys.length, ...keys, ...argv);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
        reply = await this.redis.eval(script, keys.length, ...keys, ...argv);
      }
      if (!isScriptReply(reply)) throw new Error('unexpected reply from the rate budget script');
      this.remember(locationId, reply);
      if (this.degraded) {
        this.degraded = false;
        this.options.logger?.info(
          { component: 'rate-budget' },
          'Redis answers again: the HighLevel rate budget is shared by all replicas again',
        );
      }
      return reply;
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.options.logger?.warn(
          {
            component: 'rate-budget',
            err: error instanceof Error ? error.message : String(error),
            replicasHint: this.options.replicasHint,
          },
          'Redis failed: the HighLevel rate budget falls back to this process, spending 1/GHL_REPLICAS_HINT of the limits; check REDIS_URL',
        );
      }
      this.degradedUntil = this.clock.now() + this.retryRedisMs;
      return null;
    }
  }

  private remember(locationId: string, reply: ScriptReply): void {
    const oldest = reply[10];
    this.mirrors.set(locationId, {
      at: this.clock.now(),
      count: reply[3],
      windowCap: reply[4],
      burstMax: orNull(reply[5]),
      intervalMs: orNull(reply[6]),
      dailyMax: orNull(reply[7]),
      dailyRemaining: orNull(reply[8]),
      pausedForMs: reply[9],
      oldestAgeMs: oldest < 0 ? null : oldest,
      spanMs: reply[11],
    });
  }
}

const DAY_MS = 86_400_000;

/** GHL's daily reset time is unverified; UTC midnight is the estimate offered to callers. */
function msUntilUtcMidnight(now: number): number {
  return DAY_MS - (now % DAY_MS);
}
