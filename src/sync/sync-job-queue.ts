/**
 * The work queue sync jobs go through, and its default: rows of the state store
 * (src/store/sync-jobs-repo.ts) under the store's one leased-queue protocol, polled by every
 * process. It is the default even with REDIS_URL set (SYNC_QUEUE=store): on PostgreSQL its
 * claims use SKIP LOCKED, so replicas share it and each job runs once; the job is queued in the
 * same transaction as its run record (never a run without a job, or the reverse); and startSync
 * keeps working while Redis is down. BullMQ (bullmq-sync-queue.ts) is the opt-in alternative
 * behind the same interface (SYNC_QUEUE=bullmq).
 *
 * A claimed job's lease is short and renewed by a heartbeat while it runs; `keepGoing` turns
 * false once the lease is lost (or the queue is closing), and the batch stops between pages.
 * After the handler: done; released (due again at once, no attempt spent) when the queue is
 * closing; left alone when the lease passed to another worker; otherwise failed with backoff.
 */
import { createLeaseHeartbeat } from '../store/lease-heartbeat.js';
import { DEFAULT_LEASE_MS } from '../store/leased-queue.js';
import type { Executor } from '../store/store-context.js';
import type { SyncJobSpec, SyncJobsRepo } from '../store/sync-jobs-repo.js';

export interface JobControl {
  /** False once this consumer lost the job (lease lapsed) or is stopping: stop between pages. */
  keepGoing(): Promise<boolean>;
}

export type SyncJobHandler = (spec: SyncJobSpec, control: JobControl) => Promise<void>;

/** A job failed its last permitted attempt and is dead: what it was for must be closed (its run failed). */
export type DeadJobHandler = (spec: SyncJobSpec, error: unknown) => Promise<void>;

export interface SyncJobQueue {
  readonly kind: 'store' | 'bullmq';
  /**
   * Queues the job durably, bounded in time: a backend that does not answer throws
   * DependencyUnavailableError. `trx`: the caller's store transaction, which the store queue
   * joins (`joinsStoreTransactions`); other queues ignore it.
   */
  enqueue(spec: SyncJobSpec, trx?: Executor): Promise<void>;
  /** True when `enqueue(spec, trx)` commits or rolls back with the caller's transaction. */
  readonly joinsStoreTransactions: boolean;
  /** Starts consuming; the handler runs once per job across every consumer; `onDead` hears of jobs given up. */
  consume(handler: SyncJobHandler, onDead?: DeadJobHandler): void;
  /** Runs what is due now (store queue; tests and the CLI); resolves with the jobs run. */
  drainOnce?(handler: SyncJobHandler, onDead?: DeadJobHandler): Promise<number>;
  close(): Promise<void>;
}

interface StoreQueueOptions {
  owner: string;
  pollMs: number;
  /** QUEUE_LEASE_MS: the lease of a claimed job, renewed every quarter of it while it runs. */
  leaseMs?: number;
  onError?: (error: unknown) => void;
  /** The job's lease passed to another worker (this one stalled); it resumes there. */
  onLeaseLost?: (jobId: string) => void;
  /**
   * SYNC_CONCURRENCY: jobs this process runs at once (default 1). Each lane claims its own job,
   * so the runs of several locations progress side by side, each on its location's own budget.
   */
  concurrency?: number;
  now?: () => number;
}

/** Retry delay after the n-th failed claim: 1 s, 2 s, 4 s … capped at 5 minutes. */
function backoffMs(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createStoreSyncJobQueue(
  repo: Pick<SyncJobsRepo, 'enqueue' | 'claim' | 'renew' | 'complete' | 'fail' | 'release'>,
  options: StoreQueueOptions,
): SyncJobQueue {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const now = options.now ?? Date.now;
  const { owner } = options;
  const lanes = Math.max(1, options.concurrency ?? 1);
  const timers = new Set<NodeJS.Timeout>();
  let consuming = false;
  let stopped = false;
  const busy = new Set<Promise<unknown>>();

  async function runOne(handler: SyncJobHandler, onDead?: DeadJobHandler): Promise<boolean> {
    const claimedAt = now();
    const job = await repo.claim(owner, leaseMs);
    if (job === null) return false;
    const heartbeat = createLeaseHeartbeat<string>({
      renew: (ids) => repo.renew(ids, owner, leaseMs),
      leaseMs,
      now,
      ...(options.onLeaseLost ? { onLost: options.onLeaseLost } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    heartbeat.hold([job.id], claimedAt);
    const control: JobControl = { keepGoing: async () => !stopped && heartbeat.holds(job.id) };
    try {
      await handler(job.spec, control);
      if (!(await repo.complete(job.id, owner))) options.onLeaseLost?.(job.id);
    } catch (error) {
      if (!heartbeat.holds(job.id)) {
        // Another worker holds it now and resumes the run from its checkpoint.
      } else if (stopped) {
        await repo.release(job.id, owner);
      } else {
        const status = await repo.fail(job.id, owner, {
          error: message(error),
          nextAttemptAt: new Date(now() + backoffMs(job.attempts)),
        });
        options.onError?.(error);
        if (status === 'dead') await onDead?.(job.spec, error);
      }
    } finally {
      heartbeat.stop();
    }
    return true;
  }

  async function drainOnce(handler: SyncJobHandler, onDead?: DeadJobHandler): Promise<number> {
    let count = 0;
    while (!stopped && (await runOne(handler, onDead))) count += 1;
    return count;
  }

  return {
    kind: 'store',
    joinsStoreTransactions: true,
    enqueue: (spec, trx) => repo.enqueue(spec, trx),
    consume(handler, onDead) {
      if (consuming || stopped) return;
      consuming = true;
      // Every lane polls and drains on its own: a long run in one lane never holds back the
      // jobs the other lanes can claim.
      const tick = (): void => {
        const pass: Promise<unknown> = drainOnce(handler, onDead)
          .catch((error: unknown) => options.onError?.(error))
          .finally(() => {
            busy.delete(pass);
            if (stopped) return;
            const timer = setTimeout(() => {
              timers.delete(timer);
              tick();
            }, options.pollMs);
            timers.add(timer);
          });
        busy.add(pass);
      };
      for (let lane = 0; lane < lanes; lane += 1) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          tick();
        }, 0);
        timers.add(timer);
      }
    },
    drainOnce,
    async close() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([...busy]);
    },
  };
}
