/**
 * The default sync job queue (rows of the state store, on SQLite and PostgreSQL): one claimer
 * per job under a lease; a claimer that died (lease expired) loses the job to the next, which
 * resumes it; a claimer that lost its lease can neither renew nor finish the job; failures back
 * off; a stopping worker hands its job back without spending an attempt; one job per location is
 * in flight at a time, however many workers claim.
 */
import { createStoreSyncJobQueue, type SyncJobHandler } from '../../src/sync/sync-job-queue.js';
import { createTestClock, storeBackends } from './store-backends.js';

const LEASE_MS = 10_000;

for (const backend of storeBackends()) {
  backend.describe(`sync jobs in the store on ${backend.name}`, () => {
    afterEach(() => backend.cleanup());

    async function setup() {
      const clock = createTestClock();
      const store = await (await backend.createDatabase()).open({ now: clock.now });
      return { clock, store, jobs: store.syncJobs };
    }

    test('when a job is claimed, then no other worker gets it until its lease expires, and then it is claimed again', async () => {
      const { clock, jobs } = await setup();
      await jobs.enqueue({ kind: 'batch', runId: 'run-1', locationId: 'loc', businessId: null, mode: 'FULL' });
      await jobs.enqueue({ kind: 'batch', runId: 'run-1', locationId: 'loc', businessId: null, mode: 'FULL' });
      expect(await jobs.pendingCount()).toBe(1);
      const first = await jobs.claim('worker-a', LEASE_MS);
      expect(first).toMatchObject({ id: 'run-1', attempts: 1 });
      expect(await jobs.claim('worker-b', LEASE_MS)).toBeNull();
      clock.advance(LEASE_MS);
      const second = await jobs.claim('worker-b', LEASE_MS);
      expect(second).toMatchObject({ id: 'run-1', attempts: 2 });
      // The first worker lost its lease: it can no longer renew (so it stops between pages),
      // and its late completion or failure does not touch the new holder's claim.
      expect(await jobs.renew(['run-1'], 'worker-a', LEASE_MS)).toEqual([]);
      expect(await jobs.complete('run-1', 'worker-a')).toBe(false);
      expect(await jobs.fail('run-1', 'worker-a', { error: 'late', nextAttemptAt: clock.now() })).toBeNull();
      expect(await jobs.get('run-1')).toMatchObject({ status: 'in_flight', leaseOwner: 'worker-b' });
      expect(await jobs.renew(['run-1'], 'worker-b', LEASE_MS)).toEqual(['run-1']);
      expect(await jobs.complete('run-1', 'worker-b')).toBe(true);
      expect(await jobs.pendingCount()).toBe(0);
    });

    test('when the holder renews its lease, then the job is not claimable past the first lease', async () => {
      const { clock, jobs } = await setup();
      await jobs.enqueue({ kind: 'contact', runId: 'run-2', locationId: 'loc', contactId: 'c1' });
      await jobs.claim('worker-a', LEASE_MS);
      for (let beat = 0; beat < 8; beat += 1) {
        clock.advance(LEASE_MS / 4);
        expect(await jobs.renew(['run-2'], 'worker-a', LEASE_MS)).toEqual(['run-2']);
        expect(await jobs.claim('worker-b', LEASE_MS)).toBeNull();
      }
    });

    test('when a job fails, then it is claimable again only after its backoff', async () => {
      const { clock, jobs } = await setup();
      await jobs.enqueue({ kind: 'contact', runId: 'run-3', locationId: 'loc', contactId: 'c1' });
      await jobs.claim('worker-a', LEASE_MS);
      const retryAt = new Date(clock.now().getTime() + 2_000);
      expect(await jobs.fail('run-3', 'worker-a', { error: 'GHL unavailable', nextAttemptAt: retryAt })).toBe(
        'pending',
      );
      expect(await jobs.claim('worker-b', LEASE_MS)).toBeNull();
      clock.advance(2_000);
      expect(await jobs.claim('worker-b', LEASE_MS)).toMatchObject({ id: 'run-3', attempts: 2 });
    });

    test('when a stopping worker releases its job, then it is due at once without a spent attempt', async () => {
      const { jobs } = await setup();
      await jobs.enqueue({ kind: 'contact', runId: 'run-4', locationId: 'loc', contactId: 'c1' });
      await jobs.claim('worker-a', LEASE_MS);
      expect(await jobs.release('run-4', 'worker-b')).toBe(false);
      expect(await jobs.release('run-4', 'worker-a')).toBe(true);
      expect(await jobs.claim('worker-b', LEASE_MS)).toMatchObject({ id: 'run-4', attempts: 1 });
    });

    test('when a stored spec no longer parses, then the job is dead instead of crashing the worker', async () => {
      const { store, jobs } = await setup();
      await jobs.enqueue({ kind: 'contact', runId: 'run-5', locationId: 'loc', contactId: 'c1' });
      await store.db.updateTable('sync_jobs').set({ spec: '{"kind":"unknown"}' }).where('id', '=', 'run-5').execute();
      expect(await jobs.claim('worker-a', LEASE_MS)).toBeNull();
      expect(await jobs.get('run-5')).toMatchObject({ status: 'dead' });
      expect((await jobs.get('run-5'))?.lastError).toMatch(/does not parse/);
    });

    test('when the handler throws, then the queue fails the job with backoff; when the queue closes mid-run, then it hands the job back', async () => {
      const { clock, jobs } = await setup();
      const now = () => clock.now().getTime();
      await jobs.enqueue({ kind: 'contact', runId: 'run-6', locationId: 'loc', contactId: 'c1' });
      const failing = createStoreSyncJobQueue(jobs, { owner: 'worker-a', pollMs: 10, leaseMs: LEASE_MS, now });
      expect(
        await failing.drainOnce?.(async () => {
          throw new Error('HighLevel is down');
        }),
      ).toBe(1);
      expect(await jobs.get('run-6')).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HighLevel is down' });
      clock.advance(1_000);

      const stopping = createStoreSyncJobQueue(jobs, { owner: 'worker-b', pollMs: 10, leaseMs: LEASE_MS, now });
      await stopping.drainOnce?.(async (_spec, control) => {
        await stopping.close();
        // The batch sees keepGoing turn false and stops with its run unfinished.
        expect(await control.keepGoing()).toBe(false);
        throw new Error('stopped between pages');
      });
      expect(await jobs.get('run-6')).toMatchObject({ status: 'pending', attempts: 1, leaseOwner: null });
    });

    test('when a job fails its last permitted attempt, then it is dead and the queue says so once, with its spec and the error', async () => {
      const { clock, jobs } = await setup();
      const now = () => clock.now().getTime();
      const spec = { kind: 'contact' as const, runId: 'run-7', locationId: 'loc', contactId: 'c1' };
      await jobs.enqueue(spec);
      const queue = createStoreSyncJobQueue(jobs, { owner: 'worker-a', pollMs: 10, leaseMs: LEASE_MS, now });
      const dead: Array<{ runId: string; error: string }> = [];
      const onDead = async (deadSpec: typeof spec | { runId: string }, error: unknown): Promise<void> => {
        dead.push({ runId: deadSpec.runId, error: error instanceof Error ? error.message : String(error) });
      };
      for (let attempt = 1; attempt <= jobs.maxAttempts; attempt += 1) {
        await queue.drainOnce?.(async () => {
          throw new Error(`still down (${attempt})`);
        }, onDead);
        clock.advance(600_000);
      }
      expect(await jobs.get('run-7')).toMatchObject({ status: 'dead', attempts: jobs.maxAttempts });
      expect(dead).toEqual([{ runId: 'run-7', error: `still down (${jobs.maxAttempts})` }]);
    });

    test('when a location has a job in flight, then a claim skips its other jobs and takes the next location’s; once it is done, the next job of the location is claimed', async () => {
      const { clock, jobs } = await setup();
      await jobs.enqueue({ kind: 'batch', runId: 'a-1', locationId: 'loc-a', businessId: null, mode: 'FULL' });
      clock.advance(1);
      await jobs.enqueue({ kind: 'batch', runId: 'a-2', locationId: 'loc-a', businessId: null, mode: 'FULL' });
      clock.advance(1);
      await jobs.enqueue({ kind: 'contact', runId: 'b-1', locationId: 'loc-b', contactId: 'c1' });
      expect(await jobs.claim('worker-a', LEASE_MS)).toMatchObject({ id: 'a-1' });
      expect(await jobs.claim('worker-b', LEASE_MS)).toMatchObject({ id: 'b-1' });
      expect(await jobs.claim('worker-c', LEASE_MS)).toBeNull();
      expect(await jobs.complete('a-1', 'worker-a')).toBe(true);
      expect(await jobs.claim('worker-c', LEASE_MS)).toMatchObject({ id: 'a-2' });
    });

    test('when the worker of a location’s job died, then that job is claimed again before the location’s next one', async () => {
      const { clock, jobs } = await setup();
      await jobs.enqueue({ kind: 'batch', runId: 'a-1', locationId: 'loc-a', businessId: null, mode: 'FULL' });
      clock.advance(1);
      await jobs.enqueue({ kind: 'batch', runId: 'a-2', locationId: 'loc-a', businessId: null, mode: 'FULL' });
      expect(await jobs.claim('worker-a', LEASE_MS)).toMatchObject({ id: 'a-1' });
      clock.advance(LEASE_MS);
      expect(await jobs.claim('worker-b', LEASE_MS)).toMatchObject({ id: 'a-1', attempts: 2 });
      expect(await jobs.claim('worker-c', LEASE_MS)).toBeNull();
    });

    test('when several workers with several lanes drain one location’s jobs, then no two of them ever run at once', async () => {
      const { clock, jobs } = await setup();
      const now = () => clock.now().getTime();
      for (let index = 0; index < 6; index += 1) {
        await jobs.enqueue({
          kind: 'batch',
          runId: `run-${index}`,
          locationId: index % 2 === 0 ? 'loc-a' : 'loc-b',
          businessId: null,
          mode: 'FULL',
        });
        clock.advance(1);
      }
      const running = new Map<string, number>();
      let mostAtOnce = 0;
      const handled: string[] = [];
      const handler: SyncJobHandler = async (spec) => {
        const count = (running.get(spec.locationId) ?? 0) + 1;
        running.set(spec.locationId, count);
        mostAtOnce = Math.max(mostAtOnce, count);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running.set(spec.locationId, count - 1);
        handled.push(spec.runId);
      };
      const workers = ['worker-a', 'worker-b'].map((owner) =>
        createStoreSyncJobQueue(jobs, { owner, pollMs: 5, leaseMs: LEASE_MS, now, concurrency: 3 }),
      );
      for (const worker of workers) worker.consume(handler);
      while (handled.length < 6) await new Promise((resolve) => setTimeout(resolve, 10));
      await Promise.all(workers.map((worker) => worker.close()));
      expect(mostAtOnce).toBe(1);
      expect([...handled].sort()).toEqual(['run-0', 'run-1', 'run-2', 'run-3', 'run-4', 'run-5']);
    });
  });
}
