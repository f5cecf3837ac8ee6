/**
 * Which fields of a mapped Roofr → HighLevel contact write would change the contact, and who
 * wins a conflict: a field only Roofr writes (mapping direction to_ghl) is Roofr's; a field both
 * sides write (both) goes to the later change (Roofr's updated_at against the contact's
 * dateUpdated). Every value overwritten is reported so the run can keep it. A write that changes
 * nothing is how an echo of our own Roofr write is recognised on this side.
 */
import type { ContactWrite } from '../ghl/ghl-api.js';
import type { Contact } from '../domain/types.js';

interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

interface ContactDiff {
  /** Only the fields to write; empty when nothing changes. */
  write: ContactWrite;
  applied: FieldChange[];
  /** Fields where HighLevel's newer value was kept over Roofr's. */
  kept: FieldChange[];
}

type Writable = Exclude<keyof ContactWrite, 'customFields'>;

function currentValue(contact: Contact, field: Writable): unknown {
  switch (field) {
    case 'address1':
      return contact.address.line1;
    case 'city':
    case 'state':
    case 'postalCode':
    case 'country':
      return contact.address[field];
    default:
      return contact[field];
  }
}

function normalise(field: string, value: unknown): unknown {
  if (value === undefined || value === '') return null;
  if (field === 'email' && typeof value === 'string') return value.trim().toLowerCase();
  if (field === 'tags' && Array.isArray(value)) return [...value].map(String).sort();
  return value;
}

function same(field: string, a: unknown, b: unknown): boolean {
  return JSON.stringify(normalise(field, a)) === JSON.stringify(normalise(field, b));
}

/**
 * `write`: the full mapped write; `roofrOwned`: the fields the mapping gives to Roofr alone;
 * `roofrUpdatedAt` vs the contact's dateUpdated decides the shared fields.
 */
export function diffContactWrite(
  contact: Contact,
  write: ContactWrite,
  roofrOwned: ReadonlySet<string>,
  roofrUpdatedAt: string | null,
): ContactDiff {
  const result: ContactDiff = { write: {}, applied: [], kept: [] };
  const ghlTime = contact.dateUpdated === null ? 0 : Date.parse(contact.dateUpdated);
  const roofrTime = roofrUpdatedAt === null ? Number.POSITIVE_INFINITY : Date.parse(roofrUpdatedAt);
  const roofrWins = (field: string): boolean => roofrOwned.has(field) || roofrTime >= ghlTime;
  const target = result.write as Record<string, unknown>;
  for (const [key, value] of Object.entries(write)) {
    if (key === 'customFields') continue;
    const field = key as Writable;
    const from = currentValue(contact, field);
    if (same(field, from, value)) continue;
    const change = { field, from, to: value };
    if (roofrWins(field)) {
      target[field] = value;
      result.applied.push(change);
    } else {
      result.kept.push(change);
    }
  }
  for (const custom of write.customFields ?? []) {
    const field = `customFields.${custom.id}`;
    const from = contact.customFields.find((entry) => entry.id === custom.id)?.value ?? null;
    if (same(field, from, custom.field_value)) continue;
    const change = { field, from, to: custom.field_value };
    if (roofrWins(field)) {
      (result.write.customFields ??= []).push(custom);
      result.applied.push(change);
    } else {
      result.kept.push(change);
    }
  }
  return result;
}

export function isEmptyWrite(write: ContactWrite): boolean {
  return Object.keys(write).length === 0;
}
