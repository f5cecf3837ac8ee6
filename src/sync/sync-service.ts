/** What the GraphQL layer sees of the sync engine: the manual triggers, the run records and their plans. */
import type { SyncRunEntriesRepo } from '../store/sync-run-entries-repo.js';
import type { SyncRunsRepo } from '../store/sync-runs-repo.js';
import type { SyncEngine } from './sync-engine.js';

export interface SyncService {
  engine: Pick<SyncEngine, 'startSync' | 'syncContact' | 'startVerify'>;
  runs: Pick<SyncRunsRepo, 'get' | 'list'>;
  /** A dry run's plan, a verify's findings. */
  entries: Pick<SyncRunEntriesRepo, 'list'>;
}
