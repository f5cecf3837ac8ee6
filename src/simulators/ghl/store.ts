/**
 * The simulator's data: locations, their contacts and the contacts' children. All reads and
 * writes go through here so the duplicate indexes and the per-location version (which
 * invalidates cached sorted views) never drift from the data.
 */
import { CUSTOM_FIELDS } from './seed-vocabulary.js';
import type { ContactChildren, ContactRecord, CustomFieldRecord, LocationRecord } from './model.js';
import { firebaseId, hashString, mulberry32 } from '../prng.js';
import type { Random } from '../prng.js';
import { seedChildren, seedContacts, seedLocation } from './seed.js';
import type { LocationSeed } from './seed.js';
import { normalizePhone } from './phone.js';
import type { SimClock } from './clock.js';

/** Fields a writer may set; null clears a field. */
export interface ContactPatch {
  firstName?: string | null;
  lastName?: string | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  companyName?: string | null;
  address1?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  country?: string | null;
  website?: string | null;
  timezone?: string | null;
  dnd?: boolean;
  source?: string | null;
  assignedTo?: string | null;
  dateOfBirth?: string | null;
  tags?: string[];
  customFields?: Array<{ id?: string; key?: string; field_value?: unknown }>;
}

const OPTIONAL_TEXT_FIELDS = [
  'firstName',
  'lastName',
  'name',
  'email',
  'companyName',
  'address1',
  'city',
  'state',
  'postalCode',
  'country',
  'website',
  'timezone',
  'source',
  'assignedTo',
  'dateOfBirth',
] as const;

interface LocationState {
  record: LocationRecord;
  contacts: Map<string, ContactRecord>;
  /**
   * Lowercased email / E.164 phone → contact id, for duplicate detection and upsert matching.
   * Built on the first write that needs them, so seeding 100,000 contacts does not pay for them.
   */
  byEmail: Map<string, string> | null;
  byPhone: Map<string, string> | null;
  children: Map<string, ContactChildren>;
  /** Bumped on every write: cached sorted views compare it to know they are stale. */
  version: number;
  /** What POST /contacts/search sees when the search index lags (copies, as of takenAt). */
  searchSnapshot: { takenAt: number; version: number; records: ContactRecord[] } | null;
}

/** Contacts a view is built from, and a stamp that changes whenever they may have. */
interface ContactSource {
  records: Iterable<ContactRecord>;
  stamp: string;
}

interface DuplicateMatch {
  contact: ContactRecord;
  field: 'email' | 'phone';
}

export class SimStore {
  private readonly locationStates = new Map<string, LocationState>();
  private readonly idRandom: Random;
  /**
   * GHL's search is eventually consistent: writes show up in POST /contacts/search only after a
   * while (seconds). 0 (default) makes search read the live store.
   */
  searchLagMs = 0;

  constructor(
    private readonly seed: number,
    readonly referenceTime: number,
    private readonly clock: SimClock,
  ) {
    this.idRandom = mulberry32(seed ^ hashString('api-writes'));
  }

  addLocation(spec: LocationSeed): LocationRecord {
    const record = seedLocation(this.seed, spec);
    const state: LocationState = {
      record,
      contacts: new Map(),
      byEmail: null,
      byPhone: null,
      children: new Map(),
      version: 0,
      searchSnapshot: null,
    };
    for (const contact of seedContacts(this.seed, record, spec.contacts, this.referenceTime))
      state.contacts.set(contact.id, contact);
    this.locationStates.set(record.id, state);
    return record;
  }

  location(locationId: string): LocationState | undefined {
    return this.locationStates.get(locationId);
  }

  locations(): LocationRecord[] {
    return [...this.locationStates.values()].map((state) => state.record);
  }

  newId(): string {
    return firebaseId(this.idRandom);
  }

  now(): number {
    return this.clock.now();
  }

  contact(locationId: string, contactId: string): ContactRecord | undefined {
    return this.locationStates.get(locationId)?.contacts.get(contactId);
  }

  live(locationId: string): ContactSource {
    const state = this.requireLocation(locationId);
    return { records: state.contacts.values(), stamp: `live:${state.version}` };
  }

  /** The search index's view: a copy of the contacts refreshed once it is searchLagMs old. */
  searchable(locationId: string): ContactSource {
    const state = this.requireLocation(locationId);
    if (this.searchLagMs <= 0) return this.live(locationId);
    const now = this.clock.now();
    let snapshot = state.searchSnapshot;
    if (!snapshot || (snapshot.version !== state.version && now - snapshot.takenAt >= this.searchLagMs)) {
      const records = [...state.contacts.values()].map((contact) => ({
        ...contact,
        tags: [...contact.tags],
        customFields: [...contact.customFields],
      }));
      snapshot = { takenAt: now, version: state.version, records };
      state.searchSnapshot = snapshot;
    }
    return { records: snapshot.records, stamp: `search:${snapshot.takenAt}:${snapshot.version}` };
  }

  /** A contact in any location (admin and test assertions only; routes stay within the token's location). */
  findContact(contactId: string): ContactRecord | undefined {
    for (const state of this.locationStates.values()) {
      const contact = state.contacts.get(contactId);
      if (contact) return contact;
    }
    return undefined;
  }

  findDuplicate(
    locationId: string,
    email: string | null | undefined,
    phone: string | null | undefined,
    excludeId?: string,
  ): DuplicateMatch | undefined {
    const state = this.requireLocation(locationId);
    const { byEmail, byPhone } = this.indexes(state);
    if (email) {
      const id = byEmail.get(email.toLowerCase());
      const contact = id === undefined || id === excludeId ? undefined : state.contacts.get(id);
      if (contact) return { contact, field: 'email' };
    }
    if (phone) {
      const id = byPhone.get(normalizePhone(phone));
      const contact = id === undefined || id === excludeId ? undefined : state.contacts.get(id);
      if (contact) return { contact, field: 'phone' };
    }
    return undefined;
  }

  createContact(locationId: string, patch: ContactPatch): ContactRecord {
    const state = this.requireLocation(locationId);
    const now = this.clock.now();
    const contact: ContactRecord = {
      id: this.newId(),
      locationId,
      dnd: false,
      type: 'lead',
      tags: [],
      customFields: [],
      dateAdded: now,
      dateUpdated: now,
      childSeed: null,
    };
    applyPatch(contact, patch, state.record);
    state.contacts.set(contact.id, contact);
    state.children.set(contact.id, { tasks: [], notes: [], appointments: [] });
    this.index(state, contact);
    state.version += 1;
    return contact;
  }

  updateContact(contact: ContactRecord, patch: ContactPatch): ContactRecord {
    const state = this.requireLocation(contact.locationId);
    // Seeded children are derived from the contact (a note "Re Ada: …") until stored: store them
    // first, so a rename does not rewrite them (HighLevel's tasks and notes do not follow a rename).
    this.mutableChildren(contact);
    this.unindex(state, contact);
    applyPatch(contact, patch, state.record);
    contact.dateUpdated = Math.max(this.clock.now(), contact.dateUpdated + 1);
    this.index(state, contact);
    state.version += 1;
    return contact;
  }

  /** Marks a contact changed without a field patch (tags add/remove). */
  touch(contact: ContactRecord): void {
    const state = this.requireLocation(contact.locationId);
    contact.dateUpdated = Math.max(this.clock.now(), contact.dateUpdated + 1);
    state.version += 1;
  }

  deleteContact(contact: ContactRecord): void {
    const state = this.requireLocation(contact.locationId);
    this.unindex(state, contact);
    state.contacts.delete(contact.id);
    state.children.delete(contact.id);
    state.version += 1;
  }

  /**
   * Tasks, notes and appointments of a contact, for reading. Seeded children are regenerated
   * from the contact's seed on every read (cheap and identical each time) and stored only once
   * written, so reading every child of 100,000 contacts does not grow memory.
   */
  children(contact: ContactRecord): ContactChildren {
    const state = this.requireLocation(contact.locationId);
    return state.children.get(contact.id) ?? seedChildren(contact, state.record, this.referenceTime);
  }

  /** The stored (materialised) children of a contact, for routes that change them. */
  mutableChildren(contact: ContactRecord): ContactChildren {
    const state = this.requireLocation(contact.locationId);
    let children = state.children.get(contact.id);
    if (!children) {
      children = seedChildren(contact, state.record, this.referenceTime);
      state.children.set(contact.id, children);
    }
    return children;
  }

  requireLocation(locationId: string): LocationState {
    const state = this.locationStates.get(locationId);
    if (!state) throw new Error(`Unknown simulator location ${locationId}`);
    return state;
  }

  private indexes(state: LocationState): { byEmail: Map<string, string>; byPhone: Map<string, string> } {
    if (state.byEmail === null || state.byPhone === null) {
      const byEmail = new Map<string, string>();
      const byPhone = new Map<string, string>();
      for (const contact of state.contacts.values()) {
        if (contact.email) byEmail.set(contact.email.toLowerCase(), contact.id);
        if (contact.phone) byPhone.set(contact.phone, contact.id);
      }
      state.byEmail = byEmail;
      state.byPhone = byPhone;
    }
    return { byEmail: state.byEmail, byPhone: state.byPhone };
  }

  private index(state: LocationState, contact: ContactRecord): void {
    if (contact.email) state.byEmail?.set(contact.email.toLowerCase(), contact.id);
    if (contact.phone) state.byPhone?.set(contact.phone, contact.id);
  }

  private unindex(state: LocationState, contact: ContactRecord): void {
    if (contact.email && state.byEmail?.get(contact.email.toLowerCase()) === contact.id)
      state.byEmail.delete(contact.email.toLowerCase());
    if (contact.phone && state.byPhone?.get(contact.phone) === contact.id) state.byPhone.delete(contact.phone);
  }
}

function applyPatch(contact: ContactRecord, patch: ContactPatch, location: LocationRecord): void {
  for (const field of OPTIONAL_TEXT_FIELDS) {
    const value = patch[field];
    if (value === undefined) continue;
    if (value === null || value === '') delete contact[field];
    else contact[field] = value;
  }
  if (patch.phone !== undefined) {
    if (patch.phone === null || patch.phone === '') delete contact.phone;
    else contact.phone = normalizePhone(patch.phone);
  }
  // GHL splits a bare `name` into first and last names.
  if (patch.name && patch.firstName === undefined && patch.lastName === undefined) {
    const [first, ...rest] = patch.name.trim().split(/\s+/);
    contact.firstName = first;
    if (rest.length > 0) contact.lastName = rest.join(' ');
    delete contact.name;
  }
  if (patch.dnd !== undefined) contact.dnd = patch.dnd;
  // `tags` replaces the whole list (docs/ghl-facts.md: update/upsert), deduplicated as GHL does.
  if (patch.tags !== undefined) contact.tags = uniqueTags(patch.tags);
  if (patch.customFields !== undefined)
    contact.customFields = mergeCustomFields(contact.customFields, patch.customFields, location);
}

export function uniqueTags(tags: readonly string[]): string[] {
  const result: string[] = [];
  for (const tag of tags) {
    // GHL stores tags lowercased and trimmed.
    const normalised = tag.trim().toLowerCase();
    if (normalised !== '' && !result.includes(normalised)) result.push(normalised);
  }
  return result;
}

function mergeCustomFields(
  current: CustomFieldRecord[],
  incoming: NonNullable<ContactPatch['customFields']>,
  location: LocationRecord,
): CustomFieldRecord[] {
  const merged = new Map(current.map((field) => [field.id, field.value]));
  for (const field of incoming) {
    const keyIndex =
      field.key === undefined
        ? -1
        : CUSTOM_FIELDS.findIndex((known) => known.key === field.key || `contact.${known.key}` === field.key);
    const id = field.id ?? (keyIndex >= 0 ? location.customFieldIds[keyIndex] : undefined);
    if (id === undefined) continue;
    if (field.field_value === null || field.field_value === undefined || field.field_value === '') merged.delete(id);
    else merged.set(id, field.field_value);
  }
  return [...merged.entries()].map(([id, value]) => ({ id, value }));
}
