/**
 * Syncs one HighLevel contact with its tasks, notes and appointments to Roofr through the write path's
 * RoofrPush service (the same service mutations use: mapping, content-hash skip, idempotency
 * keys, outbox on Roofr outages). Returns a tally for the run and the outbox entries the
 * caller must see confirmed before it moves a cursor past this contact.
 */
import { DependencyUnavailableError } from '../domain/dependency-unavailable.js';
import type { CallOptions, GhlApi } from '../ghl/ghl-api.js';
import type { Appointment, Contact, Note, Task } from '../domain/types.js';
import type { RoofrPush } from './roofr-push.js';
import type { RoofrSyncResult } from './roofr-sync-result.js';
import { emptyTally, logEntry, type RunTally } from './run-tally.js';

interface ContactSyncDeps {
  ghl: GhlApi;
  push: RoofrPush;
}

interface ContactSyncOutcome {
  tally: RunTally;
  /** Outbox ids of writes queued (Roofr unavailable) rather than confirmed. */
  queued: number[];
}

export interface ContactChildren {
  tasks: Task[];
  notes: Note[];
  /** Written as job tasks; absent where they are not read (the batch sync keeps to tasks and notes). */
  appointments?: Appointment[];
}

function noteResult(result: RoofrSyncResult, queued: number[]): void {
  // Our own store or queue did not answer: nothing was decided, so the record is not failed; the
  // caller stops (a batch at its checkpoint, to be retried) instead of reporting it.
  if (result.unavailable !== undefined)
    throw new DependencyUnavailableError(result.unavailable, result.error ?? 'a dependency is unavailable');
  if (result.status === 'QUEUED' && result.outboxId !== null) queued.push(Number(result.outboxId));
}

/** Pushes the contact, then its tasks, appointments and notes (they need the contact's Roofr job first). */
export async function syncContactRecords(
  deps: ContactSyncDeps,
  locationId: string,
  contact: Contact,
  children: ContactChildren | null,
  callOptions: CallOptions,
): Promise<ContactSyncOutcome> {
  const tally = emptyTally();
  const queued: number[] = [];
  const entity = { kind: 'contact', id: contact.id };
  tally.counts.read += 1;
  // The contact's writes in a row: the links of all its records are read at once and remembered meanwhile.
  const push = deps.push.forContact({
    locationId,
    entities: [
      { kind: 'contact', id: contact.id },
      ...(children?.tasks ?? []).map((task) => ({ kind: 'task' as const, id: task.id })),
      ...(children?.notes ?? []).map((note) => ({ kind: 'note' as const, id: note.id })),
      ...(children?.appointments ?? []).map((appointment) => ({ kind: 'appointment' as const, id: appointment.id })),
    ],
  });
  const linked = await push.findLink({ locationId, ghlKind: 'contact', ghlId: contact.id, roofrKind: 'customer' });
  const result = await push.pushContact(locationId, contact, { callOptions });
  noteResult(result, queued);
  switch (result.status) {
    case 'SYNCED':
    case 'QUEUED':
      if (linked !== null && linked.status === 'active') tally.counts.updated += 1;
      else tally.counts.created += 1;
      break;
    case 'SKIPPED':
      tally.counts.unchanged += 1;
      if (result.error !== null && result.error !== 'unchanged')
        tally.errors.push(logEntry('SKIPPED', result.error, entity));
      break;
    case 'FAILED':
      tally.counts.failed += 1;
      tally.errors.push(logEntry('ROOFR_REFUSED', result.error ?? 'Roofr refused the contact', entity));
      return { tally, queued };
  }
  if (children === null) return { tally, queued };
  for (const task of children.tasks) {
    const taskResult = await push.pushTask(locationId, task, { callOptions });
    noteResult(taskResult, queued);
    if (taskResult.status === 'FAILED')
      tally.errors.push(
        logEntry('ROOFR_REFUSED', taskResult.error ?? 'Roofr refused the task', { kind: 'task', id: task.id }),
      );
  }
  for (const appointment of children.appointments ?? []) {
    const appointmentResult = await push.pushAppointment(locationId, appointment, { callOptions });
    noteResult(appointmentResult, queued);
    if (appointmentResult.status === 'FAILED')
      tally.errors.push(
        logEntry('ROOFR_REFUSED', appointmentResult.error ?? 'Roofr refused the appointment', {
          kind: 'appointment',
          id: appointment.id,
        }),
      );
  }
  for (const note of children.notes) {
    const noteOutcome = await push.pushNote(locationId, note, { callOptions });
    noteResult(noteOutcome, queued);
    if (noteOutcome.status === 'FAILED')
      tally.errors.push(
        logEntry('ROOFR_REFUSED', noteOutcome.error ?? 'Roofr refused the note', { kind: 'note', id: note.id }),
      );
  }
  return { tally, queued };
}

/** Reads a contact's tasks, notes and appointments (three calls; the batch sync uses the tasks search instead). */
export async function fetchChildren(
  ghl: GhlApi,
  locationId: string,
  contactId: string,
  callOptions: CallOptions,
): Promise<ContactChildren> {
  const [tasks, notes, appointments] = await Promise.all([
    ghl.listTasks(locationId, contactId, callOptions),
    ghl.listNotes(locationId, contactId, callOptions),
    ghl.listAppointments(locationId, contactId, callOptions),
  ]);
  return { tasks, notes, appointments };
}
