/**
 * Sync jobs on BullMQ (REDIS_URL): two engines, each with its own queue handle and worker on one
 * Redis queue, as two replicas would be; every queued run is processed exactly once, and never
 * two of one location at the same time.
 */
import { randomUUID } from 'node:crypto';
import { createBullmqSyncJobQueue } from '../../src/sync/bullmq-sync-queue.js';
import type { SyncJobHandler, SyncJobQueue } from '../../src/sync/sync-job-queue.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

const redisUrl = process.env.REDIS_URL;
const describeIf = redisUrl ? describe : describe.skip;
if (!redisUrl) console.warn('sync-redis-queue.test.ts skipped: set REDIS_URL (e.g. redis://127.0.0.1:6379) to run it');

describeIf('sync jobs on BullMQ', () => {
  test('when two workers share one Redis queue, then each of several runs is processed exactly once', async () => {
    const queueName = `sync-test-${randomUUID()}`;
    const queues: SyncJobQueue[] = [
      createBullmqSyncJobQueue({ redisUrl: redisUrl ?? '', queueName }),
      createBullmqSyncJobQueue({ redisUrl: redisUrl ?? '', queueName }),
    ];
    const harness: SyncHarness = await startSyncHarness({ contacts: 6, pageSize: 3, jobQueue: queues[0] });
    const handled: string[] = [];
    try {
      // Both "replicas" consume; the second only records which runs it was handed.
      harness.engine.start();
      queues[1]?.consume(async (spec) => {
        handled.push(spec.runId);
        await harness.engine.runBatch(
          spec.kind === 'batch'
            ? spec
            : { runId: spec.runId, locationId: spec.locationId, businessId: null, mode: 'FULL' },
        );
      });
      const runs = await Promise.all([1, 2, 3, 4].map(() => harness.engine.startSync({ mode: 'FULL' })));
      const deadline = Date.now() + 20_000;
      for (;;) {
        const states = await Promise.all(runs.map((run) => harness.store.syncRuns.get(run.id)));
        if (states.every((state) => state?.status !== 'running') || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const finished = await Promise.all(runs.map((run) => harness.store.syncRuns.get(run.id)));
      expect(finished.map((run) => run?.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
      // Each run read the location once: a run processed twice would count its contacts twice.
      expect(finished.map((run) => run?.counts.read)).toEqual([6, 6, 6, 6]);
      expect(new Set(handled).size).toBe(handled.length);
      const refs = [...harness.roofrSim.data.jobs.values()].map((job) => job.external_ref);
      expect(new Set(refs).size).toBe(refs.length);
    } finally {
      await harness.close();
      await queues[1]?.close();
    }
  });

  test('when two workers with several lanes each get jobs of one location, then those of one location run one after another and each job runs once', async () => {
    const queueName = `sync-test-${randomUUID()}`;
    const queues: SyncJobQueue[] = [
      createBullmqSyncJobQueue({ redisUrl: redisUrl ?? '', queueName, concurrency: 3, leaseMs: 4000 }),
      createBullmqSyncJobQueue({ redisUrl: redisUrl ?? '', queueName, concurrency: 3, leaseMs: 4000 }),
    ];
    const running = new Map<string, number>();
    const mostAtOnce = new Map<string, number>();
    const handled: string[] = [];
    const handler: SyncJobHandler = async (spec) => {
      const count = (running.get(spec.locationId) ?? 0) + 1;
      running.set(spec.locationId, count);
      mostAtOnce.set(spec.locationId, Math.max(mostAtOnce.get(spec.locationId) ?? 0, count));
      await new Promise((resolve) => setTimeout(resolve, 200));
      running.set(spec.locationId, count - 1);
      handled.push(spec.runId);
    };
    try {
      for (const queue of queues) queue.consume(handler);
      const specs = ['loc-a', 'loc-a', 'loc-a', 'loc-b'].map((locationId, index) => ({
        kind: 'batch' as const,
        runId: `run-${index}`,
        locationId,
        businessId: null,
        mode: 'FULL' as const,
      }));
      for (const spec of specs) await queues[0]?.enqueue(spec);
      const deadline = Date.now() + 20_000;
      while (handled.length < specs.length && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect([...handled].sort()).toEqual(['run-0', 'run-1', 'run-2', 'run-3']);
      expect(Object.fromEntries(mostAtOnce)).toEqual({ 'loc-a': 1, 'loc-b': 1 });
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
    }
  }, 30_000);
});
