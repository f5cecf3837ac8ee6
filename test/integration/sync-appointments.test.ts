/**
 * Appointments reach Roofr as job tasks of their contact's job (mapping `appointment:` rules),
 * through the same links / content hashes / idempotency keys as tasks: from a manual contact sync
 * (the same path as a Roofr event's contact sync) and from Appointment* HighLevel webhooks, over
 * real HTTP against both simulators.
 */
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

describe('appointments to Roofr', () => {
  let harness: SyncHarness;

  beforeEach(async () => {
    harness = await startSyncHarness({ contacts: 12 });
  });

  afterEach(async () => {
    await harness.close();
  });

  function contactWithAppointments(): { contactId: string; appointmentIds: string[] } {
    for (const contactId of harness.ghlSim.data.listContactIds()) {
      const appointmentIds = harness.ghlSim.data
        .appointmentsOf(contactId)
        .map((appointment) => String(appointment['id']));
      if (appointmentIds.length > 0) return { contactId, appointmentIds };
    }
    throw new Error('the seeded simulator has no contact with appointments');
  }

  function roofrTasksFor(appointmentId: string) {
    return [...harness.roofrSim.data.jobTasks.values()].filter(
      (task) => task.external_ref === `ghl:appointment:${appointmentId}`,
    );
  }

  async function jobOf(contactId: string): Promise<string> {
    const link = await harness.store.links.findByGhl({
      locationId: harness.locationId,
      ghlKind: 'contact',
      ghlId: contactId,
      roofrKind: 'job',
    });
    if (link === null) throw new Error(`contact ${contactId} has no Roofr job`);
    return link.roofrId;
  }

  it('when a contact is synced, then each of its appointments is one job task on its job, and a second sync writes none again', async () => {
    const { contactId, appointmentIds } = contactWithAppointments();

    const first = await harness.engine.syncContact(contactId);
    expect(first.status).toBe('succeeded');
    const jobId = await jobOf(contactId);
    for (const appointmentId of appointmentIds) {
      const tasks = roofrTasksFor(appointmentId);
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toMatchObject({ job_id: jobId });
      expect(tasks[0]?.title).toMatch(/^Appointment/);
      const link = await harness.store.links.findByGhl({
        locationId: harness.locationId,
        ghlKind: 'appointment',
        ghlId: appointmentId,
        roofrKind: 'job_task',
      });
      expect(link?.roofrId).toBe(tasks[0]?.id);
    }

    const writesBefore = harness.writes().roofr;
    const second = await harness.engine.syncContact(contactId);
    expect(second.status).toBe('succeeded');
    expect(harness.writes().roofr).toBe(writesBefore);
    for (const appointmentId of appointmentIds) expect(roofrTasksFor(appointmentId)).toHaveLength(1);
  });

  it('when AppointmentCreate, AppointmentUpdate and AppointmentDelete webhooks arrive for a contact not yet in Roofr, then the contact and one job task are written, then the task is removed', async () => {
    const { contactId, appointmentIds } = contactWithAppointments();
    const appointmentId = appointmentIds[0] ?? '';

    harness.deliverWebhooks(true);
    const event = { locationId: harness.locationId, appointment: { id: appointmentId, contactId } };
    await harness.ghlSim.webhooks.emit({ type: 'AppointmentCreate', ...event });
    await harness.ghlSim.webhooks.emit({ type: 'AppointmentUpdate', ...event });
    await harness.settle();
    const jobId = await jobOf(contactId);
    const tasks = roofrTasksFor(appointmentId);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ job_id: jobId });
    const runs = await harness.store.syncRuns.list({ first: 10, locationId: harness.locationId });
    expect(runs.items.filter((run) => run.trigger === 'ghl-webhook').map((run) => run.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);

    await harness.ghlSim.webhooks.emit({ type: 'AppointmentDelete', ...event });
    await harness.settle();
    expect(roofrTasksFor(appointmentId)).toHaveLength(0);
    const link = await harness.store.links.findByGhl({
      locationId: harness.locationId,
      ghlKind: 'appointment',
      ghlId: appointmentId,
      roofrKind: 'job_task',
    });
    expect(link?.status).toBe('deleted');
  });
});
