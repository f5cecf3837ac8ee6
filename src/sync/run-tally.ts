/**
 * What one piece of sync work came to, in the shape sync runs record: counts plus error/log
 * entries. Tallies are merged page by page and written with the page's checkpoint, so a page
 * that is redone after a crash is counted once.
 */
import type { SyncRunCounts, SyncRunError } from '../store/sync-runs-repo.js';

export interface RunTally {
  counts: SyncRunCounts;
  /** Errors and the log of overwritten values, deletes and skips (SyncRunError.code says which). */
  errors: SyncRunError[];
}

export function emptyTally(): RunTally {
  return {
    counts: { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0, skipped: 0, conflicts: 0 },
    errors: [],
  };
}

export function mergeTally(into: RunTally, from: RunTally): RunTally {
  for (const key of Object.keys(into.counts) as Array<keyof SyncRunCounts>) into.counts[key] += from.counts[key];
  into.errors.push(...from.errors);
  return into;
}

export function logEntry(code: string, message: string, entity?: { kind: string; id: string }): SyncRunError {
  return {
    code,
    message,
    at: new Date().toISOString(),
    ...(entity ? { entityKind: entity.kind, entityId: entity.id } : {}),
  };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
