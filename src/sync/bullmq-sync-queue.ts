/**
 * Sync jobs on BullMQ, the opt-in alternative to the store queue (SYNC_QUEUE=bullmq with
 * REDIS_URL): every replica enqueues to and consumes from one Redis queue, and BullMQ hands each
 * job to one worker. Its lock plays the lease: it lasts QUEUE_LEASE_MS, BullMQ renews it while
 * the job runs and looks for stalled jobs every half lease, so a killed worker's job goes back
 * to another within seconds, as with the store queue. The job id is the run id, so enqueueing the
 * same run twice (e.g. the schedule firing on every replica) queues it once.
 *
 * Bounded when Redis is down: the enqueueing connection keeps no offline queue and retries a
 * command once, and `enqueue` gives up after `timeoutMs` with DependencyUnavailableError
 * ('redis'), so startSync answers UNAVAILABLE_DEPENDENCY instead of waiting for Redis forever
 * (BullMQ's own connections wait without limit, which its blocking worker needs).
 *
 * One job per location at a time, as on the store queue: a worker takes its job's location (a
 * Redis key holding the job id, expiring with the job lock's duration and renewed alongside it)
 * before running it; a job whose location another job holds goes back to the delayed set for a
 * second, without spending an attempt. A worker that dies stops renewing, so the location frees
 * itself within one lease, and the stalled job (the same id) takes it back when it resumes.
 */
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { DependencyUnavailableError } from '../domain/dependency-unavailable.js';
import { DEFAULT_LEASE_MS } from '../store/leased-queue.js';
import { SyncJobSpecSchema, SYNC_JOB_MAX_ATTEMPTS } from '../store/sync-jobs-repo.js';
import type { DeadJobHandler, SyncJobHandler, SyncJobQueue } from './sync-job-queue.js';

interface BullmqQueueOptions {
  redisUrl: string;
  /** Default "sync-jobs"; tests use a unique name. */
  queueName?: string;
  concurrency?: number;
  /** QUEUE_LEASE_MS: the job lock's duration. */
  leaseMs?: number;
  /** DEPENDENCY_TIMEOUT_MS: longest an enqueue may wait for Redis. */
  timeoutMs?: number;
  onError?: (error: unknown) => void;
}

const DEFAULT_ENQUEUE_TIMEOUT_MS = 3000;
/** How long a job whose location is busy waits before it is looked at again. */
const LOCATION_BUSY_DELAY_MS = 1000;
/** Extends the location's hold only for the job holding it (KEYS[1] location, ARGV job id, ms). */
const RENEW_LOCATION = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;
/** Frees the location only for the job holding it. */
const FREE_LOCATION = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/** Rejects with `onTimeout()` when `work` has not settled within `ms`. */
function within<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createBullmqSyncJobQueue(options: BullmqQueueOptions): SyncJobQueue {
  const name = options.queueName ?? 'sync-jobs';
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_ENQUEUE_TIMEOUT_MS;
  // Not a blocking connection (only the worker's is): it may fail fast instead of queueing
  // commands while Redis is away.
  const queueConnection = new Redis(options.redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
  });
  // An unreachable Redis is reported by the enqueue that needed it; no unhandled 'error' events.
  queueConnection.on('error', () => undefined);
  const queue = new Queue(name, { connection: queueConnection });
  queue.on('error', (error) => options.onError?.(error));
  let worker: Worker | null = null;
  let workerConnection: Redis | null = null;
  let closed = false;
  const locationKey = (locationId: string): string => `sync-location:${name}:${locationId}`;

  /** Takes the job's location for it (or finds it already its own, after a stall); false when another job holds it. */
  async function holdLocation(job: Job, locationId: string): Promise<boolean> {
    const key = locationKey(locationId);
    if ((await queueConnection.set(key, job.id ?? '', 'PX', leaseMs, 'NX')) === 'OK') return true;
    return (await queueConnection.eval(RENEW_LOCATION, 1, key, job.id ?? '', leaseMs)) === 1;
  }

  return {
    kind: 'bullmq',
    joinsStoreTransactions: false,
    async enqueue(spec) {
      const add = queue.add(spec.kind, spec, {
        jobId: spec.runId.replace(/:/g, '_'),
        removeOnComplete: 1000,
        removeOnFail: 1000,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
      });
      try {
        await within(
          add,
          timeoutMs,
          () =>
            new DependencyUnavailableError('redis', `the sync job queue (Redis) did not answer within ${timeoutMs} ms`),
        );
      } catch (error) {
        // A late answer must not surface as an unhandled rejection.
        add.catch(() => undefined);
        if (error instanceof DependencyUnavailableError) throw error;
        throw new DependencyUnavailableError('redis', `the sync job queue (Redis) refused the job: ${String(error)}`, {
          cause: error,
        });
      }
    },
    consume(handler: SyncJobHandler, onDead?: DeadJobHandler) {
      if (worker !== null) return;
      // BullMQ workers need blocking connections without a retry limit per request.
      workerConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
      worker = new Worker(
        name,
        async (job, token) => {
          const spec = SyncJobSpecSchema.parse(job.data);
          const jobId = job.id ?? '';
          if (!(await holdLocation(job, spec.locationId))) {
            // Not a failure: back to the delayed set, the attempt not spent.
            await job.moveToDelayed(Date.now() + LOCATION_BUSY_DELAY_MS, token);
            throw new DelayedError();
          }
          const key = locationKey(spec.locationId);
          const renewal = setInterval(
            () => {
              queueConnection
                .eval(RENEW_LOCATION, 1, key, jobId, leaseMs)
                .catch((error: unknown) => options.onError?.(error));
            },
            Math.max(250, Math.floor(leaseMs / 4)),
          );
          try {
            await handler(spec, { keepGoing: async () => !closed });
          } finally {
            clearInterval(renewal);
            await queueConnection.eval(FREE_LOCATION, 1, key, jobId).catch(() => undefined);
          }
        },
        {
          connection: workerConnection,
          concurrency: options.concurrency ?? 1,
          lockDuration: leaseMs,
          stalledInterval: Math.max(1000, Math.floor(leaseMs / 2)),
          // A stall is a dead worker, not a failed job: resume it as often as the store queue would.
          maxStalledCount: SYNC_JOB_MAX_ATTEMPTS,
        },
      );
      worker.on('error', (error) => options.onError?.(error));
      // Its last attempt failed: BullMQ keeps it as failed; the run it was for must not stay running.
      worker.on('failed', (job, error) => {
        if (job === undefined || job.attemptsMade < (job.opts.attempts ?? 1)) return;
        const spec = SyncJobSpecSchema.safeParse(job.data);
        if (spec.success) void onDead?.(spec.data, error).catch((failure: unknown) => options.onError?.(failure));
      });
    },
    async close() {
      closed = true;
      await worker?.close();
      // Closing waits for Redis; a Redis that is gone must not hold the shutdown.
      await within(queue.close(), timeoutMs, () => new Error('closing the queue timed out')).catch(() => undefined);
      queueConnection.disconnect();
      workerConnection?.disconnect();
    },
  };
}
