/**
 * GHL records → Roofr records, as a mapping file says. One contact becomes one customer and one
 * job; its tasks and appointments become job tasks, its notes job notes. Only mapped fields are
 * set, so a write never clears a Roofr field the mapping does not own. `external_ref` always names
 * the GHL record a Roofr record mirrors ("ghl:contact:<id>"), which the way back relies on.
 * (Type-only imports of the Roofr and GHL record shapes: nothing runs from those layers.)
 */
import type { CountryCode } from 'libphonenumber-js';
import type { Appointment, Contact, Note, Task } from '../types.js';
import type { RoofrCustomerWrite, RoofrJobNoteWrite, RoofrJobTaskWrite, RoofrJobWrite } from '../roofr-records.js';
import { readGhl, writeDotted } from './field-paths.js';
import type { FieldRule, Mapping } from './mapping-schema.js';
import { forward, type TransformContext } from './transforms.js';

interface GhlRecords {
  contact: Contact;
  tasks?: Task[];
  notes?: Note[];
  appointments?: Appointment[];
}

export interface RoofrRecords {
  customer: RoofrCustomerWrite;
  job: RoofrJobWrite;
  jobTasks: RoofrJobTaskWrite[];
  jobNotes: RoofrJobNoteWrite[];
}

interface ToRoofrOptions {
  /** False for an update: rules marked create_only are left out. Default true. */
  forCreate?: boolean;
}

export const EXTERNAL_REF = {
  contact: (id: string) => `ghl:contact:${id}`,
  task: (id: string) => `ghl:task:${id}`,
  note: (id: string) => `ghl:note:${id}`,
  appointment: (id: string) => `ghl:appointment:${id}`,
} as const;

/** "ghl:task:abc" → {kind: 'task', id: 'abc'}; null for refs this gateway did not write. */
export function parseExternalRef(
  ref: string | null | undefined,
): { kind: keyof typeof EXTERNAL_REF; id: string } | null {
  const match = /^ghl:(contact|task|note|appointment):(.+)$/.exec(ref ?? '');
  if (!match || match[1] === undefined || match[2] === undefined) return null;
  return { kind: match[1] as keyof typeof EXTERNAL_REF, id: match[2] };
}

const DEFAULT_COUNTRY: CountryCode = 'US';

function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** A record in its create and its update shape: the update leaves create_only rules out. */
export interface CreateAndUpdate<T> {
  create: T;
  update: T;
}

/** Both shapes in one pass: each rule's value is computed once (a sync writes both for every record). */
function applyRulesBoth(
  rules: readonly FieldRule[],
  source: object,
  context: TransformContext,
): CreateAndUpdate<Record<string, unknown>> {
  const create: Record<string, unknown> = {};
  const update: Record<string, unknown> = {};
  for (const rule of rules) {
    if (rule.direction === 'to_ghl') continue;
    const ghlPaths = rule.ghl === undefined ? [] : [rule.ghl].flat();
    const roofrPaths = [rule.roofr].flat();
    const values = forward(
      rule.transform,
      ghlPaths.map((path) => readGhl(source, path)),
      roofrPaths.length,
      context,
    );
    roofrPaths.forEach((path, index) => {
      const value = values[index] ?? null;
      const written = isEmptyValue(value) && rule.default !== undefined ? rule.default : value;
      writeDotted(create, path, written);
      if (!rule.create_only) writeDotted(update, path, written);
    });
  }
  return { create, update };
}

function applyRules(
  rules: readonly FieldRule[],
  source: object,
  context: TransformContext,
  forCreate: boolean,
): Record<string, unknown> {
  const both = applyRulesBoth(rules, source, context);
  return forCreate ? both.create : both.update;
}

function contextOf(mapping: Mapping): TransformContext {
  return { defaultCountry: (mapping.phone?.default_country as CountryCode | undefined) ?? DEFAULT_COUNTRY };
}

function withRef<T>(both: CreateAndUpdate<Record<string, unknown>>, ref: string): CreateAndUpdate<T> {
  return { create: { ...both.create, external_ref: ref } as T, update: { ...both.update, external_ref: ref } as T };
}

/** A contact's customer and job, both shapes (toRoofr's, without mapping twice). */
export function contactToRoofr(
  mapping: Mapping,
  contact: Contact,
): { customer: CreateAndUpdate<RoofrCustomerWrite>; job: CreateAndUpdate<RoofrJobWrite> } {
  const context = contextOf(mapping);
  const customer = applyRulesBoth(mapping.customer, contact, context) as CreateAndUpdate<RoofrCustomerWrite>;
  return {
    customer,
    job: withRef<RoofrJobWrite>(applyRulesBoth(mapping.job, contact, context), EXTERNAL_REF.contact(contact.id)),
  };
}

/** One task as a job task, both shapes. */
export function taskToRoofr(mapping: Mapping, task: Task): CreateAndUpdate<RoofrJobTaskWrite> {
  return withRef(applyRulesBoth(mapping.task, task, contextOf(mapping)), EXTERNAL_REF.task(task.id));
}

/** One note as a job note, both shapes. */
export function noteToRoofr(mapping: Mapping, note: Note): CreateAndUpdate<RoofrJobNoteWrite> {
  return withRef(applyRulesBoth(mapping.note, note, contextOf(mapping)), EXTERNAL_REF.note(note.id));
}

/** One appointment as a job task, both shapes; null when the mapping has no appointment rules. */
export function appointmentToRoofr(
  mapping: Mapping,
  appointment: Appointment,
): CreateAndUpdate<RoofrJobTaskWrite> | null {
  if (mapping.appointment.length === 0) return null;
  return withRef(
    applyRulesBoth(mapping.appointment, appointment, contextOf(mapping)),
    EXTERNAL_REF.appointment(appointment.id),
  );
}

export function toRoofr(mapping: Mapping, records: GhlRecords, options: ToRoofrOptions = {}): RoofrRecords {
  const forCreate = options.forCreate ?? true;
  const context = contextOf(mapping);
  const { contact } = records;

  const customer = applyRules(mapping.customer, contact, context, forCreate) as RoofrCustomerWrite;
  const job = {
    ...applyRules(mapping.job, contact, context, forCreate),
    external_ref: EXTERNAL_REF.contact(contact.id),
  } as RoofrJobWrite;
  const jobTasks = [
    ...(records.tasks ?? []).map(
      (task) =>
        ({
          ...applyRules(mapping.task, task, context, forCreate),
          external_ref: EXTERNAL_REF.task(task.id),
        }) as RoofrJobTaskWrite,
    ),
    ...(mapping.appointment.length === 0 ? [] : (records.appointments ?? [])).map(
      (appointment) =>
        ({
          ...applyRules(mapping.appointment, appointment, context, forCreate),
          external_ref: EXTERNAL_REF.appointment(appointment.id),
        }) as RoofrJobTaskWrite,
    ),
  ];
  const jobNotes = (records.notes ?? []).map(
    (note) =>
      ({
        ...applyRules(mapping.note, note, context, forCreate),
        external_ref: EXTERNAL_REF.note(note.id),
      }) as RoofrJobNoteWrite,
  );
  return { customer, job, jobTasks, jobNotes };
}
