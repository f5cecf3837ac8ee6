/**
 * The batch sync over real HTTP against both simulators: FULL, INCREMENTAL from the watermark,
 * a business, and the run records (counts, cursor) queryable afterwards.
 */
import { DEMO_TOKEN } from '../../src/simulators/ghl/index.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

function jobsByRef(harness: SyncHarness): Map<string, number> {
  const counts = new Map<string, number>();
  for (const job of harness.roofrSim.data.jobs.values()) {
    if (job.external_ref) counts.set(job.external_ref, (counts.get(job.external_ref) ?? 0) + 1);
  }
  return counts;
}

describe('batch sync', () => {
  let harness: SyncHarness;

  beforeEach(async () => {
    harness = await startSyncHarness({ contacts: 25, pageSize: 10 });
  });

  afterEach(async () => {
    await harness.close();
  });

  test('when a FULL sync runs, then every contact lands in Roofr once with its tasks and notes, and the run records the counts', async () => {
    const queued = await harness.engine.startSync({ mode: 'FULL' });
    expect(queued.status).toBe('running');
    expect(await harness.engine.drainJobs()).toBe(1);
    const run = await harness.store.syncRuns.get(queued.id);
    expect(run).toMatchObject({
      status: 'succeeded',
      trigger: 'manual',
      mode: 'FULL',
      counts: { read: 25, created: 25, failed: 0 },
    });
    const refs = jobsByRef(harness);
    const ids = harness.ghlSim.data.listContactIds();
    expect(ids).toHaveLength(25);
    for (const id of ids) expect(refs.get(`ghl:contact:${id}`)).toBe(1);
    const ghlTasks = ids.reduce((sum, id) => sum + harness.ghlSim.data.tasksOf(id).length, 0);
    const ghlNotes = ids.reduce((sum, id) => sum + harness.ghlSim.data.notesOf(id).length, 0);
    expect(harness.roofrSim.data.jobTasks.size).toBe(ghlTasks);
    expect(harness.roofrSim.data.jobNotes.size).toBe(ghlNotes);
  });

  test('when HighLevel refuses the token during a FULL sync, then the run stays running and its job is retried, and once the token works again it finishes with every contact once', async () => {
    const queued = await harness.engine.startSync({ mode: 'FULL' });
    harness.ghlSim.tokens.revoke(DEMO_TOKEN);

    expect(await harness.engine.drainJobs()).toBe(1);
    expect(await harness.store.syncRuns.get(queued.id)).toMatchObject({ status: 'running' });
    expect(await harness.store.syncJobs.get(queued.id)).toMatchObject({ status: 'pending', attempts: 1 });

    harness.ghlSim.tokens.restore(DEMO_TOKEN);
    // The retry waits out its backoff (1 s after a first failure).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await harness.engine.drainJobs()).toBe(1);
    expect(await harness.store.syncRuns.get(queued.id)).toMatchObject({
      status: 'succeeded',
      counts: { read: 25, created: 25, failed: 0 },
    });
    const refs = jobsByRef(harness);
    for (const id of harness.ghlSim.data.listContactIds()) expect(refs.get(`ghl:contact:${id}`)).toBe(1);
  });

  test('when a second FULL sync runs over unchanged data, then it writes nothing to Roofr and counts every contact unchanged', async () => {
    const queued = await harness.engine.startSync({ mode: 'FULL' });
    const first = await harness.engine.runBatch({
      runId: queued.id,
      locationId: harness.locationId,
      businessId: null,
      mode: 'FULL',
    });
    expect(first.status).toBe('succeeded');
    const before = harness.writes().roofr;
    const second = await harness.engine.startSync({ mode: 'FULL' });
    await harness.engine.drainJobs();
    expect(await harness.store.syncRuns.get(second.id)).toMatchObject({
      status: 'succeeded',
      counts: { read: 25, unchanged: 25, created: 0, updated: 0 },
    });
    expect(harness.writes().roofr).toBe(before);
  });

  test('when a contact changes after a sync, then an INCREMENTAL sync reads from the watermark and updates only what changed', async () => {
    await harness.engine.startSync({ mode: 'FULL' });
    await harness.engine.drainJobs();
    const [id] = harness.ghlSim.data.listContactIds();
    await harness.ghl.updateContact(harness.locationId, id ?? '', { firstName: 'Incrementa' });
    const run = await harness.engine.startSync({ mode: 'INCREMENTAL', trigger: 'schedule' });
    await harness.engine.drainJobs();
    const done = await harness.store.syncRuns.get(run.id);
    expect(done).toMatchObject({ status: 'succeeded', trigger: 'schedule', counts: { updated: 1, failed: 0 } });
    // Only the changed contact and those sharing the watermark instant are read again.
    expect(done?.counts.read).toBeLessThan(25);
    const job = [...harness.roofrSim.data.jobs.values()].find(
      (candidate) => candidate.external_ref === `ghl:contact:${id}`,
    );
    expect(job?.name?.startsWith('Incrementa')).toBe(true);
  });

  test('when a business is synced, then only its contacts reach Roofr', async () => {
    let businessId = '';
    let members: string[] = [];
    for (const candidate of harness.ghlSim.data.location().businessIds) {
      members = (await harness.ghl.listBusinessContacts(harness.locationId, candidate, { limit: 100 })).contacts.map(
        (contact) => contact.id,
      );
      businessId = candidate;
      if (members.length > 0) break;
    }
    expect(members.length).toBeGreaterThan(0);
    const run = await harness.engine.startSync({ mode: 'FULL', businessId });
    await harness.engine.drainJobs();
    expect(await harness.store.syncRuns.get(run.id)).toMatchObject({
      status: 'succeeded',
      businessId,
      counts: { read: members.length, created: members.length },
    });
    expect([...jobsByRef(harness).keys()].sort()).toEqual(members.map((id) => `ghl:contact:${id}`).sort());
  });

  test('when syncContact is called, then that contact is synced now and recorded as a manual run', async () => {
    const [id] = harness.ghlSim.data.listContactIds();
    const run = await harness.engine.syncContact(id ?? '');
    expect(run).toMatchObject({
      status: 'succeeded',
      trigger: 'manual',
      mode: 'contact',
      counts: { read: 1, created: 1 },
    });
    expect(jobsByRef(harness).get(`ghl:contact:${id}`)).toBe(1);
  });
});
