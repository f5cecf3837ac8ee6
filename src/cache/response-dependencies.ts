/**
 * What one GraphQL response was built from, recorded while it executes, so the whole response
 * can be reused later exactly as long as none of it changed (see response-cache.ts). Every
 * cached value the loaders read is remembered with its entry version; a search or list also
 * remembers the search generation it was keyed under. Anything that is not a fresh value from
 * the shared cache (an upstream load, a stale serve, a miss, an error) spoils the response for
 * reuse: only answers that a later identical execution would reproduce from the cache are kept.
 */
import { generationOfKey } from './cache-keys.js';

export type ResponseDependency =
  /** A cached value: still there, still fresh, same version. */
  | { kind: 'entry'; key: string; version: string }
  /** A location's search generation: unchanged (searches and lists keyed under it still current). */
  | { kind: 'generation'; key: string; token: string };

/** What noteRead needs of a read-through result (read-through.ts's ReadResult has these). */
interface CachedRead {
  fromCache: boolean;
  stale: boolean;
  version: string | null;
}

export class ResponseDependencies {
  private readonly entries = new Map<string, ResponseDependency>();
  private spoiledBy: string | null = null;

  /** A read-through result for `key`, as the loader got it (an Error or undefined: nothing usable). */
  noteRead(key: string, result: CachedRead | Error | undefined): void {
    if (result === undefined || result instanceof Error) return this.spoil('a value was absent or failed');
    if (!result.fromCache || result.stale || result.version === null)
      return this.spoil('a value was loaded upstream or served stale');
    this.entries.set(key, { kind: 'entry', key, version: result.version });
    const generation = generationOfKey(key);
    if (generation !== null) this.entries.set(generation.key, { kind: 'generation', ...generation });
  }

  /** The response must not be reused (the first reason is kept, for debugging). */
  spoil(reason: string): void {
    this.spoiledBy ??= reason;
  }

  get spoiled(): string | null {
    return this.spoiledBy;
  }

  /** What the response depends on; null when it must not be reused or depends on nothing cached. */
  list(): ResponseDependency[] | null {
    if (this.spoiledBy !== null || this.entries.size === 0) return null;
    return [...this.entries.values()];
  }
}
