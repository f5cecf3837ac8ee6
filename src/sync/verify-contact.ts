/**
 * The integrity check of one linked HighLevel contact: what HighLevel holds, what the mapping
 * says Roofr should hold, and what Roofr holds (read back through the port). Findings:
 * - MISSING_IN_ROOFR: a record with no link (never reached Roofr), or linked to a Roofr record
 *   that is gone; its job tasks / notes likewise;
 * - MISSING_IN_GHL / DRIFT on the HighLevel side: fields Roofr owns (direction to_ghl, or `both`
 *   where Roofr changed last, the sync's conflict rule, ghl-contact-diff.ts) that HighLevel lacks
 *   or holds differently;
 * - DRIFT on the Roofr side: fields where Roofr differs from the mapping of HighLevel's record
 *   (after the HighLevel-side fix, so derived fields such as a job's name follow it);
 * - LINK_TO_DELETED: an active link whose HighLevel task or note is gone while its Roofr record
 *   stays (contacts: verify-run.ts checks the links of the whole location);
 * - DUPLICATE: a second Roofr customer with the contact's email (phone when it has none) that no
 *   contact is linked to, or a second job task / note mirroring one task / note.
 * Each finding carries the fix a repair queues: the write the sync itself would make (an upsert
 * of the whole mapped state, a removal per ROOFR_DELETE_POLICY, the HighLevel fields), or
 * `manual` when only a person can tell (a duplicate that is not an exact copy: deleting it
 * would lose what differs, and Roofr deletes a customer's jobs with it). Records with a write
 * still queued are in flux and are not judged (`pending`).
 */
import type { Kysely } from 'kysely';
import { contentHash } from '../domain/content-hash.js';
import { applyContactWrite } from '../domain/ghl-writes.js';
import type { Mapping } from '../domain/mapping/mapping-schema.js';
import { toGhl } from '../domain/mapping/to-ghl.js';
import { contactToRoofr, noteToRoofr, parseExternalRef, taskToRoofr } from '../domain/mapping/to-roofr.js';
import { diffRecord, projectRecord, sameValue, type FieldChange } from '../domain/record-diff.js';
import type { Contact, Note, Task } from '../domain/types.js';
import { RoofrNotFoundError } from '../roofr/errors.js';
import type { ReadOutcome, RoofrPort } from '../roofr/roofr-port.js';
import type { RoofrCustomer, RoofrJob, RoofrJobNote, RoofrJobTask } from '../roofr/types.js';
import type { HashesRepo } from '../store/hashes-repo.js';
import type { Link, LinksRepo } from '../store/links-repo.js';
import type { Database, GhlEntityKind, RoofrEntityKind } from '../store/schema.js';
import { diffContactWrite, isEmptyWrite } from './ghl-contact-diff.js';
import { GHL_CONTACT_REPAIR, ghlRepairEntityKey, type GhlContactRepair } from './ghl-repair-write.js';
import { hasPendingWrite } from './outbox-ordering.js';
import { latest, roofrOwnedFields, withoutNulls } from './roofr-event-handler.js';
import { activeLink } from './roofr-write-executor.js';
import { entityKeyPrefix, type DeletePolicy, type RoofrWrite } from './roofr-writes.js';

export type FindingAction = 'MISSING_IN_ROOFR' | 'MISSING_IN_GHL' | 'DRIFT' | 'LINK_TO_DELETED' | 'DUPLICATE';

/** What repairs a finding. One fix may repair several findings (a contact's customer and job). */
export type Fix =
  | { kind: 'roofr'; write: RoofrWrite; describe: string }
  | { kind: 'ghl'; write: GhlContactRepair; describe: string }
  /** ROOFR_DELETE_POLICY=ignore: the Roofr record stays, the link goes (as the sync does). */
  | { kind: 'retire'; link: Link; describe: string }
  | { kind: 'manual'; describe: string };

export interface Finding {
  entity: { kind: GhlEntityKind; id: string };
  /** The Roofr record (customer, job, job_task, job_note), or `contact` for the HighLevel side. */
  targetKind: RoofrEntityKind | 'contact';
  roofrId: string | null;
  action: FindingAction;
  reason: string;
  fields: FieldChange[];
  fix: Fix;
}

interface ContactCheck {
  findings: Finding[];
  /** A write of the contact waits in the outbox: not judged now. */
  pending: boolean;
  roofrReads: number;
}

export interface VerifyDeps {
  locationId: string;
  /** Keys the creates of repairs apart from the original ones (roofr-writes.ts RepairSchema). */
  runId: string;
  mapping: Mapping;
  roofr: RoofrPort;
  store: { db: Kysely<Database>; links: LinksRepo; hashes: HashesRepo };
  deletePolicy: DeletePolicy;
}

/** A Roofr read that failed for another reason than "not found": the check of the contact fails. */
class RoofrReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoofrReadError';
  }
}

export function findingKey(finding: Finding): string {
  const suffix = finding.action === 'DUPLICATE' ? `:${finding.roofrId ?? ''}` : '';
  return `${finding.entity.kind}:${finding.entity.id}>${finding.targetKind}:${finding.action}${suffix}`;
}

export async function verifyContact(
  deps: VerifyDeps,
  contact: Contact,
  children: { tasks: Task[]; notes: Note[] },
): Promise<ContactCheck> {
  const { locationId, mapping, store } = deps;
  let roofrReads = 0;
  async function read<T>(what: string, fetch: () => Promise<ReadOutcome<T>>): Promise<T | null> {
    roofrReads += 1;
    try {
      const outcome = await fetch();
      if (outcome.status === 'OK') return outcome.value;
      throw new RoofrReadError(`the ${deps.roofr.adapter} adapter cannot read ${what}: ${outcome.reason}`);
    } catch (error) {
      if (error instanceof RoofrNotFoundError) return null;
      throw error;
    }
  }

  if (
    (await hasPendingWrite(store.db, entityKeyPrefix(locationId, { kind: 'contact', id: contact.id }))) ||
    (await hasPendingWrite(store.db, ghlRepairEntityKey(locationId, contact.id)))
  )
    return { findings: [], pending: true, roofrReads };

  const findings: Finding[] = [];
  const entity = { kind: 'contact' as const, id: contact.id };
  const customerLink = await activeLink(store.links, locationId, 'contact', contact.id, 'customer');
  const jobLink = await activeLink(store.links, locationId, 'contact', contact.id, 'job');
  const customer =
    customerLink === null ? null : await read('customers', () => deps.roofr.getCustomer(customerLink.roofrId));
  const job = jobLink === null ? null : await read('jobs', () => deps.roofr.getJob(jobLink.roofrId));

  // HighLevel side: the fields Roofr owns, decided by the sync's own conflict rule.
  let after = contact;
  if (customer !== null || job !== null) {
    const fromRoofr = withoutNulls(toGhl(mapping, { customer, job }).contact);
    const diff = diffContactWrite(
      contact,
      fromRoofr,
      roofrOwnedFields(mapping, { customer, job }),
      latest(customer?.updated_at, job?.updated_at),
    );
    if (!isEmptyWrite(diff.write)) {
      const fix: Fix = {
        kind: 'ghl',
        write: { kind: GHL_CONTACT_REPAIR, ghlContactId: contact.id, write: { ...diff.write } },
        describe: `update HighLevel contact ${contact.id}: ${diff.applied.map((change) => change.field).join(', ')}`,
      };
      const missing = diff.applied.filter((change) => sameValue(change.from, null));
      const differing = diff.applied.filter((change) => !sameValue(change.from, null));
      if (missing.length > 0)
        findings.push({
          entity,
          targetKind: 'contact',
          roofrId: null,
          action: 'MISSING_IN_GHL',
          reason: 'Roofr holds values HighLevel lacks in fields Roofr owns',
          fields: missing,
          fix,
        });
      if (differing.length > 0)
        findings.push({
          entity,
          targetKind: 'contact',
          roofrId: null,
          action: 'DRIFT',
          reason: 'HighLevel differs from Roofr in fields Roofr owns or changed last',
          fields: differing,
          fix,
        });
      after = applyContactWrite(contact, diff.write);
    }
  }

  // Roofr side: the mapping of HighLevel's record (as it is once the fix above lands).
  const expected = contactToRoofr(mapping, after);
  const contactFindings: Array<Omit<Finding, 'fix'>> = [];
  const retire: string[] = [];
  const never = customerLink === null && jobLink === null;
  for (const [kind, link, actual, record] of [
    ['customer', customerLink, customer, expected.customer.update],
    ['job', jobLink, job, expected.job.update],
  ] as const) {
    if (link === null) {
      contactFindings.push({
        entity,
        targetKind: kind,
        roofrId: null,
        action: 'MISSING_IN_ROOFR',
        reason: never ? 'the contact never reached Roofr' : `the contact has no Roofr ${kind}`,
        fields: diffRecord(record, null),
      });
    } else if (actual === null) {
      retire.push(link.roofrId);
      contactFindings.push({
        entity,
        targetKind: kind,
        roofrId: link.roofrId,
        action: 'MISSING_IN_ROOFR',
        reason: `Roofr no longer has the linked ${kind} ${link.roofrId}`,
        fields: diffRecord(record, null),
      });
    } else {
      const fields = diffRecord(record, actual);
      if (fields.length > 0)
        contactFindings.push({
          entity,
          targetKind: kind,
          roofrId: link.roofrId,
          action: 'DRIFT',
          reason: `Roofr's ${kind} differs from the mapping of the HighLevel contact`,
          fields,
        });
    }
  }

  // Duplicates: customers with the contact's email (else phone) that no contact is linked to.
  const duplicates = await duplicateCustomers(deps, contact, customerLink, read);
  if (contactFindings.length > 0) {
    const fix: Fix =
      never && duplicates.length > 0
        ? {
            kind: 'manual',
            describe: `Roofr has unlinked customer(s) ${duplicates.map((dup) => dup.id).join(', ')} with this contact's ${contact.email ? 'email' : 'phone'}: creating another would duplicate them; delete or merge them in Roofr, then verify again`,
          }
        : {
            kind: 'roofr',
            write: {
              kind: 'contact.upsert',
              ghlContactId: contact.id,
              customer: { create: { ...expected.customer.create }, update: { ...expected.customer.update } },
              job: { create: { ...expected.job.create }, update: { ...expected.job.update } },
              customerHash: contentHash(expected.customer.update),
              jobHash: contentHash(expected.job.update),
              repair: { runId: deps.runId, retire },
            },
            describe: `write contact ${contact.id}'s customer and job to Roofr`,
          };
    for (const finding of contactFindings) findings.push({ ...finding, fix });
  }
  if (customer !== null) {
    for (const duplicate of duplicates) {
      const differences = diffRecord(projectRecord(expected.customer.update, customer), duplicate);
      findings.push({
        entity,
        targetKind: 'customer',
        roofrId: duplicate.id,
        action: 'DUPLICATE',
        reason: `Roofr customer ${duplicate.id} has this contact's ${contact.email ? 'email' : 'phone'} like the linked ${customer.id}, and no contact is linked to it`,
        fields: differences,
        fix:
          differences.length === 0
            ? {
                kind: 'roofr',
                write: {
                  kind: 'duplicate.delete',
                  ghlContactId: contact.id,
                  roofrKind: 'customer',
                  roofrId: duplicate.id,
                  roofrJobId: null,
                  keptRoofrId: customer.id,
                },
                describe: `delete Roofr customer ${duplicate.id}, an exact copy of ${customer.id}`,
              }
            : {
                kind: 'manual',
                describe: `customer ${duplicate.id} differs from ${customer.id} in ${differences.map((change) => change.field).join(', ')}: merge them in Roofr (deleting it would lose that, and its jobs)`,
              },
      });
    }
  }

  const jobTasks = job === null ? [] : ((await read('job tasks', () => deps.roofr.listJobTasks(job.id))) ?? []);
  const jobNotes = job === null ? [] : ((await read('job notes', () => deps.roofr.listJobNotes(job.id))) ?? []);
  const childDeps = { deps, job, contactId: contact.id };
  findings.push(
    ...(await verifyChildren(
      childDeps,
      'task',
      children.tasks.map((task) => ({ id: task.id, mapped: taskToRoofr(mapping, task) })),
      jobTasks,
    )),
    ...(await verifyChildren(
      childDeps,
      'note',
      children.notes.map((note) => ({ id: note.id, mapped: noteToRoofr(mapping, note) })),
      jobNotes,
    )),
  );
  return { findings, pending: false, roofrReads };
}

async function duplicateCustomers(
  deps: VerifyDeps,
  contact: Contact,
  customerLink: Link | null,
  read: <T>(what: string, fetch: () => Promise<ReadOutcome<T>>) => Promise<T | null>,
): Promise<RoofrCustomer[]> {
  const query = contact.email ? { email: contact.email } : contact.phone ? { phone: contact.phone } : null;
  if (query === null || !deps.roofr.capabilities.findCustomers) return [];
  const found = (await read('customers', () => deps.roofr.findCustomers(query))) ?? [];
  const duplicates: RoofrCustomer[] = [];
  for (const candidate of found) {
    if (candidate.id === customerLink?.roofrId) continue;
    const linked = await deps.store.links.findByRoofr({
      locationId: deps.locationId,
      roofrKind: 'customer',
      roofrId: candidate.id,
      ghlKind: 'contact',
    });
    // Linked to another contact (HighLevel allows contacts to share an email): not a duplicate.
    if (linked?.status === 'active') continue;
    duplicates.push(candidate);
  }
  return duplicates;
}

interface ChildContext {
  deps: VerifyDeps;
  /** The contact's Roofr job; null when it is missing (then every child is). */
  job: RoofrJob | null;
  contactId: string;
}

/** Tasks (→ job tasks) or notes (→ job notes) of one contact against its job's. */
async function verifyChildren(
  context: ChildContext,
  kind: 'task' | 'note',
  records: Array<{ id: string; mapped: { create: object; update: object } }>,
  inRoofr: Array<RoofrJobTask | RoofrJobNote>,
): Promise<Finding[]> {
  const { deps, job, contactId } = context;
  const { locationId, store } = deps;
  const roofrKind = kind === 'task' ? 'job_task' : 'job_note';
  const byId = new Map(inRoofr.map((record) => [record.id, record]));
  const findings: Finding[] = [];
  const linkedIds = new Map<string, string>();

  for (const record of records) {
    const entity = { kind, id: record.id };
    if (await hasPendingWrite(store.db, entityKeyPrefix(locationId, entity))) continue;
    const link = await activeLink(store.links, locationId, kind, record.id, roofrKind);
    const update = record.mapped.update as Record<string, unknown>;
    const upsert = (retire: string[]): Fix => {
      const body = { create: { ...record.mapped.create }, update: { ...update } };
      const common = {
        ghlContactId: contactId,
        record: body,
        hash: contentHash(update),
        repair: { runId: deps.runId, retire },
      };
      const write: RoofrWrite =
        kind === 'task'
          ? { kind: 'task.upsert', ghlTaskId: record.id, ...common }
          : { kind: 'note.upsert', ghlNoteId: record.id, ...common };
      return { kind: 'roofr', write, describe: `write ${kind} ${record.id} to Roofr` };
    };
    const actual = link === null ? undefined : byId.get(link.roofrId);
    if (link !== null) linkedIds.set(record.id, link.roofrId);
    if (link === null) {
      findings.push({
        entity,
        targetKind: roofrKind,
        roofrId: null,
        action: 'MISSING_IN_ROOFR',
        reason: `the ${kind} never reached Roofr`,
        fields: diffRecord(update, null),
        fix: upsert([]),
      });
    } else if (actual === undefined) {
      findings.push({
        entity,
        targetKind: roofrKind,
        roofrId: link.roofrId,
        action: 'MISSING_IN_ROOFR',
        reason:
          job === null
            ? `the contact's Roofr job is missing, and with it ${roofrKind} ${link.roofrId}`
            : `Roofr no longer has the linked ${roofrKind} ${link.roofrId}`,
        fields: diffRecord(update, null),
        fix: upsert([link.roofrId]),
      });
    } else {
      const fields = diffRecord(update, actual);
      if (fields.length > 0)
        findings.push({
          entity,
          targetKind: roofrKind,
          roofrId: link.roofrId,
          action: 'DRIFT',
          reason: `Roofr's ${roofrKind} differs from the mapping of the HighLevel ${kind}`,
          fields,
          fix: upsert([]),
        });
    }
  }

  if (job === null) return findings;
  const mappedOf = new Map(records.map((record) => [record.id, record.mapped.update]));
  for (const roofrRecord of inRoofr) {
    const ref = parseExternalRef(roofrRecord.external_ref);
    if (ref === null || ref.kind !== kind) continue;
    const expected = mappedOf.get(ref.id);
    if (expected === undefined) {
      // The HighLevel record is gone; the Roofr one stays while its link is active.
      const link = await activeLink(store.links, locationId, kind, ref.id, roofrKind);
      if (link === null || link.roofrId !== roofrRecord.id) continue;
      findings.push({
        entity: { kind, id: ref.id },
        targetKind: roofrKind,
        roofrId: roofrRecord.id,
        action: 'LINK_TO_DELETED',
        reason: `HighLevel ${kind} ${ref.id} is gone but its Roofr ${roofrKind} ${roofrRecord.id} is still linked`,
        fields: [],
        fix:
          deps.deletePolicy === 'ignore'
            ? { kind: 'retire', link, describe: 'ROOFR_DELETE_POLICY=ignore: keep the Roofr record, retire the link' }
            : {
                kind: 'roofr',
                write:
                  kind === 'task'
                    ? { kind: 'task.delete', ghlTaskId: ref.id, roofrJobId: job.id, roofrId: roofrRecord.id }
                    : { kind: 'note.delete', ghlNoteId: ref.id, roofrJobId: job.id, roofrId: roofrRecord.id },
                describe: `delete Roofr ${roofrKind} ${roofrRecord.id}`,
              },
      });
      continue;
    }
    const linkedId = linkedIds.get(ref.id);
    if (linkedId === undefined || linkedId === roofrRecord.id) continue;
    const linked = byId.get(linkedId);
    const differences =
      linked === undefined
        ? diffRecord(expected, roofrRecord)
        : diffRecord(projectRecord(expected, linked), roofrRecord);
    findings.push({
      entity: { kind, id: ref.id },
      targetKind: roofrKind,
      roofrId: roofrRecord.id,
      action: 'DUPLICATE',
      reason: `Roofr ${roofrKind} ${roofrRecord.id} mirrors HighLevel ${kind} ${ref.id} like the linked ${linkedId}`,
      fields: differences,
      fix:
        differences.length === 0 && linked !== undefined
          ? {
              kind: 'roofr',
              write: {
                kind: 'duplicate.delete',
                ghlContactId: contactId,
                roofrKind,
                roofrId: roofrRecord.id,
                roofrJobId: job.id,
                keptRoofrId: linkedId,
              },
              describe: `delete Roofr ${roofrKind} ${roofrRecord.id}, an exact copy of ${linkedId}`,
            }
          : {
              kind: 'manual',
              describe: `${roofrKind} ${roofrRecord.id} differs from ${linkedId}: keep one in Roofr, then verify again`,
            },
    });
  }
  return findings;
}

/** The findings of a contact linked in the store whose HighLevel record is gone. */
export function deletedContactFinding(
  deps: Pick<VerifyDeps, 'deletePolicy'>,
  contactId: string,
  links: { customer: Link | null; job: Link | null },
): Finding {
  const target = links.job ?? links.customer;
  return {
    entity: { kind: 'contact', id: contactId },
    targetKind: target?.roofrKind ?? 'customer',
    roofrId: target?.roofrId ?? null,
    action: 'LINK_TO_DELETED',
    reason: `HighLevel contact ${contactId} is gone but is still linked to Roofr ${[links.customer, links.job]
      .filter((link): link is Link => link !== null)
      .map((link) => `${link.roofrKind} ${link.roofrId}`)
      .join(' and ')}`,
    fields: [],
    fix: {
      kind: 'roofr',
      write: {
        kind: 'contact.delete',
        ghlContactId: contactId,
        policy: deps.deletePolicy,
        customerId: links.customer?.roofrId ?? null,
        jobId: links.job?.roofrId ?? null,
      },
      describe:
        deps.deletePolicy === 'ignore'
          ? 'retire the links (ROOFR_DELETE_POLICY=ignore keeps the Roofr records)'
          : deps.deletePolicy === 'archive'
            ? `archive Roofr job ${links.job?.roofrId ?? '(none)'}`
            : `delete Roofr customer ${links.customer?.roofrId ?? '(none)'}`,
    },
  };
}
