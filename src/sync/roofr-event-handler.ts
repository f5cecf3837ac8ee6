/**
 * Processes one Roofr webhook event (customer created/updated, job created, Zapier-forwarded
 * Lead Created, Job Workflow Stage Changed, Proposal Signed): finds or creates the HighLevel
 * contact (link, the job's external_ref, else GHL's upsert by email/phone), enriches it with
 * the Roofr fields the mapping lets flow to HighLevel (conflicts: Roofr-owned fields win, shared
 * fields go to the later change, every overwritten value is logged in the run), creates the
 * configured event task, attaches Roofr job notes as contact notes, then pushes the contact
 * with its tasks and notes back to Roofr so both sides agree.
 *
 * Loop freedom: a Roofr event whose data already matches the contact writes nothing to
 * HighLevel (the diff is empty: that is how our own Roofr writes coming back are recognised),
 * and the push after a HighLevel write records the content hash the HighLevel echo will carry.
 */
import type { CallOptions, ContactWrite, GhlApi } from '../ghl/ghl-api.js';
import type { Contact, Note } from '../domain/types.js';
import { contentHash } from '../domain/content-hash.js';
import type { Mapping } from '../domain/mapping/mapping-schema.js';
import { toGhl } from '../domain/mapping/to-ghl.js';
import { parseExternalRef } from '../domain/mapping/to-roofr.js';
import { isGhlError } from '../ghl/errors.js';
import { RoofrNotFoundError } from '../roofr/errors.js';
import type { ReadOutcome, RoofrPort } from '../roofr/roofr-port.js';
import type { RoofrCustomer, RoofrJob } from '../roofr/types.js';
import type { RoofrWebhookEvent } from '../roofr/webhook-events.js';
import type { HashesRepo } from '../store/hashes-repo.js';
import { LinkConflictError, type LinksRepo } from '../store/links-repo.js';
import { fetchChildren, syncContactRecords } from './contact-sync.js';
import type { EventTasks } from './event-tasks.js';
import { diffContactWrite, isEmptyWrite } from './ghl-contact-diff.js';
import type { RoofrPush } from './roofr-push.js';
import { emptyTally, logEntry, type RunTally } from './run-tally.js';

export interface RoofrEventHandlerDeps {
  ghl: GhlApi;
  roofr: RoofrPort;
  push: RoofrPush;
  mapping: Mapping;
  store: { links: LinksRepo; hashes: HashesRepo };
  eventTasks: EventTasks;
  /** The location Roofr events belong to (Roofr knows nothing of GHL locations). */
  locationId: string;
  now?: () => Date;
}

const CALL: CallOptions = { lane: 'background' };

function valueOf<T>(outcome: ReadOutcome<T>): T | null {
  return outcome.status === 'OK' ? outcome.value : null;
}

async function readOrNull<T>(read: () => Promise<ReadOutcome<T>>): Promise<T | null> {
  try {
    return valueOf(await read());
  } catch (error) {
    if (error instanceof RoofrNotFoundError) return null;
    throw error;
  }
}

interface Resolved {
  customer: RoofrCustomer | null;
  job: RoofrJob | null;
  /** A lead without Roofr records yet: what GHL gets. */
  leadWrite: ContactWrite | null;
}

async function resolveRecords(deps: RoofrEventHandlerDeps, event: RoofrWebhookEvent): Promise<Resolved> {
  const { roofr } = deps;
  const customerOf = (job: RoofrJob | null): Promise<RoofrCustomer | null> =>
    job === null ? Promise.resolve(null) : readOrNull(() => roofr.getCustomer(job.customer_id));
  switch (event.event) {
    case 'customer.created':
    case 'customer.updated': {
      const customer = event.data.customer;
      const contactLink = await deps.store.links.findByRoofr({
        locationId: deps.locationId,
        roofrKind: 'customer',
        roofrId: customer.id,
        ghlKind: 'contact',
      });
      const jobLink = contactLink
        ? await deps.store.links.findByGhl({
            locationId: deps.locationId,
            ghlKind: 'contact',
            ghlId: contactLink.ghlId,
            roofrKind: 'job',
          })
        : null;
      const job = jobLink && jobLink.status === 'active' ? await readOrNull(() => roofr.getJob(jobLink.roofrId)) : null;
      return { customer, job, leadWrite: null };
    }
    case 'job.created':
      return {
        customer: event.data.customer ?? (await customerOf(event.data.job)),
        job: event.data.job,
        leadWrite: null,
      };
    case 'job.stage_changed':
      return { customer: await customerOf(event.data.job), job: event.data.job, leadWrite: null };
    case 'proposal.signed': {
      const job = event.data.job ?? (await readOrNull(() => roofr.getJob(event.data.proposal.job_id)));
      return { customer: await customerOf(job), job, leadWrite: null };
    }
    case 'lead.created': {
      const { lead } = event.data;
      const job = event.data.job ?? null;
      const customer = event.data.customer ?? (await customerOf(job));
      const leadWrite: ContactWrite = {
        firstName: lead.first_name,
        lastName: lead.last_name,
        email: lead.email,
        phone: lead.phone,
        address1: lead.address,
        source: lead.source ?? 'Roofr',
      };
      return { customer, job, leadWrite };
    }
  }
}

async function existingContact(deps: RoofrEventHandlerDeps, records: Resolved): Promise<Contact | null> {
  const candidates: string[] = [];
  if (records.customer) {
    const link = await deps.store.links.findByRoofr({
      locationId: deps.locationId,
      roofrKind: 'customer',
      roofrId: records.customer.id,
      ghlKind: 'contact',
    });
    if (link?.status === 'active') candidates.push(link.ghlId);
  }
  if (records.job) {
    const link = await deps.store.links.findByRoofr({
      locationId: deps.locationId,
      roofrKind: 'job',
      roofrId: records.job.id,
      ghlKind: 'contact',
    });
    if (link?.status === 'active') candidates.push(link.ghlId);
    const ref = parseExternalRef(records.job.external_ref);
    if (ref?.kind === 'contact') candidates.push(ref.id);
  }
  for (const id of candidates) {
    try {
      return await deps.ghl.getContact(deps.locationId, id, CALL);
    } catch (error) {
      if (!(isGhlError(error) && error.kind === 'NotFound')) throw error;
    }
  }
  return null;
}

/** A mapped write without its nulls: Roofr's empty fields never clear HighLevel's. */
export function withoutNulls(write: ContactWrite): ContactWrite {
  return Object.fromEntries(
    Object.entries(write).filter(([, value]) => value !== null && value !== undefined),
  ) as ContactWrite;
}

/** Fields only Roofr writes (direction to_ghl): Roofr always wins them. */
export function roofrOwnedFields(
  mapping: Mapping,
  records: { customer: RoofrCustomer | null; job: RoofrJob | null },
): Set<string> {
  const owned: Mapping = {
    ...mapping,
    customer: mapping.customer.filter((rule) => rule.direction === 'to_ghl'),
    job: mapping.job.filter((rule) => rule.direction === 'to_ghl'),
  };
  const write = toGhl(owned, { customer: records.customer, job: records.job }).contact;
  const fields = new Set(Object.keys(write).filter((key) => key !== 'customFields'));
  for (const custom of write.customFields ?? []) fields.add(`customFields.${custom.id}`);
  return fields;
}

/** The latest of some ISO times (Roofr's customer and job updated_at): when Roofr last changed. */
export function latest(...times: Array<string | null | undefined>): string | null {
  const valid = times.filter((time): time is string => typeof time === 'string' && !Number.isNaN(Date.parse(time)));
  return valid.sort((a, b) => Date.parse(b) - Date.parse(a))[0] ?? null;
}

async function link(
  deps: RoofrEventHandlerDeps,
  tally: RunTally,
  contactId: string,
  roofrKind: 'customer' | 'job',
  roofrId: string,
): Promise<void> {
  try {
    await deps.store.links.upsert({
      locationId: deps.locationId,
      ghlKind: 'contact',
      ghlId: contactId,
      roofrKind,
      roofrId,
    });
  } catch (error) {
    if (!(error instanceof LinkConflictError)) throw error;
    tally.errors.push(logEntry('LINK_CONFLICT', error.message, { kind: 'contact', id: contactId }));
  }
}

export async function handleRoofrEvent(deps: RoofrEventHandlerDeps, event: RoofrWebhookEvent): Promise<RunTally> {
  const { ghl, locationId } = deps;
  const tally = emptyTally();
  tally.counts.read = 1;
  const records = await resolveRecords(deps, event);
  const mapped = withoutNulls(toGhl(deps.mapping, { customer: records.customer, job: records.job }).contact);
  const write: ContactWrite = { ...(records.leadWrite ? withoutNulls(records.leadWrite) : {}), ...mapped };

  let contact = await existingContact(deps, records);
  let created = false;
  if (contact === null) {
    if (!write.email && !write.phone) {
      tally.counts.failed = 1;
      tally.errors.push(
        logEntry(
          'NO_MATCH_KEY',
          `Roofr ${event.event} ${event.id} has neither email nor phone: HighLevel cannot match or create its contact`,
        ),
      );
      return tally;
    }
    // GHL's upsert matches by email / phone (the location's duplicate settings): never a duplicate.
    const upserted = await ghl.upsertContact(locationId, write, CALL);
    contact = upserted.contact;
    created = upserted.created;
  } else {
    const diff = diffContactWrite(
      contact,
      mapped,
      roofrOwnedFields(deps.mapping, records),
      latest(records.customer?.updated_at, records.job?.updated_at) ?? event.timestamp,
    );
    for (const change of diff.applied) {
      tally.errors.push(
        logEntry(
          'OVERWRITTEN',
          `${change.field}: ${JSON.stringify(change.from)} → ${JSON.stringify(change.to)} (from Roofr ${event.event})`,
          { kind: 'contact', id: contact.id },
        ),
      );
    }
    for (const change of diff.kept) {
      tally.errors.push(
        logEntry(
          'CONFLICT_KEPT_GHL',
          `${change.field}: HighLevel's newer ${JSON.stringify(change.from)} kept over Roofr's ${JSON.stringify(change.to)}`,
          { kind: 'contact', id: contact.id },
        ),
      );
    }
    if (!isEmptyWrite(diff.write)) contact = await ghl.updateContact(locationId, contact.id, diff.write, CALL);
    else tally.counts.unchanged = 1;
  }
  if (created) tally.counts.created = 1;
  else if (tally.counts.unchanged === 0) tally.counts.updated = 1;
  await deps.store.hashes.put(
    { locationId, direction: 'roofr_to_ghl', entityKind: 'contact', entityId: contact.id },
    contentHash(mapped),
  );
  if (records.customer) await link(deps, tally, contact.id, 'customer', records.customer.id);
  if (records.job) await link(deps, tally, contact.id, 'job', records.job.id);

  await createEventTask(deps, event, contact.id, tally);
  if (records.job) await importRoofrNotes(deps, records.job.id, contact.id, tally);

  // Both sides agree afterwards: the contact (with its tasks and notes) goes back to Roofr; the
  // content hash it records is what the echo of our HighLevel write will carry.
  const children = await fetchChildren(ghl, locationId, contact.id, CALL);
  const pushed = await syncContactRecords({ ghl, push: deps.push }, locationId, contact, children, CALL);
  tally.errors.push(...pushed.tally.errors);
  tally.counts.failed += pushed.tally.counts.failed;
  return tally;
}

async function createEventTask(
  deps: RoofrEventHandlerDeps,
  event: RoofrWebhookEvent,
  contactId: string,
  tally: RunTally,
): Promise<void> {
  const config = deps.eventTasks[event.event];
  if (config === undefined) return;
  const marker = {
    locationId: deps.locationId,
    direction: 'roofr_to_ghl' as const,
    entityKind: 'event_task',
    entityId: event.id,
  };
  if ((await deps.store.hashes.get(marker)) !== null) return;
  // A crash between the create and the marker must not create it twice: look first.
  const existing = await deps.ghl.listTasks(deps.locationId, contactId, CALL);
  const now = (deps.now ?? (() => new Date()))();
  const dueDate = new Date(now.getTime() + config.dueInDays * 86_400_000).toISOString();
  let task = existing.find((candidate) => candidate.title === config.title && !candidate.completed);
  if (task === undefined) {
    task = await deps.ghl.createTask(
      deps.locationId,
      contactId,
      { title: config.title, dueDate, ...(config.body ? { body: config.body } : {}) },
      CALL,
    );
    tally.errors.push(
      logEntry('EVENT_TASK', `created task "${config.title}" for Roofr ${event.event}`, { kind: 'task', id: task.id }),
    );
  }
  await deps.store.hashes.put(marker, task.id);
}

async function importRoofrNotes(
  deps: RoofrEventHandlerDeps,
  jobId: string,
  contactId: string,
  tally: RunTally,
): Promise<void> {
  if (!deps.roofr.capabilities.listJobNotes) return;
  const notes = await readOrNull(() => deps.roofr.listJobNotes(jobId));
  let ghlNotes: Note[] | null = null;
  for (const note of notes ?? []) {
    if (parseExternalRef(note.external_ref) !== null) continue;
    const linked = await deps.store.links.findByRoofr({
      locationId: deps.locationId,
      roofrKind: 'job_note',
      roofrId: note.id,
      ghlKind: 'note',
    });
    if (linked !== null) continue;
    // A crash between a create and its link must not attach the note twice: match by body first.
    ghlNotes ??= await deps.ghl.listNotes(deps.locationId, contactId, CALL);
    const created =
      ghlNotes.find((candidate) => candidate.body === note.body) ??
      (await deps.ghl.createNote(deps.locationId, contactId, { body: note.body }, CALL));
    await deps.store.links.upsert({
      locationId: deps.locationId,
      ghlKind: 'note',
      ghlId: created.id,
      roofrKind: 'job_note',
      roofrId: note.id,
    });
    tally.errors.push(
      logEntry('NOTE_IMPORTED', `Roofr job note ${note.id} attached to the contact`, { kind: 'note', id: created.id }),
    );
  }
}
