/**
 * What a resolver returns for a sync run, and the sync service a resolver needs. A run is the
 * stored run itself (codegen maps SyncRun to it); the SyncRun type resolvers (sync-run.ts) turn
 * its stored shape into the GraphQL one, field by field.
 */
import { GraphQLError } from 'graphql';
import type { SyncRun as StoredRun } from '../../store/sync-runs-repo.js';
import type { SyncService } from '../../sync/sync-service.js';
import type { GraphQLContext } from '../context.js';
import { ErrorCode } from '../errors.js';
import type { SyncRunStatus } from '../resolvers-types.generated.js';

export function toStoredStatus(status: SyncRunStatus): StoredRun['status'] {
  return status.toLowerCase() as StoredRun['status'];
}

/** The run as resolvers return it (its fields resolve in sync-run.ts). */
export function syncRunView(run: StoredRun): StoredRun {
  return run;
}

export function syncOf(context: GraphQLContext): SyncService {
  if (context.sync === undefined)
    throw new GraphQLError('Sync is not configured on this gateway (no store was given to startGateway)', {
      extensions: { code: ErrorCode.Forbidden },
    });
  return context.sync;
}
