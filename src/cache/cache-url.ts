/**
 * CACHE_URL picks the shared cache's store:
 *   memory://[?maxEntries=50000&maxBytes=67108864]   one process, LRU bounded by entries and bytes
 *   sqlite://<path>[?purgeIntervalMs=60000]          survives restarts; sqlite:///abs/path, sqlite://rel/path, sqlite://:memory:
 *   redis://… or rediss://…                          shared by replicas (the URL goes to ioredis as is)
 */
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

const MemoryOptionsSchema = z
  .object({
    maxEntries: positiveInt.default(50_000),
    maxBytes: positiveInt.default(64 * 1024 * 1024),
  })
  .strict();

const SqliteOptionsSchema = z
  .object({
    purgeIntervalMs: positiveInt.default(60_000),
  })
  .strict();

type CacheUrl =
  | { kind: 'memory'; maxEntries: number; maxBytes: number }
  | { kind: 'sqlite'; path: string; purgeIntervalMs: number }
  | { kind: 'redis'; url: string };

function splitQuery(rest: string): { body: string; query: Record<string, string> } {
  const at = rest.indexOf('?');
  if (at < 0) return { body: rest, query: {} };
  return { body: rest.slice(0, at), query: Object.fromEntries(new URLSearchParams(rest.slice(at + 1))) };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

class CacheUrlError extends Error {
  constructor(message: string) {
    super(`CACHE_URL: ${message}`);
    this.name = 'CacheUrlError';
  }
}

/** Throws CacheUrlError naming what is wrong and what is accepted. */
export function parseCacheUrl(text: string): CacheUrl {
  const trimmed = text.trim();
  if (trimmed.startsWith('memory://')) {
    const { body, query } = splitQuery(trimmed.slice('memory://'.length));
    if (body !== '') throw new CacheUrlError(`memory:// takes no path, only ?maxEntries=…&maxBytes=… (got "${body}")`);
    const options = MemoryOptionsSchema.safeParse(query);
    if (!options.success) throw new CacheUrlError(`memory:// options: ${describeIssues(options.error)}`);
    return { kind: 'memory', ...options.data };
  }
  if (trimmed.startsWith('sqlite://')) {
    const { body, query } = splitQuery(trimmed.slice('sqlite://'.length));
    if (body === '')
      throw new CacheUrlError(
        'sqlite:// needs a file path, e.g. sqlite://data/cache.db or sqlite:///var/lib/gateway/cache.db',
      );
    const options = SqliteOptionsSchema.safeParse(query);
    if (!options.success) throw new CacheUrlError(`sqlite:// options: ${describeIssues(options.error)}`);
    return { kind: 'sqlite', path: decodeURIComponent(body), ...options.data };
  }
  if (trimmed.startsWith('redis://') || trimmed.startsWith('rediss://')) {
    try {
      new URL(trimmed);
    } catch {
      throw new CacheUrlError(`not a valid Redis URL: ${redactUrl(trimmed)}`);
    }
    return { kind: 'redis', url: trimmed };
  }
  throw new CacheUrlError(
    `unsupported scheme in "${redactUrl(trimmed)}": use memory://, sqlite://<path> or redis://host:port`,
  );
}

/** For logs: a Redis URL may carry a password. */
export function redactUrl(text: string): string {
  return text.replace(/\/\/([^@/]*)@/, '//***@');
}

/** For config.ts: the same checks as a zod refinement, so start-up lists this problem with the others. */
export const CacheUrlEnvSchema = z
  .string()
  .default('memory://')
  .superRefine((text, context) => {
    try {
      parseCacheUrl(text);
    } catch (error) {
      context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    }
  });
