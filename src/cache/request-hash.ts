/**
 * A stable hash of a request object for search and list cache keys: the same request with its
 * object keys in another order hashes the same, so equal searches share one cache entry.
 * Arrays keep their order (filter and sort order change results).
 */
import { createHash } from 'node:crypto';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      // undefined properties vanish in JSON anyway; dropping them first keeps {a: undefined} equal to {}
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, inner]) => [key, canonical(inner)]));
  }
  return value;
}

/** 128 bits of SHA-256 over canonical JSON, base64url: short keys, collisions out of reach. */
export function hashRequest(request: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(request)) ?? 'undefined')
    .digest('base64url')
    .slice(0, 22);
}
