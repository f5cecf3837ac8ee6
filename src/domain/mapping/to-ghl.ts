/**
 * Roofr records → HighLevel writes, as a mapping file says: rules with direction `to_ghl` or
 * `both` only. The result is partial: a field appears only when the Roofr record carries it, so
 * applying it never clears what Roofr did not send. Job tasks that came from GHL appointments are
 * left out (the gateway writes no appointments); `ghlId` comes from each record's external_ref.
 */
import type { ContactWrite, NoteWrite, TaskWrite } from '../ghl-writes.js';
import type { RoofrCustomerWrite, RoofrJobNoteWrite, RoofrJobTaskWrite, RoofrJobWrite } from '../roofr-records.js';
import { ghlWriteKey, readDotted, type GhlEntity } from './field-paths.js';
import type { FieldRule, Mapping } from './mapping-schema.js';
import { parseExternalRef } from './to-roofr.js';
import { reverse } from './transforms.js';

interface RoofrRecordsIn {
  customer?: RoofrCustomerWrite | null;
  job?: RoofrJobWrite | null;
  jobTasks?: RoofrJobTaskWrite[];
  jobNotes?: RoofrJobNoteWrite[];
}

interface GhlChildWrite<W> {
  /** The GHL record this Roofr record mirrors (from external_ref); null: new in Roofr. */
  ghlId: string | null;
  roofrId: string | null;
  write: W;
}

interface GhlWrites {
  contact: ContactWrite;
  tasks: Array<GhlChildWrite<TaskWrite>>;
  notes: Array<GhlChildWrite<NoteWrite>>;
}

function applyRules(
  rules: readonly FieldRule[],
  entity: GhlEntity,
  source: object,
  target: Record<string, unknown>,
): void {
  for (const rule of rules) {
    if (rule.direction === 'to_roofr' || rule.ghl === undefined) continue;
    const roofrPaths = [rule.roofr].flat();
    const values = roofrPaths.map((path) => readDotted(source, path));
    // Roofr did not send any of this rule's fields: leave the GHL side alone.
    if (values.every((value) => value === undefined)) continue;
    const ghlPaths = [rule.ghl].flat();
    const ghlValues = reverse(rule.transform, values, ghlPaths.length);
    ghlPaths.forEach((path, index) => {
      const key = ghlWriteKey(entity, path);
      if (key === null) return;
      const value = ghlValues[index] ?? null;
      if (key.startsWith('customFields.')) {
        const list = (target.customFields ??= []) as Array<{ id: string; field_value: unknown }>;
        list.push({ id: key.slice('customFields.'.length), field_value: value });
      } else {
        target[key] = value;
      }
    });
  }
}

export function toGhl(mapping: Mapping, records: RoofrRecordsIn): GhlWrites {
  const contact: Record<string, unknown> = {};
  if (records.customer) applyRules(mapping.customer, 'contact', records.customer, contact);
  if (records.job) applyRules(mapping.job, 'contact', records.job, contact);

  const tasks = (records.jobTasks ?? [])
    .filter((task) => parseExternalRef(task.external_ref)?.kind !== 'appointment')
    .map((task) => {
      const write: Record<string, unknown> = {};
      applyRules(mapping.task, 'task', task, write);
      const ref = parseExternalRef(task.external_ref);
      return { ghlId: ref?.kind === 'task' ? ref.id : null, roofrId: task.id ?? null, write: write as TaskWrite };
    });
  const notes = (records.jobNotes ?? []).map((note) => {
    const write: Record<string, unknown> = {};
    applyRules(mapping.note, 'note', note, write);
    const ref = parseExternalRef(note.external_ref);
    return {
      ghlId: ref?.kind === 'note' ? ref.id : null,
      roofrId: note.id ?? null,
      write: write as unknown as NoteWrite,
    };
  });
  return { contact: contact as ContactWrite, tasks, notes };
}
