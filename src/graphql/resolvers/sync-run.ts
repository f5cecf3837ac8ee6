/**
 * Field resolvers of SyncRun (over the stored run), its plan entries and its summary. The plan
 * is read in pages from the store (sync-run-entries-repo.ts) only when asked for: a dry run or a
 * verify may hold 10,000 entries, a sync none.
 */
import { InvalidCursorError } from '../../store/paging.js';
import type { RepairStatus } from '../../store/sync-run-entries-repo.js';
import type { SyncRun as StoredRun } from '../../store/sync-runs-repo.js';
import { userInputError } from '../errors.js';
import type {
  SyncPlanAction,
  SyncPlanEntryResolvers,
  SyncRepairStatus,
  SyncRunKind,
  SyncRunResolvers,
  SyncRunStatus,
  SyncRunSummaryResolvers,
} from '../resolvers-types.generated.js';
import { syncOf } from './query-sync-run-model.js';

const STATUS: Record<StoredRun['status'], SyncRunStatus> = {
  running: 'RUNNING',
  succeeded: 'SUCCEEDED',
  partial: 'PARTIAL',
  failed: 'FAILED',
};

const KIND: Record<StoredRun['kind'], SyncRunKind> = { sync: 'SYNC', dry_run: 'DRY_RUN', verify: 'VERIFY' };

const ACTIONS: ReadonlySet<string> = new Set<SyncPlanAction>([
  'CREATE',
  'UPDATE',
  'CONFLICT',
  'SKIP',
  'ARCHIVE',
  'DELETE',
  'MISSING_IN_ROOFR',
  'MISSING_IN_GHL',
  'DRIFT',
  'LINK_TO_DELETED',
  'DUPLICATE',
]);

const REPAIRS: Record<RepairStatus, SyncRepairStatus> = {
  queued: 'QUEUED',
  already_queued: 'ALREADY_QUEUED',
  manual: 'MANUAL',
  retired: 'RETIRED',
  none: 'NONE',
};

function isAction(action: string): action is SyncPlanAction {
  return ACTIONS.has(action);
}

export const SyncRun: SyncRunResolvers = {
  kind: (run) => KIND[run.kind],
  status: (run) => STATUS[run.status],
  durationMs: (run) => {
    const end = run.finishedAt === null ? Date.now() : Date.parse(run.finishedAt);
    return Math.max(0, end - Date.parse(run.startedAt));
  },
  errors: (run) =>
    run.errors.map((entry) => ({
      message: entry.message,
      code: entry.code ?? null,
      entityKind: entry.entityKind ?? null,
      entityId: entry.entityId ?? null,
      at: entry.at ?? null,
    })),
  async plan(run, { first, after }, context) {
    if (first < 1 || first > 500)
      throw userInputError('first must be between 1 and 500', {
        fields: [{ field: 'first', message: 'must be between 1 and 500' }],
      });
    if (run.kind === 'sync') return { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false } };
    try {
      const page = await syncOf(context).entries.list(run.id, { first, after: after ?? null });
      return {
        edges: page.items.map((entry) => ({ node: entry, cursor: String(entry.id) })),
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: after != null,
          startCursor: page.items[0] === undefined ? null : String(page.items[0].id),
          endCursor: page.endCursor,
        },
      };
    } catch (error) {
      if (error instanceof InvalidCursorError)
        throw userInputError(error.message, { fields: [{ field: 'after', message: error.message }] });
      throw error;
    }
  },
  summary: (run) => run.summary,
};

export const SyncPlanEntry: SyncPlanEntryResolvers = {
  id: (entry) => String(entry.id),
  // Stored actions come from this release's code; an unknown one (a newer release's) reads as SKIP.
  action: (entry) => (isAction(entry.action) ? entry.action : 'SKIP'),
  repair: (entry) => (entry.repair === null ? null : REPAIRS[entry.repair]),
  outboxId: (entry) => (entry.outboxId === null ? null : String(entry.outboxId)),
};

export const SyncRunSummary: SyncRunSummaryResolvers = {
  tallies: (summary) =>
    Object.entries(summary.tallies)
      .map(([key, count]) => {
        const dot = key.indexOf('.');
        return { targetKind: key.slice(0, dot), action: key.slice(dot + 1), count };
      })
      .sort((a, b) => a.targetKind.localeCompare(b.targetKind) || a.action.localeCompare(b.action)),
};
