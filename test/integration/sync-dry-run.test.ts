/**
 * Dry runs over real HTTP against both simulators: a dry run reads what the real run reads
 * (same HighLevel requests), writes nothing anywhere (Roofr, HighLevel, links, hashes, cursors,
 * outbox), records a DRY_RUN run with the counts the real run then reports, and its plan names
 * exactly the records the real run creates and updates, with the fields that change.
 */
import { sql } from 'kysely';
import type { Store } from '../../src/store/open-store.js';
import type { RunEntry } from '../../src/store/sync-run-entries-repo.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

async function tableRows(store: Store): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const table of ['links', 'content_hashes', 'sync_cursors', 'outbox'] as const) {
    const result = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db);
    rows[table] = result.rows;
  }
  return rows;
}

async function planOf(harness: SyncHarness, runId: string): Promise<RunEntry[]> {
  const entries: RunEntry[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await harness.store.syncRunEntries.list(runId, { first: 7, after });
    entries.push(...page.items);
    if (!page.hasNextPage) return entries;
    after = page.endCursor;
  }
}

/** HighLevel requests as comparable text: method, path and body. */
function ghlReads(harness: SyncHarness, from: number): string[] {
  return harness.ghlSim.log.entries
    .slice(from)
    .filter((entry) => entry.kind === 'request')
    .map((entry) => `${entry.method} ${entry.path} ${JSON.stringify(entry.body ?? null)}`)
    .sort();
}

function roofrWrites(harness: SyncHarness, from = 0): Array<{ method: string; path: string }> {
  return harness.roofrSim.log.entries
    .slice(from)
    .filter((entry) => entry.method !== 'GET')
    .map(({ method, path }) => ({ method, path }));
}

describe('dry run', () => {
  let harness: SyncHarness;

  beforeEach(async () => {
    harness = await startSyncHarness({ contacts: 12, pageSize: 5 });
  });

  afterEach(async () => {
    await harness.close();
  });

  test('when a FULL dry run runs, then it writes nothing anywhere and plans a create of every record', async () => {
    const before = await tableRows(harness.store);
    const ghlWritesBefore = harness.writes().ghl;
    const queued = await harness.engine.startSync({ mode: 'FULL', dryRun: true });
    expect(queued).toMatchObject({ kind: 'dry_run', status: 'running' });
    expect(await harness.engine.drainJobs()).toBe(1);
    const run = await harness.store.syncRuns.get(queued.id);
    expect(run).toMatchObject({
      kind: 'dry_run',
      status: 'succeeded',
      counts: { read: 12, created: 12, updated: 0, unchanged: 0, failed: 0, conflicts: 0 },
    });
    expect(roofrWrites(harness)).toEqual([]);
    expect(harness.roofrSim.data.customers.size).toBe(0);
    expect(harness.writes().ghl).toBe(ghlWritesBefore);
    expect(await tableRows(harness.store)).toEqual(before);

    const plan = await planOf(harness, queued.id);
    const ids = harness.ghlSim.data.listContactIds();
    const tasks = ids.flatMap((id) => harness.ghlSim.data.tasksOf(id));
    const notes = ids.flatMap((id) => harness.ghlSim.data.notesOf(id));
    expect(plan).toHaveLength(ids.length * 2 + tasks.length + notes.length);
    expect(plan.every((entry) => entry.action === 'CREATE')).toBe(true);
    const customer = plan.find((entry) => entry.targetKind === 'customer' && entry.entityId === ids[0]);
    const contact = harness.ghlSim.data.getContact(ids[0] ?? '');
    expect(customer?.fields).toEqual(
      expect.arrayContaining([{ field: 'first_name', from: null, to: contact?.firstName }]),
    );
    expect(run?.summary?.tallies).toMatchObject({
      'customer.CREATE': 12,
      'job.CREATE': 12,
      'job_task.CREATE': tasks.length,
      'job_note.CREATE': notes.length,
    });
    expect(run?.summary?.ghlCalls).toBeGreaterThan(0);
  });

  test('when a dry run is followed by the real run, then the real run reads the same requests and creates exactly the planned records, with the planned counts', async () => {
    const logStart = harness.ghlSim.log.entries.length;
    const dry = await harness.engine.startSync({ mode: 'FULL', dryRun: true });
    await harness.engine.drainJobs();
    const dryReads = ghlReads(harness, logStart);
    const realStart = harness.ghlSim.log.entries.length;
    const real = await harness.engine.startSync({ mode: 'FULL' });
    await harness.engine.drainJobs();
    expect(ghlReads(harness, realStart)).toEqual(dryReads);

    const [dryRun, realRun] = [await harness.store.syncRuns.get(dry.id), await harness.store.syncRuns.get(real.id)];
    for (const key of ['read', 'created', 'updated', 'unchanged', 'failed'] as const)
      expect(realRun?.counts[key]).toBe(dryRun?.counts[key]);
    const planned = (await planOf(harness, dry.id))
      .filter((entry) => entry.action === 'CREATE')
      .map((entry) => `${entry.targetKind}:${entry.entityKind}:${entry.entityId}`)
      .sort();
    const created = [
      ...[...harness.roofrSim.data.jobs.values()].map((job) => `job:${job.external_ref?.replace('ghl:', '') ?? ''}`),
      ...[...harness.roofrSim.data.jobs.values()].map(
        (job) => `customer:${job.external_ref?.replace('ghl:', '') ?? ''}`,
      ),
      ...[...harness.roofrSim.data.jobTasks.values()].map(
        (task) => `job_task:${task.external_ref?.replace('ghl:', '') ?? ''}`,
      ),
      ...[...harness.roofrSim.data.jobNotes.values()].map(
        (note) => `job_note:${note.external_ref?.replace('ghl:', '') ?? ''}`,
      ),
    ].sort();
    expect(created).toEqual(planned);
  });

  test('when records changed on both sides since a sync, then the plan says update, create, unchanged and conflict with field diffs, and the real run writes exactly those records', async () => {
    await harness.engine.startSync({ mode: 'FULL' });
    await harness.engine.drainJobs();
    const [renamed, edited, withTask] = harness.ghlSim.data.listContactIds();
    if (renamed === undefined || edited === undefined || withTask === undefined) throw new Error('contacts expected');
    const loc = harness.locationId;
    // HighLevel: a changed last name (a field only HighLevel writes in the job's name, both in the customer).
    await harness.ghl.updateContact(loc, renamed, { lastName: 'Planned' });
    // Roofr: someone edited the customer's first name; HighLevel changed the company too.
    const editedCustomer = await harness.store.links.findByGhl({
      locationId: loc,
      ghlKind: 'contact',
      ghlId: edited,
      roofrKind: 'customer',
    });
    harness.roofrSim.data.updateCustomer(editedCustomer?.roofrId ?? '', { first_name: 'EditedInRoofr' });
    await harness.ghl.updateContact(loc, edited, { companyName: 'Both Sides Changed LLC' });
    const task = await harness.ghl.createTask(loc, withTask, {
      title: 'Planned task',
      dueDate: '2027-01-05T10:00:00.000Z',
    });

    const roofrBefore = harness.roofrSim.log.entries.length;
    const dry = await harness.engine.startSync({ mode: 'FULL', dryRun: true });
    await harness.engine.drainJobs();
    expect(roofrWrites(harness, roofrBefore)).toEqual([]);
    const dryRun = await harness.store.syncRuns.get(dry.id);
    expect(dryRun?.counts).toMatchObject({ read: 12, created: 0, updated: 2, unchanged: 10, conflicts: 1 });
    const plan = await planOf(harness, dry.id);
    const byKey = new Map(plan.map((entry) => [`${entry.targetKind}:${entry.entityId}`, entry]));
    expect(byKey.get(`customer:${renamed}`)).toMatchObject({
      action: 'UPDATE',
      fields: [{ field: 'last_name', from: expect.any(String), to: 'Planned' }],
    });
    expect(byKey.get(`job:${renamed}`)).toMatchObject({ action: 'UPDATE', fields: [{ field: 'name' }] });
    expect(byKey.get(`customer:${edited}`)).toMatchObject({
      action: 'CONFLICT',
      // Only the field Roofr changed is the conflict; the company is HighLevel's change.
      reason: "Roofr changed first_name since the last sync; the run overwrites it with HighLevel's value",
      fields: expect.arrayContaining([
        { field: 'first_name', from: 'EditedInRoofr', to: expect.any(String) },
        expect.objectContaining({ field: 'company_name', to: 'Both Sides Changed LLC' }),
      ]),
    });
    expect(byKey.get(`job_task:${task.id}`)).toMatchObject({ action: 'CREATE' });
    expect(dryRun?.summary?.tallies['customer.UNCHANGED']).toBe(10);

    const realStart = harness.roofrSim.log.entries.length;
    const real = await harness.engine.startSync({ mode: 'FULL' });
    await harness.engine.drainJobs();
    const realRun = await harness.store.syncRuns.get(real.id);
    expect(realRun?.counts).toMatchObject({ created: 0, updated: 2, unchanged: 10 });
    const writes = roofrWrites(harness, realStart);
    const patched = writes
      .filter((write) => write.method === 'PATCH')
      .map((write) => write.path)
      .sort();
    const plannedUpdates = plan
      .filter((entry) => entry.action === 'UPDATE' || entry.action === 'CONFLICT')
      .map((entry) => `/v1/${entry.targetKind === 'customer' ? 'customers' : 'jobs'}/${entry.roofrId ?? ''}`)
      .sort();
    expect(patched).toEqual(plannedUpdates);
    expect(writes.filter((write) => write.method === 'POST').map((write) => write.path)).toEqual([
      `/v1/jobs/${byKey.get(`job:${withTask}`)?.roofrId ?? (await jobOf(harness, withTask))}/tasks`,
    ]);
  });

  test('when an incremental dry run runs, then the watermark stays where the last real run left it', async () => {
    await harness.engine.startSync({ mode: 'FULL' });
    await harness.engine.drainJobs();
    const before = await tableRows(harness.store);
    const [id] = harness.ghlSim.data.listContactIds();
    await harness.ghl.updateContact(harness.locationId, id ?? '', { firstName: 'Later' });
    const dry = await harness.engine.startSync({ mode: 'INCREMENTAL', dryRun: true });
    await harness.engine.drainJobs();
    expect(await harness.store.syncRuns.get(dry.id)).toMatchObject({ status: 'succeeded', counts: { updated: 1 } });
    expect((await tableRows(harness.store)).sync_cursors).toEqual(before.sync_cursors);
  });

  test('when one contact is dry-run, then the run plans it and nothing is written', async () => {
    const [id] = harness.ghlSim.data.listContactIds();
    const run = await harness.engine.syncContact(id ?? '', harness.locationId, {}, { dryRun: true });
    expect(run).toMatchObject({ kind: 'dry_run', mode: 'contact', status: 'succeeded', counts: { created: 1 } });
    expect(roofrWrites(harness)).toEqual([]);
    const plan = await planOf(harness, run.id);
    expect(
      plan
        .filter((entry) => entry.entityId === id)
        .map((entry) => entry.targetKind)
        .sort(),
    ).toEqual(['customer', 'job']);
  });

  test('when Roofr hangs, then a dry run of one contact still answers by its deadline, the diff showing the new values only', async () => {
    const [id] = harness.ghlSim.data.listContactIds();
    await harness.engine.syncContact(id ?? '');
    await harness.ghl.updateContact(harness.locationId, id ?? '', { firstName: 'Hung' });
    harness.roofrSim.faults.set({ hang: true });
    const deadlineAt = Date.now() + 3_000;
    const run = await harness.engine.syncContact(id ?? '', harness.locationId, { deadlineAt }, { dryRun: true });
    // Bounded by the deadline, with a wide margin for a loaded machine (never the 30 s test timeout).
    expect(Date.now()).toBeLessThan(deadlineAt + 10_000);
    harness.roofrSim.faults.clear();
    expect(run).toMatchObject({ kind: 'dry_run', status: 'succeeded', counts: { updated: 1 } });
    const customer = (await planOf(harness, run.id)).find((entry) => entry.targetKind === 'customer');
    expect(customer?.reason).toMatch(/Roofr could not be read/);
    expect(customer?.fields).toEqual(expect.arrayContaining([{ field: 'first_name', from: null, to: 'Hung' }]));
  });

  test('when the plan outgrows its cap, then the first entries are kept and the tallies still count every record', async () => {
    const small = await startSyncHarness({ contacts: 6, pageSize: 5, maxRunEntries: 5 });
    try {
      const dry = await small.engine.startSync({ mode: 'FULL', dryRun: true });
      await small.engine.drainJobs();
      const run = await small.store.syncRuns.get(dry.id);
      expect(await small.store.syncRunEntries.count(dry.id)).toBe(5);
      const tallied = Object.values(run?.summary?.tallies ?? {}).reduce((sum, count) => sum + count, 0);
      expect(run?.summary?.omittedEntries).toBe(tallied - 5);
      expect(run?.summary?.tallies['customer.CREATE']).toBe(6);
    } finally {
      await small.close();
    }
  });
});

async function jobOf(harness: SyncHarness, contactId: string): Promise<string> {
  const link = await harness.store.links.findByGhl({
    locationId: harness.locationId,
    ghlKind: 'contact',
    ghlId: contactId,
    roofrKind: 'job',
  });
  return link?.roofrId ?? '';
}
