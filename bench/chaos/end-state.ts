/**
 * The checks made once the system has settled, as pure functions over what the simulators hold
 * and what the gateway's queue recorded:
 * - Roofr against HighLevel: every HighLevel contact, task and note mirrored exactly once
 *   (jobs, job tasks and job notes by `external_ref`; a customer no job points to is a duplicate
 *   left by a lost create answer), and the contact fields the mapping carries unchanged
 *   (first/last name, email, company) equal on both sides;
 * - mutations against HighLevel: a mutation whose marker is in HighLevel must have returned its
 *   entity (else a client retry duplicates it), a returned entity must be in HighLevel, and a
 *   create must be there once;
 * - webhooks: every delivery the gateway answered 200 must have been processed (`done`).
 * Batch syncs do not carry appointments (docs/sync.md), so neither does this comparison.
 */
import type { MutationKind, MutationRecord } from './load.js';
import type { GhlContactExport, GhlDelivery, RoofrDelivery, RoofrExport, RoofrRecord } from './upstream-control.js';

export interface MirrorCheck {
  expected: { contacts: number; tasks: number; notes: number };
  missing: { contacts: number; tasks: number; notes: number };
  duplicated: { jobs: number; customers: number; tasks: number; notes: number };
  /** Customers no job points to whose contact has no job either: half-written, counted missing. */
  orphanCustomers: number;
  /** Contacts whose mapped fields differ in Roofr (a change that never reached it). */
  outdated: number;
  examples: { missing: string[]; duplicated: string[]; outdated: string[] };
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function countRefs(records: readonly RoofrRecord[]): Map<string, RoofrRecord[]> {
  const byRef = new Map<string, RoofrRecord[]>();
  for (const record of records) {
    if (!record.external_ref) continue;
    const list = byRef.get(record.external_ref) ?? [];
    list.push(record);
    byRef.set(record.external_ref, list);
  }
  return byRef;
}

/**
 * `history`: what happened to a contact during the run (its last mutation), added to the
 * examples of contacts found out of date.
 */
export function checkMirror(
  contacts: readonly GhlContactExport[],
  roofr: RoofrExport,
  history: ReadonlyMap<string, string> = new Map(),
): MirrorCheck {
  const jobs = countRefs(roofr.jobs);
  const tasks = countRefs(roofr.tasks);
  const notes = countRefs(roofr.notes);
  const customers = new Map(roofr.customers.map((customer) => [customer.id, customer]));
  const check: MirrorCheck = {
    expected: { contacts: contacts.length, tasks: 0, notes: 0 },
    missing: { contacts: 0, tasks: 0, notes: 0 },
    duplicated: { jobs: 0, customers: 0, tasks: 0, notes: 0 },
    orphanCustomers: 0,
    outdated: 0,
    examples: { missing: [], duplicated: [], outdated: [] },
  };
  const example = (list: string[], line: string): void => {
    if (list.length < 10) list.push(line);
  };
  for (const contact of contacts) {
    const job = jobs.get(`ghl:contact:${contact.id}`)?.[0];
    if (job === undefined) {
      check.missing.contacts += 1;
      example(check.examples.missing, `contact ${contact.id} (${contact.email ?? 'no email'}): no Roofr job`);
    } else {
      const customer = customers.get(job.customer_id ?? '');
      const pairs: Array<[string, string, string]> = [
        ['email', text(contact.email).toLowerCase(), text(customer?.email).toLowerCase()],
        ['first name', text(contact.firstName), text(customer?.first_name)],
        ['last name', text(contact.lastName), text(customer?.last_name)],
        ['company', text(contact.companyName), text(customer?.company_name)],
      ];
      const differing = pairs.filter(([, ghl, roofrValue]) => ghl !== roofrValue);
      if (differing.length > 0) {
        check.outdated += 1;
        example(
          check.examples.outdated,
          `contact ${contact.id}: ${differing.map(([name, ghl, roofrValue]) => `${name} "${ghl}" in HighLevel, "${roofrValue}" in Roofr`).join('; ')}${history.has(contact.id) ? ` (last change: ${history.get(contact.id)})` : ''}`,
        );
      }
    }
    for (const task of contact.tasks) {
      check.expected.tasks += 1;
      if (!tasks.has(`ghl:task:${task.id}`)) {
        check.missing.tasks += 1;
        example(
          check.examples.missing,
          `task ${task.id} "${task.title ?? ''}" of contact ${contact.id}: no Roofr job task`,
        );
      }
    }
    for (const note of contact.notes) {
      check.expected.notes += 1;
      if (!notes.has(`ghl:note:${note.id}`)) {
        check.missing.notes += 1;
        example(check.examples.missing, `note ${note.id} of contact ${contact.id}: no Roofr job note`);
      }
    }
  }
  for (const [kind, byRef] of [
    ['jobs', jobs],
    ['tasks', tasks],
    ['notes', notes],
  ] as const) {
    for (const [ref, list] of byRef) {
      if (list.length < 2) continue;
      check.duplicated[kind] += list.length - 1;
      example(
        check.examples.duplicated,
        `${ref}: ${list.length} Roofr ${kind} (${list.map((record) => record.id).join(', ')})`,
      );
    }
  }
  // A customer no job points to is a duplicate when its contact has a job (a create whose answer
  // was lost, then done again); otherwise the contact's mirror was left half-written.
  const referenced = new Set(roofr.jobs.map((job) => job.customer_id));
  const mirroredEmails = new Set(
    contacts
      .filter((contact) => jobs.has(`ghl:contact:${contact.id}`))
      .map((contact) => text(contact.email).toLowerCase()),
  );
  for (const customer of roofr.customers) {
    if (referenced.has(customer.id)) continue;
    const email = text(customer.email).toLowerCase();
    if (email !== '' && mirroredEmails.has(email)) {
      check.duplicated.customers += 1;
      example(
        check.examples.duplicated,
        `customer ${customer.id} (${email}): no job points to it, its contact has another`,
      );
    } else check.orphanCustomers += 1;
  }
  return check;
}

export interface MutationKindCheck {
  attempted: number;
  /** Answered with the entity. */
  answeredEntity: number;
  /** Answered without it, by outcome. */
  answeredWithout: Record<string, number>;
  /** In HighLevel although the answer carried no entity: a client retry would write it again. */
  writtenWithoutEntity: number;
  /** In HighLevel, no answer: the suite killed the gateway mid-request (no process can answer then). */
  writtenCutByKill: number;
  /** The answer carried an entity that HighLevel does not hold (or not with this change). */
  entityNotWritten: number;
  /** A create that landed more than once. */
  duplicated: number;
  roofrSync: Record<string, number>;
}

export interface MutationCheck {
  byKind: Partial<Record<MutationKind, MutationKindCheck>>;
  examples: string[];
}

export function checkMutations(
  records: readonly MutationRecord[],
  contacts: readonly GhlContactExport[],
): MutationCheck {
  const byEmail = new Map<string, number>();
  const taskTitles = new Map<string, number>();
  const noteBodies = new Map<string, number>();
  const company = new Map<string, string>();
  const taskDone = new Map<string, boolean>();
  for (const contact of contacts) {
    if (contact.email) byEmail.set(contact.email.toLowerCase(), (byEmail.get(contact.email.toLowerCase()) ?? 0) + 1);
    company.set(contact.id, text(contact.companyName));
    for (const task of contact.tasks) {
      taskTitles.set(text(task.title), (taskTitles.get(text(task.title)) ?? 0) + 1);
      taskDone.set(task.id, task.completed === true);
    }
    for (const note of contact.notes) noteBodies.set(text(note.body), (noteBodies.get(text(note.body)) ?? 0) + 1);
  }
  const result: MutationCheck = { byKind: {}, examples: [] };
  const example = (line: string): void => {
    if (result.examples.length < 20) result.examples.push(line);
  };
  // Updates of one contact come from one client, in order: the last one HighLevel holds is the
  // final companyName; an update is "written" when its marker is that value.
  const updatesByContact = new Map<string, MutationRecord[]>();
  for (const record of records)
    if (record.kind === 'updateContact' && record.contactId !== null) {
      const list = updatesByContact.get(record.contactId) ?? [];
      list.push(record);
      updatesByContact.set(record.contactId, list);
    }

  for (const record of records) {
    const kind = (result.byKind[record.kind] ??= {
      attempted: 0,
      answeredEntity: 0,
      answeredWithout: {},
      writtenWithoutEntity: 0,
      writtenCutByKill: 0,
      entityNotWritten: 0,
      duplicated: 0,
      roofrSync: {},
    });
    kind.attempted += 1;
    if (record.entityId !== null) kind.answeredEntity += 1;
    else kind.answeredWithout[record.outcome] = (kind.answeredWithout[record.outcome] ?? 0) + 1;
    if (record.roofrSync !== null) kind.roofrSync[record.roofrSync] = (kind.roofrSync[record.roofrSync] ?? 0) + 1;

    let copies: number;
    switch (record.kind) {
      case 'createContact':
        copies = byEmail.get(record.marker.toLowerCase()) ?? 0;
        break;
      case 'createTask':
        copies = taskTitles.get(record.marker) ?? 0;
        break;
      case 'createNote':
        copies = noteBodies.get(record.marker) ?? 0;
        break;
      case 'completeTask':
        copies = taskDone.get(record.marker) === true ? 1 : 0;
        break;
      case 'updateContact': {
        const final = company.get(record.contactId ?? '');
        const later = (updatesByContact.get(record.contactId ?? '') ?? []).filter(
          (other) => other.sequence > record.sequence,
        );
        // Written: HighLevel holds this marker. Lost: answered, nothing later overwrote it, yet not held.
        copies = final === record.marker ? 1 : record.entityId !== null && later.length === 0 ? 0 : -1;
        break;
      }
    }
    const described = `${record.kind} ${record.marker}${record.contactId ? ` (contact ${record.contactId})` : ''} answered ${record.entityId === null ? record.outcome : 'with its entity'} after ${record.ms} ms at ${Math.round(record.at / 100) / 10} s`;
    if (copies > 0 && record.entityId === null && record.outcome === 'gateway-down') kind.writtenCutByKill += 1;
    else if (copies > 0 && record.entityId === null) {
      kind.writtenWithoutEntity += 1;
      example(`${described}, yet HighLevel holds it`);
    }
    if (copies === 0 && record.entityId !== null) {
      kind.entityNotWritten += 1;
      example(`${described}, yet HighLevel does not hold it`);
    }
    if (copies > 1 && record.kind !== 'completeTask') {
      kind.duplicated += copies - 1;
      example(`${described}: HighLevel holds it ${copies} times`);
    }
  }
  return result;
}

export interface WebhookCheck {
  delivered: { ghl: Record<string, number>; roofr: Record<string, number> };
  accepted: number;
  /** Answered 200, yet not `done` at the end, by where they ended (missing: never queued). */
  notProcessed: Record<string, number>;
  /** GHL deliveries the simulator no longer remembers (its history is bounded). */
  forgotten: number;
  examples: string[];
}

export function checkWebhooks(
  ghl: { deliveries: readonly GhlDelivery[]; forgotten: number },
  roofr: readonly RoofrDelivery[],
  queued: ReadonlyMap<string, { status: string; attempts: number; lastError: string | null }>,
): WebhookCheck {
  const statusKey = (status: number | null): string => (status === null ? 'no answer' : String(status));
  const check: WebhookCheck = {
    delivered: { ghl: {}, roofr: {} },
    accepted: 0,
    notProcessed: {},
    forgotten: ghl.forgotten,
    examples: [],
  };
  const accepted: Array<{ key: string; what: string }> = [];
  for (const delivery of ghl.deliveries) {
    const key = statusKey(delivery.status);
    check.delivered.ghl[key] = (check.delivered.ghl[key] ?? 0) + 1;
    if (delivery.status === 200)
      accepted.push({ key: `ghl:${delivery.webhookId}`, what: `HighLevel ${delivery.type}` });
  }
  for (const delivery of roofr) {
    const key = statusKey(delivery.status);
    check.delivered.roofr[key] = (check.delivered.roofr[key] ?? 0) + 1;
    if (delivery.status === 200) accepted.push({ key: `roofr:${delivery.eventId}`, what: `Roofr ${delivery.event}` });
  }
  check.accepted = accepted.length;
  for (const { key, what } of accepted) {
    const event = queued.get(key);
    const status = event?.status ?? 'missing';
    if (status === 'done') continue;
    check.notProcessed[status] = (check.notProcessed[status] ?? 0) + 1;
    if (check.examples.length < 10)
      check.examples.push(
        `${what} ${key}: ${status}${event ? ` after ${event.attempts} attempts${event.lastError ? `: ${event.lastError.slice(0, 200)}` : ''}` : ''}`,
      );
  }
  return check;
}
