/**
 * Processes one queued HighLevel webhook event (the inbound worker calls it): Contact*, Task*,
 * Note* and Appointment* go to Roofr through the RoofrPush service, re-reading the record from
 * the API first (a queued body may be older than the record); an appointment becomes a job task
 * of its contact's job. Echo suppression is the push service's content
 * hash: when the event is the echo of a write this gateway made to HighLevel, the engine
 * already pushed the resulting record to Roofr, so the hash matches and nothing is written.
 * ContactDelete applies ROOFR_DELETE_POLICY and is recorded in a sync run, never silently.
 * Every event is recorded as a run (trigger "ghl-webhook") with what it came to.
 */
import { isGhlError } from '../ghl/errors.js';
import type { CallOptions, GhlApi } from '../ghl/ghl-api.js';
import type { LinksRepo } from '../store/links-repo.js';
import type { SyncRunsRepo } from '../store/sync-runs-repo.js';
import { syncContactRecords, fetchChildren } from './contact-sync.js';
import {
  GhlAppointmentEventSchema,
  GhlChildEventSchema,
  GhlContactEventSchema,
  isKnownGhlEvent,
  type GhlAppointmentEvent,
} from './ghl-webhook-events.js';
import type { RoofrPush } from './roofr-push.js';
import type { RoofrSyncResult } from './roofr-sync-result.js';
import { emptyTally, logEntry, type RunTally } from './run-tally.js';

export interface GhlEventHandlerDeps {
  ghl: GhlApi;
  push: RoofrPush;
  store: { links: Pick<LinksRepo, 'findByGhl'>; syncRuns: SyncRunsRepo };
  /** Cache invalidation for the event (src/cache/webhook-invalidation.ts when present). */
  invalidate?: (event: Record<string, unknown>) => Promise<void>;
  /** The auth module's INSTALL / UNINSTALL handling (src/ghl/oauth-installs.ts). */
  installs?: { install(body: unknown): Promise<unknown>; uninstall(body: unknown): Promise<unknown> };
}

const CALL: CallOptions = { lane: 'background' };

function isNotFound(error: unknown): boolean {
  return isGhlError(error) && error.kind === 'NotFound';
}

function tallyOf(result: RoofrSyncResult, entity: { kind: string; id: string }, action: string): RunTally {
  const tally = emptyTally();
  tally.counts.read = 1;
  if (result.status === 'SYNCED' || result.status === 'QUEUED') tally.counts.updated = 1;
  else if (result.status === 'SKIPPED') tally.counts.unchanged = 1;
  else tally.counts.failed = 1;
  if (result.status === 'FAILED')
    tally.errors.push(logEntry('ROOFR_REFUSED', result.error ?? `Roofr refused the ${entity.kind}`, entity));
  else if (action === 'delete')
    tally.errors.push(
      logEntry(
        'DELETE',
        `${entity.kind} deleted in HighLevel: ${result.status}${result.error ? ` (${result.error})` : ''}`,
        entity,
      ),
    );
  else if (result.status === 'SKIPPED' && result.error !== null && result.error !== 'unchanged')
    tally.errors.push(logEntry('SKIPPED', result.error, entity));
  return tally;
}

/**
 * HighLevel has no endpoint for one appointment: it is re-read from its contact's list. An event
 * without the contact cannot be placed on a Roofr job.
 */
async function handleAppointmentEvent(
  deps: GhlEventHandlerDeps,
  type: string,
  event: GhlAppointmentEvent,
): Promise<RunTally> {
  const entity = { kind: 'appointment', id: event.appointment.id };
  const { contactId } = event.appointment;
  if (type === 'AppointmentDelete')
    return tallyOf(await deps.push.removeAppointment(event.locationId, entity.id, contactId), entity, 'delete');
  const skipped = (reason: string): RunTally => {
    const tally = emptyTally();
    tally.errors.push(logEntry('SKIPPED', reason, entity));
    return tally;
  };
  if (contactId === undefined)
    return skipped('the event names no contact, so the appointment has no Roofr job to go on');
  let appointments;
  try {
    appointments = await deps.ghl.listAppointments(event.locationId, contactId, CALL);
  } catch (error) {
    if (isNotFound(error)) return skipped("the appointment's contact no longer exists in HighLevel");
    throw error;
  }
  const appointment = appointments.find((candidate) => candidate.id === entity.id);
  if (appointment === undefined) return skipped('the appointment no longer exists in HighLevel');
  return tallyOf(
    await deps.push.pushAppointment(event.locationId, appointment, { callOptions: CALL }),
    entity,
    'upsert',
  );
}

export async function handleGhlEvent(deps: GhlEventHandlerDeps, payload: Record<string, unknown>): Promise<RunTally> {
  const type = typeof payload.type === 'string' ? payload.type : '';
  await deps.invalidate?.(payload);
  if (!isKnownGhlEvent(type)) return emptyTally();
  if (type === 'INSTALL' || type === 'UNINSTALL') {
    if (deps.installs) await (type === 'INSTALL' ? deps.installs.install(payload) : deps.installs.uninstall(payload));
    return emptyTally();
  }
  if (type.startsWith('Appointment'))
    return handleAppointmentEvent(deps, type, GhlAppointmentEventSchema.parse(payload));
  if (type.startsWith('Contact')) {
    const event = GhlContactEventSchema.parse(payload);
    const entity = { kind: 'contact', id: event.id };
    if (type === 'ContactDelete')
      return tallyOf(await deps.push.removeContact(event.locationId, event.id), entity, 'delete');
    let contact;
    try {
      contact = await deps.ghl.getContact(event.locationId, event.id, CALL);
    } catch (error) {
      if (isNotFound(error)) {
        const tally = emptyTally();
        tally.errors.push(
          logEntry('SKIPPED', 'the contact no longer exists in HighLevel; its delete event handles Roofr', entity),
        );
        return tally;
      }
      throw error;
    }
    // A new contact takes its tasks, notes and appointments along; updates carry only the contact.
    const children = type === 'ContactCreate' ? await fetchChildren(deps.ghl, event.locationId, event.id, CALL) : null;
    return (await syncContactRecords({ ghl: deps.ghl, push: deps.push }, event.locationId, contact, children, CALL))
      .tally;
  }
  const event = GhlChildEventSchema.parse(payload);
  const isTask = type.startsWith('Task');
  const entity = { kind: isTask ? 'task' : 'note', id: event.id };
  if (type === 'TaskDelete')
    return tallyOf(await deps.push.removeTask(event.locationId, event.id, event.contactId), entity, 'delete');
  if (type === 'NoteDelete')
    return tallyOf(await deps.push.removeNote(event.locationId, event.id, event.contactId), entity, 'delete');
  try {
    const result = isTask
      ? await deps.push.pushTask(
          event.locationId,
          await deps.ghl.getTask(event.locationId, event.contactId, event.id, CALL),
          { callOptions: CALL },
        )
      : await deps.push.pushNote(
          event.locationId,
          await deps.ghl.getNote(event.locationId, event.contactId, event.id, CALL),
          { callOptions: CALL },
        );
    return tallyOf(result, entity, 'upsert');
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const tally = emptyTally();
    tally.errors.push(logEntry('SKIPPED', `the ${entity.kind} no longer exists in HighLevel`, entity));
    return tally;
  }
}
