/**
 * Sync jobs as rows of the state store: the sync engine's default work queue (SYNC_QUEUE=store;
 * src/sync/sync-job-queue.ts consumes it, BullMQ is the opt-in alternative). The rows follow the
 * store's one leased-queue protocol (leased-queue.ts): a job is claimed by one worker under a
 * short lease its heartbeat renews; a worker that dies leaves the lease to expire and another
 * (or the restarted process) claims the job again and resumes the run from its checkpointed
 * cursor. The job id is the run id, so queueing a run twice (the schedule firing on every
 * replica) queues it once. The spec is JSON parsed with zod when read: a row an older release
 * wrote that this one cannot read goes to the dead jobs instead of crashing the worker. One job per
 * location is in flight at a time (the claim skips a location with one in flight).
 * Table: migrations 0002_sync_jobs, 0004_sync_jobs_due (next_attempt_at, for backoff) and
 * 0009_sync_jobs_per_location (location_id).
 */
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { createLeasedQueue } from './leased-queue.js';
import type { QueueStatus, SyncJobsTable } from './schema.js';
import { isoAt, type Executor, type StoreContext } from './store-context.js';

export const SyncJobSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('batch'),
    runId: z.string(),
    locationId: z.string(),
    businessId: z.string().nullable(),
    mode: z.enum(['FULL', 'INCREMENTAL']),
    /** Plan only (src/sync/dry-run-sink.ts); absent in jobs older releases queued. */
    dryRun: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('contact'),
    runId: z.string(),
    locationId: z.string(),
    contactId: z.string(),
    dryRun: z.boolean().optional(),
  }),
  /** An integrity check (src/sync/verify-run.ts): every contact, or a random sample of the linked ones. */
  z.object({
    kind: z.literal('verify'),
    runId: z.string(),
    locationId: z.string(),
    businessId: z.string().nullable(),
    sample: z.number().int().positive().nullable(),
    repair: z.boolean(),
  }),
]);
export type SyncJobSpec = z.infer<typeof SyncJobSpecSchema>;

export interface SyncJob {
  id: string;
  spec: SyncJobSpec;
  /** Claims so far, this one included. */
  attempts: number;
}

export interface SyncJobRecord {
  id: string;
  status: QueueStatus;
  attempts: number;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  lastError: string | null;
  nextAttemptAt: string;
}

export interface SyncJobsRepo {
  readonly maxAttempts: number;
  /** Queues the job (once per run id); in the caller's transaction when given one. */
  enqueue(spec: SyncJobSpec, trx?: Executor): Promise<void>;
  /**
   * Claims the oldest claimable job (pending and due, or in flight with an expired lease), skipping
   * the locations that have a job in flight: one job per location runs at a time, whatever
   * SYNC_CONCURRENCY and however many replicas.
   */
  claim(owner: string, leaseMs: number): Promise<SyncJob | null>;
  /** The heartbeat: extends the leases `owner` still holds; returns those ids. */
  renew(ids: readonly string[], owner: string, leaseMs: number): Promise<string[]>;
  /** False when `owner` no longer holds the job. */
  complete(id: string, owner: string): Promise<boolean>;
  /** Pending again from `nextAttemptAt`, or dead (permanent, or out of attempts); null when the owner lost it. */
  fail(
    id: string,
    owner: string,
    failure: { error: string; nextAttemptAt: Date; permanent?: boolean },
  ): Promise<QueueStatus | null>;
  /** Gives the job back unattempted (a worker stopping between pages): due now. */
  release(id: string, owner: string): Promise<boolean>;
  retryDead(id: string): Promise<boolean>;
  get(id: string): Promise<SyncJobRecord | null>;
  /** Jobs still to run: pending plus in flight. */
  pendingCount(): Promise<number>;
  counts(): Promise<Record<QueueStatus, number>>;
}

/** Claims before a job is dead: a run that crashes its worker every time stops being retried. */
export const SYNC_JOB_MAX_ATTEMPTS = 20;

function toRecord(row: Selectable<SyncJobsTable>): SyncJobRecord {
  return {
    id: row.id,
    status: row.status,
    attempts: row.attempts,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
  };
}

export function createSyncJobsRepo(ctx: StoreContext, options: { maxAttempts?: number } = {}): SyncJobsRepo {
  const { db } = ctx;
  const queue = createLeasedQueue<string>(ctx, {
    table: 'sync_jobs',
    orderBy: 'created_at',
    maxAttempts: options.maxAttempts ?? SYNC_JOB_MAX_ATTEMPTS,
    // Two runs of one location at once would read and write the same records side by side (and
    // spend one location's budget twice): a job waits while another of its location is in flight.
    exclusiveBy: 'location_id',
  });

  return {
    maxAttempts: queue.maxAttempts,

    async enqueue(spec, trx) {
      const at = isoAt(ctx.now());
      await (trx ?? db)
        .insertInto('sync_jobs')
        .values({
          id: spec.runId,
          spec: JSON.stringify(spec),
          location_id: spec.locationId,
          status: 'pending',
          attempts: 0,
          next_attempt_at: at,
          lease_owner: null,
          lease_expires_at: null,
          last_error: null,
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    },

    async claim(owner, leaseMs) {
      for (;;) {
        const [id] = await queue.claim(owner, 1, leaseMs);
        if (id === undefined) return null;
        const row = await db.selectFrom('sync_jobs').selectAll().where('id', '=', id).executeTakeFirst();
        if (row === undefined) continue;
        let spec: SyncJobSpec | null = null;
        try {
          spec = SyncJobSpecSchema.parse(JSON.parse(row.spec));
        } catch (error) {
          await queue.fail(id, owner, {
            error: `the stored job spec does not parse: ${error instanceof Error ? error.message : String(error)}`,
            nextAttemptAt: ctx.now(),
            permanent: true,
          });
          continue;
        }
        return { id, spec, attempts: row.attempts };
      }
    },

    renew: (ids, owner, leaseMs) => queue.renew(ids, owner, leaseMs),
    complete: (id, owner) => queue.complete(id, owner),
    fail: (id, owner, failure) => queue.fail(id, owner, failure),
    release: (id, owner) => queue.release(id, owner),
    retryDead: (id) => queue.retryDead(id),

    async get(id) {
      const row = await db.selectFrom('sync_jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toRecord(row);
    },

    async pendingCount() {
      const counts = await queue.counts();
      return counts.pending + counts.in_flight;
    },

    counts: () => queue.counts(),
  };
}
