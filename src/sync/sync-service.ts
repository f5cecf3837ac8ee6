/** What the GraphQL layer sees of the sync engine: the manual triggers and the run records. */
import type { SyncRunsRepo } from '../store/sync-runs-repo.js';
import type { SyncEngine } from './sync-engine.js';

export interface SyncService {
  engine: Pick<SyncEngine, 'startSync' | 'syncContact'>;
  runs: Pick<SyncRunsRepo, 'get' | 'list'>;
}
