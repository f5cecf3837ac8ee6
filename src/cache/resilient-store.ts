/**
 * The only door to the keyv store. It turns every store failure into "no cache" so a request
 * never fails because of the cache, and keeps a dead store from slowing requests down:
 *
 * - every operation races a short timeout (`opTimeoutMs`): a store that hangs costs at most that
 *   (except in this process's own memory, which answers before any timer could fire: racing it
 *   cost a warm query two timers per read, ~2% of its CPU);
 * - the first failure marks the store DOWN (logged once, `store_down` event); while down, every
 *   operation returns its "miss"/no-op result immediately, without touching the store;
 * - while down, a background probe reads one key every `probeIntervalMs`; the first success
 *   marks the store UP again (logged once with the outage length, `store_up` event).
 *
 * Values are `unknown` here: the read-through layer validates what it reads back.
 */
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import { entityOfKey } from './cache-keys.js';
import type { CacheStats } from './cache-stats.js';

export type CacheLogger = Pick<Logger, 'warn' | 'info' | 'debug'>;

interface ResilientStoreOptions {
  logger: CacheLogger;
  stats: CacheStats;
  /** e.g. "redis://127.0.0.1:6379" (password redacted), for log lines. */
  label: string;
  opTimeoutMs: number;
  probeIntervalMs: number;
  /** Closes what the keyv store holds open (connection, file). */
  dispose: () => Promise<void>;
  now?: () => number;
  /**
   * True for this process's own memory (memory://): no other process can write it, so counting
   * this process's writes is an exact "has anything changed?" (see `localWrites`), and it cannot
   * hang, so operations are not raced against a timeout.
   */
  local?: boolean;
}

export interface CacheHealth {
  state: 'up' | 'down';
  /** When the current state began (epoch ms). */
  since: number;
  /** Why the store went down, while it is down. */
  lastError: string | null;
}

/**
 * A value that cannot be stored (not JSON: a BigInt, a cycle). That is the caller's data, not
 * the store failing, so it must not mark the store down for everyone.
 */
export class CacheValueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CacheValueError';
  }
}

class StoreTimeoutError extends Error {
  constructor(operation: string, timeoutMs: number) {
    super(`cache ${operation} did not answer within ${timeoutMs} ms`);
    this.name = 'StoreTimeoutError';
  }
}

const PROBE_KEY = 'health:probe';

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export class ResilientStore {
  private state: CacheHealth['state'] = 'up';
  private since: number;
  private lastError: string | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private writes = 0;
  private readonly now: () => number;

  constructor(
    private readonly keyv: Keyv,
    private readonly options: ResilientStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.since = this.now();
    // Keyv re-emits store errors; the failing operation itself reports them (below), so a
    // listener that does nothing keeps them from being logged once per request.
    keyv.on('error', () => {});
  }

  health(): CacheHealth {
    return { state: this.state, since: this.since, lastError: this.lastError };
  }

  /**
   * Writes and deletes so far, for a store only this process writes; null for a shared store
   * (another replica may change it at any time). Equal counts mean nothing stored has changed.
   */
  get localWrites(): number | null {
    return this.options.local === true ? this.writes : null;
  }

  async get(key: string): Promise<unknown> {
    return this.guard('get', key, undefined, () => this.keyv.get<unknown>(key));
  }

  /** One round trip for all keys; `undefined` for each key missing (or for all, when the store is down). */
  async getMany(keys: string[]): Promise<unknown[]> {
    if (keys.length === 0) return [];
    const missing = keys.map(() => undefined);
    return this.guard('getMany', keys[0] ?? null, missing, async () => {
      const values = await this.keyv.getMany<unknown>(keys);
      return keys.map((_, index) => values[index]);
    });
  }

  /** `ttlMs` is how long the store keeps the value at all (freshness is the read-through layer's business). */
  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    this.writes += 1;
    await this.guard('set', key, undefined, async () => {
      await this.keyv.set(key, value, ttlMs);
    });
  }

  async setMany(entries: Array<{ key: string; value: unknown; ttlMs?: number }>): Promise<void> {
    if (entries.length === 0) return;
    this.writes += 1;
    await this.guard('setMany', entries[0]?.key ?? null, undefined, async () => {
      await this.keyv.setMany(entries.map(({ key, value, ttlMs }) => ({ key, value, ttl: ttlMs })));
    });
  }

  async delete(key: string): Promise<void> {
    this.writes += 1;
    await this.guard('delete', key, undefined, async () => {
      await this.keyv.delete(key);
    });
  }

  async deleteMany(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    this.writes += 1;
    await this.guard('deleteMany', keys[0] ?? null, undefined, async () => {
      await this.keyv.deleteMany(keys);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.probeTimer !== null) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    await this.options.dispose();
  }

  /** Marks the store down without an operation having failed (e.g. the first connection failed). */
  reportUnavailable(error: unknown, operation = 'connect'): void {
    this.markDown(error, operation);
  }

  private async guard<R>(operation: string, key: string | null, fallback: R, run: () => Promise<R>): Promise<R> {
    if (this.state === 'down' || this.closed) return fallback;
    try {
      return await this.withTimeout(operation, run());
    } catch (error) {
      if (error instanceof CacheValueError) {
        this.options.logger.warn(
          { cache: this.options.label, operation, key, err: error.message },
          'A value could not be cached; it is served uncached',
        );
        return fallback;
      }
      this.options.stats.record('store_error', key === null ? null : entityOfKey(key));
      this.markDown(error, operation);
      return fallback;
    }
  }

  private async withTimeout<R>(operation: string, work: Promise<R>): Promise<R> {
    if (this.options.local === true) return work;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreTimeoutError(operation, this.options.opTimeoutMs)),
        this.options.opTimeoutMs,
      );
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
      // The losing operation may still reject later; nobody awaits it any more.
      work.catch(() => {});
    }
  }

  private markDown(error: unknown, operation: string): void {
    if (this.state === 'down' || this.closed) return;
    this.state = 'down';
    this.since = this.now();
    this.lastError = describe(error);
    this.options.stats.record('store_down');
    this.options.logger.warn(
      { cache: this.options.label, operation, err: this.lastError },
      `Shared cache ${this.options.label} is unavailable; serving straight from upstream until it answers again (probing every ${this.options.probeIntervalMs} ms)`,
    );
    this.scheduleProbe();
  }

  private markUp(): void {
    const downForMs = this.now() - this.since;
    this.state = 'up';
    this.since = this.now();
    this.lastError = null;
    this.options.stats.record('store_up');
    this.options.logger.info(
      { cache: this.options.label, downForMs },
      `Shared cache ${this.options.label} recovered after ${downForMs} ms`,
    );
  }

  private scheduleProbe(): void {
    if (this.closed) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      this.withTimeout('probe', this.keyv.get(PROBE_KEY)).then(
        () => {
          if (!this.closed) this.markUp();
        },
        (error: unknown) => {
          this.lastError = describe(error);
          this.options.logger.debug(
            { cache: this.options.label, err: this.lastError },
            'Shared cache still unavailable',
          );
          this.scheduleProbe();
        },
      );
    }, this.options.probeIntervalMs);
    // The probe must not keep a finished process (or test run) alive.
    this.probeTimer.unref();
  }
}
