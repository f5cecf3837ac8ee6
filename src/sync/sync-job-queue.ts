/**
 * The work queue sync jobs go through. Default: rows in the state store claimed under a lease
 * (sync-jobs-repo.ts), polled by each process. With REDIS_URL: BullMQ (bullmq-sync-queue.ts), so
 * several replicas share the work and each job is processed once.
 */
import type { SyncJobSpec, SyncJobsRepo } from './sync-jobs-repo.js';

export interface JobControl {
  /** False once this consumer lost the job (lease lapsed): stop between pages. */
  keepGoing(): Promise<boolean>;
}

export type SyncJobHandler = (spec: SyncJobSpec, control: JobControl) => Promise<void>;

export interface SyncJobQueue {
  readonly kind: 'store' | 'bullmq';
  enqueue(spec: SyncJobSpec): Promise<void>;
  /** Starts consuming; the handler runs once per job across every consumer. */
  consume(handler: SyncJobHandler): void;
  /** Runs what is due now (store queue; tests and the CLI); resolves with the jobs run. */
  drainOnce?(handler: SyncJobHandler): Promise<number>;
  close(): Promise<void>;
}

export interface StoreQueueOptions {
  owner: string;
  pollMs: number;
  /** A lease longer than one page takes; renewed after every page. */
  leaseMs?: number;
  onError?: (error: unknown) => void;
}

export function createStoreSyncJobQueue(repo: SyncJobsRepo, options: StoreQueueOptions): SyncJobQueue {
  const leaseMs = options.leaseMs ?? 120_000;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let busy: Promise<unknown> = Promise.resolve();

  async function runOne(handler: SyncJobHandler): Promise<boolean> {
    const job = await repo.claim(options.owner, leaseMs);
    if (job === null) return false;
    const control: JobControl = {
      keepGoing: async () => !stopped && (await repo.renew(job.id, options.owner, leaseMs)),
    };
    try {
      await handler(job.spec, control);
      await repo.complete(job.id);
    } catch (error) {
      await repo.fail(job.id, error instanceof Error ? error.message : String(error), false);
      options.onError?.(error);
    }
    return true;
  }

  async function drainOnce(handler: SyncJobHandler): Promise<number> {
    let count = 0;
    while (!stopped && (await runOne(handler))) count += 1;
    return count;
  }

  return {
    kind: 'store',
    enqueue: (spec) => repo.enqueue(spec),
    consume(handler) {
      const tick = (): void => {
        busy = drainOnce(handler)
          .catch((error: unknown) => options.onError?.(error))
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, options.pollMs);
          });
      };
      if (timer === null && !stopped) timer = setTimeout(tick, 0);
    },
    drainOnce,
    async close() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await busy;
    },
  };
}
