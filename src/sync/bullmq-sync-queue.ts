/**
 * Sync jobs on BullMQ (REDIS_URL set): every replica enqueues to and consumes from one Redis
 * queue, and BullMQ hands each job to one worker (its lock is renewed while the job runs; a
 * worker that dies lets the job stall back to another). The job id is the run id, so enqueueing
 * the same run twice (e.g. the schedule firing on every replica) queues it once.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { SyncJobSpecSchema } from './sync-jobs-repo.js';
import type { SyncJobHandler, SyncJobQueue } from './sync-job-queue.js';

export interface BullmqQueueOptions {
  redisUrl: string;
  /** Default "sync-jobs"; tests use a unique name. */
  queueName?: string;
  concurrency?: number;
  onError?: (error: unknown) => void;
}

export function createBullmqSyncJobQueue(options: BullmqQueueOptions): SyncJobQueue {
  const name = options.queueName ?? 'sync-jobs';
  // BullMQ workers need blocking connections without a retry limit per request.
  const queueConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection: queueConnection });
  let worker: Worker | null = null;
  let workerConnection: Redis | null = null;
  let closed = false;

  return {
    kind: 'bullmq',
    async enqueue(spec) {
      await queue.add(spec.kind, spec, {
        jobId: spec.runId.replace(/:/g, '_'),
        removeOnComplete: 1000,
        removeOnFail: 1000,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
      });
    },
    consume(handler: SyncJobHandler) {
      if (worker !== null) return;
      workerConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
      worker = new Worker(
        name,
        async (job) => {
          const spec = SyncJobSpecSchema.parse(job.data);
          await handler(spec, { keepGoing: async () => !closed });
        },
        { connection: workerConnection, concurrency: options.concurrency ?? 1 },
      );
      worker.on('error', (error) => options.onError?.(error));
    },
    async close() {
      closed = true;
      await worker?.close();
      await queue.close();
      queueConnection.disconnect();
      workerConnection?.disconnect();
    },
  };
}
