/**
 * The integrity check over real HTTP against both simulators: drift of every kind is seeded in
 * the simulators after a sync (records gone in Roofr, a contact never synced, a field Roofr owns
 * missing in HighLevel, fields drifted on either side, links to records deleted in HighLevel,
 * duplicate customers), a verify finds each and writes nothing; a verify with repair queues the
 * fixes in the outbox, whose delivery makes both sides agree; running it again changes nothing.
 * Then the random sample and what it says about the rest.
 */
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseMapping } from '../../src/roofr/mapping-file.js';
import type { RunEntry } from '../../src/store/sync-run-entries-repo.js';
import { createOutboxDelivery } from '../../src/sync/outbox-delivery.js';
import { createOutboxWorker } from '../../src/sync/outbox-worker.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

/** The default mapping plus a customer field only Roofr writes (to_ghl), into a HighLevel custom field. */
function mappingWithRoofrOwnedField(customFieldId: string) {
  const document = parse(readFileSync('mapping/default.yaml', 'utf8')) as { customer: unknown[] };
  document.customer.push({
    roofr: 'custom_fields.insurance_company',
    ghl: `customFields.${customFieldId}`,
    direction: 'to_ghl',
  });
  return parseMapping(stringify(document), 'verify-mapping.yaml');
}

async function entriesOf(harness: SyncHarness, runId: string): Promise<RunEntry[]> {
  const entries: RunEntry[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await harness.store.syncRunEntries.list(runId, { first: 50, after });
    entries.push(...page.items);
    if (!page.hasNextPage) return entries;
    after = page.endCursor;
  }
}

async function verify(harness: SyncHarness, options: { repair?: boolean; sample?: number } = {}) {
  const queued = await harness.engine.startVerify({ repair: options.repair ?? false, sample: options.sample ?? null });
  expect(queued).toMatchObject({ kind: 'verify', status: 'running' });
  expect(await harness.engine.drainJobs()).toBe(1);
  const run = await harness.store.syncRuns.get(queued.id);
  if (run === null) throw new Error('the run vanished');
  return { run, entries: await entriesOf(harness, queued.id) };
}

async function linkOf(harness: SyncHarness, contactId: string, roofrKind: 'customer' | 'job') {
  const link = await harness.store.links.findByGhl({
    locationId: harness.locationId,
    ghlKind: 'contact',
    ghlId: contactId,
    roofrKind,
  });
  if (link === null) throw new Error(`contact ${contactId} has no ${roofrKind} link`);
  return link;
}

function writeCount(harness: SyncHarness): { ghl: number; roofr: number } {
  return harness.writes();
}

describe('verify', () => {
  let harness: SyncHarness;
  let customFieldId: string;

  beforeEach(async () => {
    const probe = await startSyncHarness({ contacts: 1 });
    customFieldId = probe.ghlSim.data.location().customFields[2]?.id ?? '';
    await probe.close();
    harness = await startSyncHarness({ contacts: 14, pageSize: 5, mapping: mappingWithRoofrOwnedField(customFieldId) });
    await harness.engine.startSync({ mode: 'FULL' });
    await harness.engine.drainJobs();
  });

  afterEach(async () => {
    await harness.close();
  });

  async function deliverOutbox(): Promise<number> {
    const worker = createOutboxWorker({
      store: harness.store,
      handler: createOutboxDelivery({
        db: harness.store.db,
        store: harness.store,
        roofr: harness.roofr,
        ghl: harness.ghl,
      }),
      owner: 'verify-test',
      pollMs: 10_000,
    });
    let delivered = 0;
    for (;;) {
      const result = await worker.drainOnce();
      delivered += result.completed;
      if (result.claimed === 0) return delivered;
    }
  }

  test('when both sides agree after a sync, then a full verify finds nothing and says so exactly', async () => {
    const { run, entries } = await verify(harness);
    expect(run).toMatchObject({ status: 'succeeded', counts: { read: 14, unchanged: 14, conflicts: 0 } });
    expect(entries).toEqual([]);
    expect(run.summary?.sample).toMatchObject({ population: 14, sampled: 14, withFindings: 0, maxAffected: 0 });
    expect(run.summary?.roofrReads).toBeGreaterThanOrEqual(14 * 4);
    expect(run.errors.at(-1)?.message).toMatch(/^Checked all 14 contacts: none has problems\./);
  });

  test('when drift of every kind is seeded, then verify finds each kind, writes nothing, and a repair through the outbox makes both sides agree; a second repair changes nothing', async () => {
    const loc = harness.locationId;
    const ids = harness.ghlSim.data.listContactIds();
    const [lostJob, lostTask, roofrOwned, driftedJob, roofrEdited, ghlEdited, deleted, taskDeleted, copied, lookalike] =
      ids;
    const id = (value: string | undefined): string => value ?? '';
    const { roofrSim, ghl } = harness;

    // Missing in Roofr: a linked job gone (its tasks and notes with it), a job task gone, a contact never synced.
    const lostJobId = (await linkOf(harness, id(lostJob), 'job')).roofrId;
    roofrSim.data.jobs.delete(lostJobId);
    for (const map of [roofrSim.data.jobTasks, roofrSim.data.jobNotes])
      for (const [childId, child] of map) if (child.job_id === lostJobId) map.delete(childId);
    let ghlTask = (await ghl.listTasks(loc, id(lostTask)))[0];
    if (ghlTask === undefined) {
      ghlTask = await ghl.createTask(loc, id(lostTask), {
        title: 'Check gutters',
        dueDate: '2027-02-01T09:00:00.000Z',
      });
      await harness.engine.syncContact(id(lostTask));
    }
    const taskLink = await harness.store.links.findByGhl({
      locationId: loc,
      ghlKind: 'task',
      ghlId: ghlTask.id,
      roofrKind: 'job_task',
    });
    roofrSim.data.jobTasks.delete(taskLink?.roofrId ?? '');
    const newcomer = await ghl.createContact(loc, {
      firstName: 'Nova',
      lastName: 'Unsynced',
      email: 'nova@example.com',
    });
    // Missing in HighLevel: a field Roofr owns, set in Roofr only.
    const ownedCustomer = (await linkOf(harness, id(roofrOwned), 'customer')).roofrId;
    roofrSim.data.updateCustomer(ownedCustomer, { custom_fields: { insurance_company: 'Acme Mutual' } });
    // Drift: a field HighLevel owns changed in Roofr; a shared field changed in Roofr last; one changed in HighLevel last.
    roofrSim.data.updateJob((await linkOf(harness, id(driftedJob), 'job')).roofrId, { lead_source: 'Billboard' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    roofrSim.data.updateCustomer((await linkOf(harness, id(roofrEdited), 'customer')).roofrId, {
      first_name: 'Roofrside',
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await ghl.updateContact(loc, id(ghlEdited), { lastName: 'Ghlside' });
    // Links to deleted records: a contact and a task deleted in HighLevel (their webhooks never came).
    await ghl.deleteContact(loc, id(deleted));
    const deletedJob = (await linkOf(harness, id(deleted), 'job')).roofrId;
    let doomedTask = (await ghl.listTasks(loc, id(taskDeleted)))[0];
    if (doomedTask === undefined) {
      doomedTask = await ghl.createTask(loc, id(taskDeleted), { title: 'Doomed', dueDate: '2027-03-01T09:00:00.000Z' });
      await harness.engine.syncContact(id(taskDeleted));
    }
    const doomedLink = await harness.store.links.findByGhl({
      locationId: loc,
      ghlKind: 'task',
      ghlId: doomedTask.id,
      roofrKind: 'job_task',
    });
    await ghl.deleteTask(loc, id(taskDeleted), doomedTask.id);
    // Duplicates: an exact copy of a linked customer, and a different customer sharing an email.
    const original = roofrSim.data.customers.get((await linkOf(harness, id(copied), 'customer')).roofrId);
    if (original === undefined) throw new Error('expected the synced customer');
    const { id: _id, created_at: _c, updated_at: _u, ...copyFields } = original;
    const copy = roofrSim.data.createCustomer(copyFields);
    const lookalikeEmail = (await ghl.getContact(loc, id(lookalike))).email;
    const stranger = roofrSim.data.createCustomer({ first_name: 'Someone', last_name: 'Else', email: lookalikeEmail });

    const before = writeCount(harness);
    const report = await verify(harness);
    expect(writeCount(harness)).toEqual(before);
    expect(await harness.store.outbox.depth()).toBe(0);
    const found = (contactId: string | undefined, targetKind?: string) =>
      report.entries
        .filter(
          (entry) => entry.entityId === contactId && (targetKind === undefined || entry.targetKind === targetKind),
        )
        .map((entry) => entry.action);
    expect(found(lostJob, 'job')).toEqual(['MISSING_IN_ROOFR']);
    expect(found(ghlTask.id, 'job_task')).toEqual(['MISSING_IN_ROOFR']);
    expect(found(newcomer.id).sort()).toEqual(['MISSING_IN_ROOFR', 'MISSING_IN_ROOFR']);
    expect(report.entries.find((entry) => entry.entityId === roofrOwned)).toMatchObject({
      action: 'MISSING_IN_GHL',
      targetKind: 'contact',
      fields: [{ field: `customFields.${customFieldId}`, from: null, to: 'Acme Mutual' }],
    });
    expect(report.entries.find((entry) => entry.entityId === driftedJob)).toMatchObject({
      action: 'DRIFT',
      targetKind: 'job',
      fields: [{ field: 'lead_source', from: 'Billboard' }],
    });
    expect(report.entries.find((entry) => entry.entityId === roofrEdited)).toMatchObject({
      action: 'DRIFT',
      targetKind: 'contact',
      fields: [{ field: 'firstName', to: 'Roofrside' }],
    });
    expect(found(ghlEdited).sort()).toEqual(['DRIFT', 'DRIFT']);
    expect(
      report.entries.find((entry) => entry.entityId === ghlEdited && entry.targetKind === 'customer'),
    ).toMatchObject({ fields: [{ field: 'last_name', to: 'Ghlside' }] });
    expect(found(deleted)).toEqual(['LINK_TO_DELETED']);
    expect(found(doomedTask.id)).toEqual(['LINK_TO_DELETED']);
    expect(report.entries.filter((entry) => entry.action === 'DUPLICATE')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entityId: copied, roofrId: copy.id, fields: [] }),
        expect.objectContaining({ entityId: lookalike, roofrId: stranger.id }),
      ]),
    );
    expect(report.entries.every((entry) => entry.repair === null)).toBe(true);
    expect(report.run.summary?.sample?.withFindings).toBe(report.run.counts.conflicts);

    // Repair: the fixes are queued, a second verify before delivery queues nothing more.
    const repair = await verify(harness, { repair: true });
    const queued = repair.entries.filter((entry) => entry.repair === 'queued');
    expect(queued.length).toBeGreaterThan(0);
    expect(repair.entries.find((entry) => entry.roofrId === stranger.id)?.repair).toBe('manual');
    const depth = await harness.store.outbox.depth();
    expect(depth).toBe(new Set(queued.map((entry) => entry.outboxId)).size);
    // One write per record, however many findings it fixes.
    expect(repair.run.summary?.tallies['repair.queued']).toBe(depth);
    expect(queued.length).toBeGreaterThan(depth);
    const again = await verify(harness, { repair: true });
    expect(await harness.store.outbox.depth()).toBe(depth);
    expect(again.entries.filter((entry) => entry.repair === 'queued')).toEqual([]);

    expect(await deliverOutbox()).toBe(depth);
    expect((await harness.store.outbox.counts()).dead).toBe(0);
    // Each fix landed.
    const newJob = await linkOf(harness, id(lostJob), 'job');
    expect(newJob.roofrId).not.toBe(lostJobId);
    expect(roofrSim.data.jobs.get(newJob.roofrId)?.external_ref).toBe(`ghl:contact:${id(lostJob)}`);
    expect([...roofrSim.data.jobTasks.values()].filter((task) => task.job_id === newJob.roofrId)).toHaveLength(
      harness.ghlSim.data.tasksOf(id(lostJob)).length,
    );
    expect([...roofrSim.data.jobTasks.values()].some((task) => task.external_ref === `ghl:task:${ghlTask.id}`)).toBe(
      true,
    );
    expect([...roofrSim.data.jobs.values()].some((job) => job.external_ref === `ghl:contact:${newcomer.id}`)).toBe(
      true,
    );
    expect(
      (await ghl.getContact(loc, id(roofrOwned))).customFields.find((field) => field.id === customFieldId)?.value,
    ).toBe('Acme Mutual');
    expect(roofrSim.data.jobs.get((await linkOf(harness, id(driftedJob), 'job')).roofrId)?.lead_source).not.toBe(
      'Billboard',
    );
    expect((await ghl.getContact(loc, id(roofrEdited))).firstName).toBe('Roofrside');
    expect(roofrSim.data.customers.get((await linkOf(harness, id(ghlEdited), 'customer')).roofrId)?.last_name).toBe(
      'Ghlside',
    );
    expect(roofrSim.data.jobs.get(deletedJob)?.archived).toBe(true);
    expect((await linkOf(harness, id(deleted), 'job')).status).toBe('deleted');
    expect(roofrSim.data.jobTasks.has(doomedLink?.roofrId ?? '')).toBe(false);
    expect(roofrSim.data.customers.has(copy.id)).toBe(false);
    expect(roofrSim.data.customers.has(stranger.id)).toBe(true);

    // Running it again: only what needs a person remains, and nothing is written.
    const settled = writeCount(harness);
    const second = await verify(harness, { repair: true });
    expect(second.entries.map((entry) => [entry.action, entry.repair])).toEqual([['DUPLICATE', 'manual']]);
    expect(await deliverOutbox()).toBe(0);
    expect(writeCount(harness)).toEqual(settled);
  });

  test('when a sample is checked, then it states the bound it gives for the rest, and a sample as large as the location is exact', async () => {
    const ids = harness.ghlSim.data.listContactIds();
    for (const contactId of ids.slice(0, 3)) {
      const job = await linkOf(harness, contactId, 'job');
      harness.roofrSim.data.updateJob(job.roofrId, { lead_source: 'Drifted' });
    }
    const sampled = await verify(harness, { sample: 6 });
    expect(sampled.run.mode).toBe('SAMPLE:6');
    const bound = sampled.run.summary?.sample;
    expect(bound).toMatchObject({ population: 14, sampled: 6, confidence: 0.95 });
    expect(bound?.withFindings).toBe(sampled.run.counts.conflicts);
    expect(bound?.maxAffected).toBeGreaterThanOrEqual(bound?.withFindings ?? 0);
    expect(bound?.statement).toMatch(/with 95% confidence at most/);

    const whole = await verify(harness, { sample: 100 });
    expect(whole.run.summary?.sample).toMatchObject({ population: 14, sampled: 14, withFindings: 3, maxAffected: 3 });
    expect(whole.run.summary?.sample?.statement).toBe('Checked all 14 linked contacts: 3 have problems.');
  });

  test('when the adapter cannot read Roofr, then verify fails at once saying which adapter it needs', async () => {
    const zapier = await startSyncHarness({ contacts: 2 });
    try {
      const { createRoofrPort } = await import('../../src/roofr/create-roofr-port.js');
      const { parseConfig } = await import('../../src/config.js');
      const { createSyncEngine } = await import('../../src/sync/sync-engine.js');
      const port = createRoofrPort(
        parseConfig({ ROOFR_ADAPTER: 'zapier', ROOFR_ZAPIER_HOOK_URL: zapier.roofrSim.zapierHookUrl }),
        {},
      );
      const engine = await createSyncEngine({
        ghl: zapier.ghl,
        roofr: port,
        push: zapier.push,
        mapping: zapier.mapping,
        store: zapier.store,
        locationId: zapier.locationId,
        pageSize: 5,
        eventTasks: {},
      });
      const queued = await engine.startVerify({});
      await engine.drainJobs();
      await engine.stop();
      const run = await zapier.store.syncRuns.get(queued.id);
      expect(run).toMatchObject({ status: 'failed', errors: [{ code: 'VERIFY_UNSUPPORTED' }] });
      expect(run?.errors[0]?.message).toMatch(/ROOFR_ADAPTER=rest/);
    } finally {
      await zapier.close();
    }
  });
});
