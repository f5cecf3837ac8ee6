/**
 * What read-through stores under a key: the value and when it was stored and stops being
 * fresh. Times are the gateway's clock (epoch ms), so freshness never depends on the store's
 * own expiry (which only decides how long the stale copy stays available as a fallback).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const CacheEntrySchema = z.object({
  value: z.unknown(),
  storedAt: z.number(),
  expiresAt: z.number(),
  version: z.string().optional(),
});
export interface CacheEntry<T> {
  value: T;
  storedAt: number;
  expiresAt: number;
  /**
   * Unique per write (see newEntryVersion): what a cached whole response remembers of each value
   * it was built from. storedAt alone is not enough: two writes can share a millisecond.
   */
  version?: string;
}

/** A tag no other process shares, so versions from replicas sharing a Redis never collide. */
const PROCESS_TAG = randomBytes(6).toString('base64url');
let writes = 0;

/** A version for the next write: this process's tag and a counter (cheaper than random bytes per write). */
export function newEntryVersion(): string {
  writes += 1;
  return `${PROCESS_TAG}.${writes.toString(36)}`;
}

export type Freshness =
  /** Within the TTL: serve. */
  | 'fresh'
  /** Past the TTL, within the grace window: serve and refresh in the background. */
  | 'grace'
  /** Past the grace window, within max-stale: reload; serve only if upstream fails retryably. */
  | 'fallback'
  /** Too old to serve at all. */
  | 'expired';

export function freshnessOf(entry: CacheEntry<unknown>, now: number, graceMs: number, maxStaleMs: number): Freshness {
  if (now < entry.expiresAt) return 'fresh';
  if (now < entry.expiresAt + graceMs) return 'grace';
  if (now <= entry.expiresAt + maxStaleMs) return 'fallback';
  return 'expired';
}

/**
 * Reads back an envelope: anything else under the key (another version's layout, a foreign
 * writer on a shared Redis) is treated as a miss. With a value schema, the value is checked too.
 */
export function parseEntry<T>(raw: unknown, valueSchema?: z.ZodType<T>): CacheEntry<T> | undefined {
  const envelope = CacheEntrySchema.safeParse(raw);
  if (!envelope.success) return undefined;
  if (valueSchema === undefined) {
    // Without a schema the key's builder is the type's guarantee: one key, one value type.
    return envelope.data as CacheEntry<T>;
  }
  const value = valueSchema.safeParse(envelope.data.value);
  if (!value.success) return undefined;
  const { storedAt, expiresAt, version } = envelope.data;
  return { value: value.data, storedAt, expiresAt, ...(version === undefined ? {} : { version }) };
}
