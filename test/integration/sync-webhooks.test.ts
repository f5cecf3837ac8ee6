/**
 * Webhook-triggered sync over real HTTP: HighLevel writes reach Roofr through signed webhooks
 * and the durable queue; Roofr events (lead, stage change, proposal signed) find or create the
 * GHL contact, enrich it, create the configured task and attach Roofr notes; echoes settle with
 * no further writes; conflicts and deletes are decided and recorded in the run.
 */
import type { SyncRun } from '../../src/store/sync-runs-repo.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

async function runsOf(harness: SyncHarness, trigger: string): Promise<SyncRun[]> {
  const page = await harness.store.syncRuns.list({ first: 100 });
  return page.items.filter((run) => run.trigger === trigger);
}

function jobFor(harness: SyncHarness, contactId: string) {
  return [...harness.roofrSim.data.jobs.values()].find((job) => job.external_ref === `ghl:contact:${contactId}`);
}

describe('webhook-triggered sync', () => {
  let harness: SyncHarness;

  beforeEach(async () => {
    harness = await startSyncHarness({
      contacts: 3,
      roofrAutoEmit: true,
      eventTasks: { 'proposal.signed': { title: 'Proposal signed: schedule the install', dueInDays: 2 } },
    });
    harness.deliverWebhooks(true);
  });

  afterEach(async () => {
    await harness.close();
  });

  test('when a contact is created in HighLevel, then its webhook syncs it to Roofr and a ghl-webhook run records it', async () => {
    const contact = await harness.ghl.createContact(harness.locationId, {
      firstName: 'Webhook',
      lastName: 'Created',
      email: 'webhook.created@example.com',
    });
    await harness.settle();
    const job = jobFor(harness, contact.id);
    expect(job?.name).toBe('Webhook Created');
    expect(harness.roofrSim.data.customers.get(job?.customer_id ?? '')?.email).toBe('webhook.created@example.com');
    const runs = await runsOf(harness, 'ghl-webhook');
    expect(runs.find((run) => run.mode === 'event:ContactCreate')).toMatchObject({
      status: 'succeeded',
      counts: { read: 1, created: 1 },
    });
  });

  test('when a HighLevel write and its webhooks have settled, then nothing is written again on either side (no ping-pong)', async () => {
    const contact = await harness.ghl.createContact(harness.locationId, {
      firstName: 'Echo',
      lastName: 'Test',
      email: 'echo@example.com',
    });
    await harness.settle();
    await harness.ghl.updateContact(harness.locationId, contact.id, { lastName: 'Changed' });
    await harness.settle();
    const settled = harness.writes();
    // Another full round of deliveries and queue passes changes nothing.
    await harness.settle();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await harness.settle();
    expect(harness.writes()).toEqual(settled);
    expect(jobFor(harness, contact.id)?.name).toBe('Echo Changed');
    // The Roofr echo (customer.updated/job events) was processed and wrote nothing to HighLevel.
    const roofrRuns = await runsOf(harness, 'roofr-webhook');
    expect(roofrRuns.length).toBeGreaterThan(0);
    expect(roofrRuns.every((run) => run.counts.updated === 0 && run.counts.created === 0)).toBe(true);
  });

  test('when a Roofr lead is created, then a GHL contact is created (upsert by email), linked, and the Roofr job mirrors it; once settled no write repeats', async () => {
    const { customer, job } = await harness.roofrSim.events.leadCreated({
      first_name: 'Lena',
      last_name: 'Lead',
      email: 'lena.lead@example.com',
      phone: '+15125550111',
    });
    await harness.settle();
    const link = await harness.store.links.findByRoofr({
      locationId: harness.locationId,
      roofrKind: 'customer',
      roofrId: customer.id,
      ghlKind: 'contact',
    });
    expect(link?.status).toBe('active');
    const contact = await harness.ghl.getContact(harness.locationId, link?.ghlId ?? '');
    expect(contact).toMatchObject({ firstName: 'Lena', lastName: 'Lead', email: 'lena.lead@example.com' });
    expect(harness.roofrSim.data.jobs.get(job.id)?.external_ref).toBe(`ghl:contact:${contact.id}`);
    const settled = harness.writes();
    await harness.settle();
    expect(harness.writes()).toEqual(settled);
    const run = (await runsOf(harness, 'roofr-webhook')).find((candidate) => candidate.mode === 'event:lead.created');
    expect(run).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
  });

  test('when a Roofr proposal is signed, then the configured GHL task is created once and Roofr job notes are attached as contact notes', async () => {
    const { job } = await harness.roofrSim.events.leadCreated({
      first_name: 'Pat',
      last_name: 'Proposal',
      email: 'pat.proposal@example.com',
    });
    await harness.settle();
    harness.roofrSim.data.createJobNote(job.id, { body: 'Homeowner prefers mornings' });
    await harness.roofrSim.events.proposalSigned(job.id, 12_500);
    await harness.settle();
    const link = await harness.store.links.findByRoofr({
      locationId: harness.locationId,
      roofrKind: 'job',
      roofrId: job.id,
      ghlKind: 'contact',
    });
    const contactId = link?.ghlId ?? '';
    const tasks = harness.ghlSim.data.tasksOf(contactId);
    expect(tasks.filter((task) => task.title === 'Proposal signed: schedule the install')).toHaveLength(1);
    expect(harness.ghlSim.data.notesOf(contactId).map((note) => note.body)).toContain('Homeowner prefers mornings');
    // The task reached Roofr as a job task too, the imported note was not copied back as a second one.
    expect(
      [...harness.roofrSim.data.jobTasks.values()].filter(
        (task) => task.job_id === job.id && task.title === 'Proposal signed: schedule the install',
      ),
    ).toHaveLength(1);
    expect(
      [...harness.roofrSim.data.jobNotes.values()].filter(
        (note) => note.job_id === job.id && note.body === 'Homeowner prefers mornings',
      ),
    ).toHaveLength(1);
  });

  test('when Roofr changes a shared field later than HighLevel, then Roofr wins and the run keeps the overwritten value', async () => {
    const contact = await harness.ghl.createContact(harness.locationId, {
      firstName: 'Old',
      lastName: 'Name',
      email: 'conflict@example.com',
    });
    await harness.settle();
    const job = jobFor(harness, contact.id);
    harness.roofrSim.data.updateCustomer(job?.customer_id ?? '', { first_name: 'Newer' });
    await harness.settle();
    expect((await harness.ghl.getContact(harness.locationId, contact.id)).firstName).toBe('Newer');
    const run = (await runsOf(harness, 'roofr-webhook')).find((candidate) =>
      candidate.errors.some((entry) => entry.code === 'OVERWRITTEN'),
    );
    expect(run?.errors.find((entry) => entry.code === 'OVERWRITTEN')?.message).toContain('firstName: "Old" → "Newer"');
  });

  test("when HighLevel changed a shared field after Roofr, then HighLevel's value is kept, logged, and pushed to Roofr", async () => {
    const contact = await harness.ghl.createContact(harness.locationId, {
      firstName: 'Ghl',
      lastName: 'Wins',
      email: 'ghl.wins@example.com',
    });
    await harness.settle();
    const customerId = jobFor(harness, contact.id)?.customer_id ?? '';
    harness.deliverWebhooks(false);
    // Roofr's change happened first (older updated_at), then HighLevel's.
    const stale = harness.roofrSim.data.updateCustomer(customerId, { first_name: 'RoofrOlder' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await harness.ghl.updateContact(harness.locationId, contact.id, { firstName: 'GhlNewer' });
    harness.deliverWebhooks(true);
    await harness.roofrSim.webhooks.fire('customer.updated', { customer: stale });
    await harness.settle();
    expect((await harness.ghl.getContact(harness.locationId, contact.id)).firstName).toBe('GhlNewer');
    expect(harness.roofrSim.data.customers.get(customerId)?.first_name).toBe('GhlNewer');
    const run = (await runsOf(harness, 'roofr-webhook')).find((candidate) =>
      candidate.errors.some((entry) => entry.code === 'CONFLICT_KEPT_GHL'),
    );
    expect(run?.errors.find((entry) => entry.code === 'CONFLICT_KEPT_GHL')?.message).toContain('firstName');
  });

  test('when a contact is deleted in HighLevel, then its Roofr job is archived (ROOFR_DELETE_POLICY=archive), the link marked, and the run records it', async () => {
    const contact = await harness.ghl.createContact(harness.locationId, {
      firstName: 'Gone',
      lastName: 'Soon',
      email: 'gone@example.com',
    });
    await harness.settle();
    const job = jobFor(harness, contact.id);
    await harness.ghl.deleteContact(harness.locationId, contact.id);
    await harness.settle();
    expect(harness.roofrSim.data.jobs.get(job?.id ?? '')?.archived).toBe(true);
    const link = await harness.store.links.findByGhl({
      locationId: harness.locationId,
      ghlKind: 'contact',
      ghlId: contact.id,
      roofrKind: 'job',
    });
    expect(link?.status).toBe('deleted');
    const run = (await runsOf(harness, 'ghl-webhook')).find((candidate) => candidate.mode === 'event:ContactDelete');
    expect(run?.errors.find((entry) => entry.code === 'DELETE')).toMatchObject({ entityId: contact.id });
  });
});
