/**
 * Read-through with stale-while-revalidate and serve-stale-on-failure, over the resilient store.
 *
 * For a key, by the age of what the cache holds (times from the injected clock):
 *   within TTL                       → the cached value (fromCache, not stale)
 *   past TTL, within grace           → the cached value, stale; one background refresh (lane "background")
 *   past grace, within max-stale     → load; if the loader fails retryably (rate limited, unavailable,
 *                                      timeout, budget reserve) → the cached value, stale, with its age
 *   nothing usable                   → load (single-flight: concurrent identical loads run once)
 * A NotFound from the loader is never masked: it propagates and evicts the key.
 * Any other loader error (unauthorized, missing scope, validation, contract) propagates too:
 * serving cached data to a caller upstream just refused would bypass that refusal.
 */
import type { z } from 'zod';
import { isTransientUpstreamFailure, isUpstreamError } from '../upstream/errors.js';
import type { Lane } from '../ghl/ghl-api.js';
import { freshnessOf, newEntryVersion, parseEntry, type CacheEntry, type Freshness } from './cache-entry.js';
import { entityOfKey } from './cache-keys.js';
import type { CacheStats } from './cache-stats.js';
import type { ResponseDependency } from './response-dependencies.js';
import { SingleFlight } from '../domain/single-flight.js';
import type { CacheLogger, ResilientStore } from './resilient-store.js';

export interface ReadResult<T> {
  value: T;
  /** True when served past its TTL (grace window, or upstream failed). */
  stale: boolean;
  /** Age of the value: now − when it was stored; 0 for a value just loaded. */
  ageMs: number;
  /** True when the value came from the shared cache rather than this call's (or a joined) upstream call. */
  fromCache: boolean;
  /** The cached entry's version (fromCache only; null for a value just loaded or an entry written without one). */
  version: string | null;
}

export interface LoaderContext {
  /** "background" for stale-while-revalidate refreshes, so they yield to interactive traffic in the rate budget. */
  lane: Lane;
}

export type Loader<T> = (context: LoaderContext) => Promise<T>;

/**
 * Loads the values of `missingKeys`. A key left out of the map does not exist upstream (any
 * cached copy is evicted); a key mapped to an Error failed on its own: a transient failure is
 * answered with that key's stale copy when one exists, and never fails the batch's other keys.
 */
export type LoadMissing<T> = (missingKeys: string[], context: LoaderContext) => Promise<Map<string, T | Error>>;

export interface ReadThroughOptions<T> {
  /** How long past its TTL a value is still served while refreshed in the background; default CACHE_STALE_GRACE_MS. */
  graceMs?: number;
  /** Lane of the loader call on a miss; default "interactive". */
  lane?: Lane;
  /** Checks values read back from the store (a shared Redis may hold another version's shape); a mismatch is a miss. */
  schema?: z.ZodType<T>;
}

/** Upstream failures that say "try later", not "no": a stale value is better than an error for them. */
function isServeStaleFailure(error: unknown): boolean {
  return isTransientUpstreamFailure(error);
}

function isNotFound(error: unknown): boolean {
  return isUpstreamError(error) && error.kind === 'NotFound';
}

/** A value served from the cache: its age at `at`, and the entry's version. */
function fromEntry<T>(entry: CacheEntry<T>, stale: boolean, at: number): ReadResult<T> {
  return { value: entry.value, stale, ageMs: at - entry.storedAt, fromCache: true, version: entry.version ?? null };
}

/** A value this call (or one it joined) just loaded upstream. */
function justLoaded<T>(value: T): ReadResult<T> {
  return { value, stale: false, ageMs: 0, fromCache: false, version: null };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

interface ReadThroughDeps {
  store: ResilientStore;
  stats: CacheStats;
  logger: CacheLogger;
  now: () => number;
  graceMs: number;
  maxStaleMs: number;
}

export class ReadThrough {
  /** Single-key loads and batched loads coalesce separately: a batch resolves "absent" where a single load throws. */
  private readonly single: SingleFlight;
  private readonly batched: SingleFlight;
  /** Keys invalidated while their load was in flight: that load's (pre-mutation) result must not be stored. */
  private readonly tainted = new Set<string>();
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly deps: ReadThroughDeps) {
    const onCoalesced = (key: string) => deps.stats.record('coalesced', entityOfKey(key));
    this.single = new SingleFlight(onCoalesced);
    this.batched = new SingleFlight(onCoalesced);
  }

  async readThrough<T>(
    key: string,
    ttlMs: number,
    loader: Loader<T>,
    options: ReadThroughOptions<T> = {},
  ): Promise<ReadResult<T>> {
    const { stats, now } = this.deps;
    const entity = entityOfKey(key);
    const graceMs = options.graceMs ?? this.deps.graceMs;
    const entry = parseEntry(await this.deps.store.get(key), options.schema);
    const at = now();
    const freshness = entry === undefined ? 'expired' : freshnessOf(entry, at, graceMs, this.deps.maxStaleMs);

    if (entry !== undefined && freshness === 'fresh') {
      stats.record('hit', entity);
      return fromEntry(entry, false, at);
    }
    if (entry !== undefined && freshness === 'grace') {
      stats.record('stale', entity);
      this.revalidate(key, ttlMs, loader);
      return fromEntry(entry, true, at);
    }

    stats.record('miss', entity);
    try {
      const value = await this.load(key, ttlMs, loader, options.lane ?? 'interactive');
      return justLoaded(value);
    } catch (error) {
      if (entry !== undefined && freshness === 'fallback' && isServeStaleFailure(error)) {
        stats.record('stale_on_error', entity);
        this.deps.logger.debug(
          { key, err: asError(error).message },
          'Serving a stale cached value: upstream failed retryably',
        );
        return fromEntry(entry, true, now());
      }
      throw error;
    }
  }

  /**
   * The batched form for DataLoader batch functions: one getMany for all keys, one
   * `loadMissing` call for the misses (keys already being loaded by another batch are joined,
   * not loaded again). Returns, in `keys` order, per key: a ReadResult; `undefined` when
   * `loadMissing` left the key out (absent upstream; any cached copy is evicted); or the
   * loader's Error when it failed and no stale value could stand in.
   */
  async readThroughMany<T>(
    keys: readonly string[],
    ttlMs: number,
    loadMissing: LoadMissing<T>,
    options: ReadThroughOptions<T> = {},
  ): Promise<Array<ReadResult<T> | Error | undefined>> {
    const { stats, now } = this.deps;
    const graceMs = options.graceMs ?? this.deps.graceMs;
    const unique = [...new Set(keys)];
    const raws = await this.deps.store.getMany(unique);
    const at = now();
    const results = new Map<string, ReadResult<T> | Error | undefined>();
    const fallbacks = new Map<string, CacheEntry<T>>();
    const toLoad: string[] = [];
    const toRevalidate: string[] = [];

    unique.forEach((key, index) => {
      const entity = entityOfKey(key);
      const entry = parseEntry(raws[index], options.schema);
      const freshness = entry === undefined ? 'expired' : freshnessOf(entry, at, graceMs, this.deps.maxStaleMs);
      if (entry !== undefined && freshness === 'fresh') {
        stats.record('hit', entity);
        results.set(key, fromEntry(entry, false, at));
      } else if (entry !== undefined && freshness === 'grace') {
        stats.record('stale', entity);
        results.set(key, fromEntry(entry, true, at));
        toRevalidate.push(key);
      } else {
        stats.record('miss', entity);
        if (entry !== undefined && freshness === 'fallback') fallbacks.set(key, entry);
        toLoad.push(key);
      }
    });

    if (toRevalidate.length > 0) {
      const flights = this.loadBatch(toRevalidate, ttlMs, loadMissing, 'background');
      this.track(
        Promise.allSettled([...flights.values()]).then((outcomes) => {
          for (const [index, outcome] of outcomes.entries()) {
            const entity = entityOfKey(toRevalidate[index] ?? '');
            stats.record(outcome.status === 'fulfilled' ? 'revalidated' : 'revalidate_failed', entity);
          }
        }),
      );
    }

    if (toLoad.length > 0) {
      const flights = this.loadBatch(toLoad, ttlMs, loadMissing, options.lane ?? 'interactive');
      await Promise.all(
        toLoad.map(async (key) => {
          try {
            const value = await flights.get(key);
            results.set(key, value === undefined ? undefined : justLoaded(value));
          } catch (error) {
            const stale = fallbacks.get(key);
            if (stale !== undefined && isServeStaleFailure(error)) {
              stats.record('stale_on_error', entityOfKey(key));
              results.set(key, fromEntry(stale, true, now()));
            } else {
              results.set(key, asError(error));
            }
          }
        }),
      );
    }

    return keys.map((key) => results.get(key));
  }

  /**
   * How fresh each key's cached value is, without loading anything (admission control asks
   * whether an operation will cost upstream calls). "absent" when nothing usable is stored.
   */
  async peekMany(keys: readonly string[]): Promise<Array<Freshness | 'absent'>> {
    const raws = await this.deps.store.getMany([...keys]);
    const at = this.deps.now();
    return keys.map((_key, index) => {
      const entry = parseEntry(raws[index]);
      return entry === undefined ? 'absent' : freshnessOf(entry, at, this.deps.graceMs, this.deps.maxStaleMs);
    });
  }

  /**
   * Whether a response built from `dependencies` would still be built the same: every entry is
   * still stored under the same version and still fresh, every generation unchanged. Returns
   * until when that holds at the latest (the first TTL to run out), or null when it does not.
   * One getMany; a store that is down answers nothing, so nothing is current.
   */
  async stillCurrent(dependencies: readonly ResponseDependency[]): Promise<number | null> {
    if (dependencies.length === 0) return null;
    const raws = await this.deps.store.getMany(dependencies.map((dependency) => dependency.key));
    const at = this.deps.now();
    let freshUntil = Number.POSITIVE_INFINITY;
    for (const [index, dependency] of dependencies.entries()) {
      const raw = raws[index];
      if (dependency.kind === 'generation') {
        if (raw !== dependency.token) return null;
        continue;
      }
      const entry = parseEntry(raw);
      if (entry === undefined || entry.version !== dependency.version || at >= entry.expiresAt) return null;
      freshUntil = Math.min(freshUntil, entry.expiresAt);
    }
    return freshUntil;
  }

  /** See ResilientStore.localWrites: null unless only this process writes the store. */
  get localWrites(): number | null {
    return this.deps.store.localWrites;
  }

  /**
   * Stores a value known to be current (e.g. the contact a mutation just returned), so the next
   * read is a hit instead of an upstream call. Call it after the mutation's invalidation.
   */
  async prime<T>(key: string, ttlMs: number, value: T): Promise<void> {
    await this.write(key, value, ttlMs);
  }

  /**
   * Called by invalidation for keys it evicts: a load of such a key already in flight started
   * before the mutation, so its result is returned to its callers but not stored.
   */
  forgetInFlight(keys: readonly string[]): void {
    for (const key of keys) {
      if (this.single.has(key) || this.batched.has(key)) this.tainted.add(key);
    }
  }

  /** Resolves when every background refresh started so far has finished (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  private load<T>(key: string, ttlMs: number, loader: Loader<T>, lane: Lane): Promise<T> {
    return this.single.run(key, async () => {
      try {
        const value = await loader({ lane });
        if (!this.tainted.has(key)) await this.write(key, value, ttlMs);
        return value;
      } catch (error) {
        // The thing is gone upstream: a stale copy must not resurface on a later failure.
        if (isNotFound(error)) await this.deps.store.delete(key);
        throw error;
      } finally {
        this.tainted.delete(key);
      }
    });
  }

  private loadBatch<T>(
    keys: string[],
    ttlMs: number,
    loadMissing: LoadMissing<T>,
    lane: Lane,
  ): Map<string, Promise<T | undefined>> {
    const flights = new Map<string, Promise<T | undefined>>();
    const fresh: string[] = [];
    for (const key of keys) {
      const existing = this.batched.get<T | undefined>(key);
      if (existing === undefined) fresh.push(key);
      else flights.set(key, existing);
    }
    if (fresh.length === 0) return flights;
    const started = this.batched.runMany(fresh, async () => {
      try {
        const loaded = await loadMissing(fresh, { lane });
        const storedAt = this.deps.now();
        // A key that failed alone is not stored: a transient failure leaves its stale copy to
        // stand in; a NotFound evicts it like a key left out (the thing is gone upstream).
        const found = fresh.filter((key) => {
          const value = loaded.get(key);
          return loaded.has(key) && !(value instanceof Error) && !this.tainted.has(key);
        });
        const absent = fresh.filter((key) => !loaded.has(key) || isNotFound(loaded.get(key)));
        await Promise.all([
          this.deps.store.setMany(
            found.map((key) => ({
              key,
              value: { value: loaded.get(key), storedAt, expiresAt: storedAt + ttlMs, version: newEntryVersion() },
              ttlMs: ttlMs + this.deps.maxStaleMs,
            })),
          ),
          this.deps.store.deleteMany(absent),
        ]);
        return loaded;
      } finally {
        for (const key of fresh) this.tainted.delete(key);
      }
    });
    for (const [key, flight] of started) flights.set(key, flight);
    return flights;
  }

  private async write<T>(key: string, value: T, ttlMs: number): Promise<void> {
    const storedAt = this.deps.now();
    const entry: CacheEntry<T> = { value, storedAt, expiresAt: storedAt + ttlMs, version: newEntryVersion() };
    // The store keeps it past its TTL for max-stale, so it can stand in when upstream fails.
    await this.deps.store.set(key, entry, ttlMs + this.deps.maxStaleMs);
  }

  private revalidate<T>(key: string, ttlMs: number, loader: Loader<T>): void {
    const entity = entityOfKey(key);
    this.track(
      this.load(key, ttlMs, loader, 'background').then(
        () => this.deps.stats.record('revalidated', entity),
        (error: unknown) => {
          this.deps.stats.record('revalidate_failed', entity);
          this.deps.logger.debug(
            { key, err: asError(error).message },
            'Background refresh of a stale cache entry failed; the stale value stays',
          );
        },
      ),
    );
  }

  private track(work: Promise<void>): void {
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
  }
}
