/**
 * The default sync job queue (rows in the state store, SQLite here): one claimer per job under
 * a lease; a claimer that died (lease expired) loses the job to the next, which resumes it.
 */
import { openStore, type Store } from '../../src/store/open-store.js';
import { createSyncJobsRepo } from '../../src/sync/sync-jobs-repo.js';

describe('sync jobs in the store', () => {
  let store: Store;
  let now = Date.parse('2026-01-01T00:00:00.000Z');

  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
  });

  afterEach(async () => {
    await store.close();
  });

  test('when a job is claimed, then no other worker gets it until its lease expires, and then it is claimed again', async () => {
    const jobs = createSyncJobsRepo(store.db, () => new Date(now));
    await jobs.enqueue({ kind: 'batch', runId: 'run-1', locationId: 'loc', businessId: null, mode: 'FULL' });
    await jobs.enqueue({ kind: 'batch', runId: 'run-1', locationId: 'loc', businessId: null, mode: 'FULL' });
    expect(await jobs.pendingCount()).toBe(1);
    const first = await jobs.claim('worker-a', 60_000);
    expect(first).toMatchObject({ id: 'run-1', attempts: 1 });
    expect(await jobs.claim('worker-b', 60_000)).toBeNull();
    now += 60_001;
    const second = await jobs.claim('worker-b', 60_000);
    expect(second).toMatchObject({ id: 'run-1', attempts: 2 });
    // The first worker lost its lease: it can no longer renew, so it stops between pages.
    expect(await jobs.renew('run-1', 'worker-a', 60_000)).toBe(false);
    expect(await jobs.renew('run-1', 'worker-b', 60_000)).toBe(true);
    await jobs.complete('run-1');
    expect(await jobs.pendingCount()).toBe(0);
  });

  test('when a job fails, then it is queued again for the next claim', async () => {
    const jobs = createSyncJobsRepo(store.db, () => new Date(now));
    await jobs.enqueue({ kind: 'contact', runId: 'run-2', locationId: 'loc', contactId: 'c1' });
    await jobs.claim('worker-a', 60_000);
    await jobs.fail('run-2', 'GHL unavailable', false);
    expect(await jobs.claim('worker-b', 60_000)).toMatchObject({ id: 'run-2', attempts: 2 });
  });
});
