/** The GraphQL view of a stored sync run, and the sync service a resolver needs. */
import { GraphQLError } from 'graphql';
import type { SyncRun as StoredRun } from '../../store/sync-runs-repo.js';
import type { SyncService } from '../../sync/sync-service.js';
import type { GraphQLContext } from '../context.js';
import { ErrorCode } from '../errors.js';
import type { SyncRun, SyncRunStatus } from '../resolvers-types.generated.js';

const STATUS: Record<StoredRun['status'], SyncRunStatus> = {
  running: 'RUNNING',
  succeeded: 'SUCCEEDED',
  partial: 'PARTIAL',
  failed: 'FAILED',
};

export function toStoredStatus(status: SyncRunStatus): StoredRun['status'] {
  return status.toLowerCase() as StoredRun['status'];
}

export function syncRunView(run: StoredRun, now: number = Date.now()): SyncRun {
  const end = run.finishedAt === null ? now : Date.parse(run.finishedAt);
  return {
    id: run.id,
    trigger: run.trigger,
    locationId: run.locationId,
    businessId: run.businessId,
    mode: run.mode,
    status: STATUS[run.status],
    counts: run.counts,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: Math.max(0, end - Date.parse(run.startedAt)),
    errors: run.errors.map((entry) => ({
      message: entry.message,
      code: entry.code ?? null,
      entityKind: entry.entityKind ?? null,
      entityId: entry.entityId ?? null,
      at: entry.at ?? null,
    })),
  };
}

export function syncOf(context: GraphQLContext): SyncService {
  if (context.sync === undefined)
    throw new GraphQLError('Sync is not configured on this gateway (no store was given to startGateway)', {
      extensions: { code: ErrorCode.Forbidden },
    });
  return context.sync;
}
