/** What a write's sync to Roofr came to; the `roofrSync` field of every mutation payload. */
export type RoofrSyncStatus = 'SYNCED' | 'QUEUED' | 'SKIPPED' | 'FAILED';

export interface RoofrSyncResult {
  status: RoofrSyncStatus;
  /** The Roofr record written: customer (contact), job task or job note. */
  roofrId: string | null;
  /** The contact's Roofr job. */
  roofrJobId: string | null;
  /** Why it was skipped, queued or failed; null when synced. */
  error: string | null;
  /** The outbox entry of a QUEUED change. */
  outboxId: string | null;
  /**
   * FAILED because our own dependency (the state database, the job queue) did not answer: nothing
   * was decided or queued, so a batch stops at its checkpoint and is retried rather than counting
   * the record failed. Absent otherwise.
   */
  unavailable?: 'postgres' | 'redis';
}

export function syncResult(
  status: RoofrSyncStatus,
  fields: Partial<Omit<RoofrSyncResult, 'status'>> = {},
): RoofrSyncResult {
  return {
    status,
    roofrId: fields.roofrId ?? null,
    roofrJobId: fields.roofrJobId ?? null,
    error: fields.error ?? null,
    outboxId: fields.outboxId ?? null,
    ...(fields.unavailable === undefined ? {} : { unavailable: fields.unavailable }),
  };
}
