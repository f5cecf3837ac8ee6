/**
 * Seeded data: contacts generated eagerly (fast: plain objects, no per-contact closures) and
 * their tasks, notes and appointments generated lazily from a per-contact seed, so 100,000
 * contacts stay well within memory until someone asks for their children.
 */
import type {
  AppointmentRecord,
  ContactChildren,
  ContactRecord,
  CustomFieldRecord,
  LocationRecord,
  NoteRecord,
  TaskRecord,
} from './model.js';
import { firebaseId, hashString, hexId, intBetween, mulberry32, pick } from '../prng.js';
import type { Random } from '../prng.js';
import {
  APPOINTMENT_STATUSES,
  APPOINTMENT_TITLES,
  CITIES,
  COMPANY_KINDS,
  COMPANY_WORDS,
  CONTACT_TYPES,
  CUSTOM_FIELDS,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  NOTE_BODIES,
  SOURCES,
  STREET_NAMES,
  STREET_SUFFIXES,
  TAGS,
  TASK_TITLES,
} from './seed-vocabulary.js';

const DAY_MS = 86_400_000;

/** Email-safe lowercase forms of the vocabulary names, computed once rather than per contact. */
const EMAIL_NAMES = new Map<string, string>(
  [...FIRST_NAMES, ...LAST_NAMES].map((name) => [name, name.toLowerCase().replace(/[^a-z0-9]/g, '')]),
);
const TWO_DIGITS = Array.from({ length: 100 }, (_, index) => String(index).padStart(2, '0'));
const WEBSITES = new Map<string, string>();
function websiteOf(businessName: string): string {
  let website = WEBSITES.get(businessName);
  if (website === undefined) {
    website = `https://www.${businessName.toLowerCase().replace(/[^a-z]/g, '')}.com`;
    WEBSITES.set(businessName, website);
  }
  return website;
}
const TWO_YEARS_MS = 730 * DAY_MS;

export interface LocationSeed {
  id: string;
  companyId: string;
  contacts: number;
  allowDuplicateContacts: boolean;
}

export function seedLocation(seed: number, spec: LocationSeed): LocationRecord {
  const random = mulberry32(seed ^ hashString(`location:${spec.id}`));
  const businessCount = Math.max(3, Math.min(50, Math.ceil(spec.contacts / 2000)));
  const businesses = Array.from({ length: businessCount }, () => ({
    id: hexId(random),
    name: `${pick(random, COMPANY_WORDS)} ${pick(random, COMPANY_KINDS)}`,
  }));
  return {
    id: spec.id,
    companyId: spec.companyId,
    name: `Sim Roofing ${spec.id.slice(0, 6)}`,
    allowDuplicateContacts: spec.allowDuplicateContacts,
    userIds: Array.from({ length: 5 }, () => firebaseId(random)),
    calendarIds: Array.from({ length: 2 }, () => firebaseId(random)),
    businesses,
    customFieldIds: CUSTOM_FIELDS.map(() => firebaseId(random)),
  };
}

/** Phones must be unique per location (duplicate detection): an index permutation gives that. */
function uniqueLine(index: number, salt: number): string {
  // 7919 is prime and coprime with 8,000,000, so distinct indexes map to distinct numbers.
  const k = (index * 7919 + salt) % 8_000_000;
  const exchange = 200 + (k % 800);
  const line = Math.floor(k / 800);
  return `${exchange}${String(line).padStart(4, '0')}`;
}

export function seedContacts(
  seed: number,
  location: LocationRecord,
  count: number,
  referenceTime: number,
): ContactRecord[] {
  const random = mulberry32(seed ^ hashString(`contacts:${location.id}`));
  const salt = hashString(location.id) % 8_000_000;
  const contacts: ContactRecord[] = new Array<ContactRecord>(count);
  for (let index = 0; index < count; index += 1) {
    contacts[index] = seedContact(random, location, index, salt, referenceTime);
  }
  return contacts;
}

/**
 * Custom field values are shared, frozen records (one per field and value) rather than one
 * object per contact: writes replace the list (store.ts mergeCustomFields), never mutate it.
 */
const CUSTOM_FIELD_CHOICES = new WeakMap<LocationRecord, CustomFieldRecord[][]>();
function customFieldChoices(location: LocationRecord): CustomFieldRecord[][] {
  let choices = CUSTOM_FIELD_CHOICES.get(location);
  if (!choices) {
    choices = CUSTOM_FIELDS.map((field, index) =>
      field.values.map((value) => Object.freeze({ id: location.customFieldIds[index] ?? '', value })),
    );
    CUSTOM_FIELD_CHOICES.set(location, choices);
  }
  return choices;
}

function seedContact(
  random: Random,
  location: LocationRecord,
  index: number,
  salt: number,
  referenceTime: number,
): ContactRecord {
  const firstName = pick(random, FIRST_NAMES);
  const lastName = pick(random, LAST_NAMES);
  const place = pick(random, CITIES);
  const dateAdded = referenceTime - Math.floor(random() * TWO_YEARS_MS);
  const dateUpdated = Math.min(
    referenceTime,
    dateAdded + Math.floor(random() * random() * (referenceTime - dateAdded)),
  );
  const tagCount = intBetween(random, 0, 3);
  const tags: string[] = [];
  for (let t = 0; t < tagCount; t += 1) {
    const tag = pick(random, TAGS);
    if (!tags.includes(tag)) tags.push(tag);
  }
  const customFields: CustomFieldRecord[] = [];
  const choices = customFieldChoices(location);
  for (const options of choices) {
    if (random() < 0.6) customFields.push(pick(random, options));
  }
  const business = random() < 0.35 ? pick(random, location.businesses) : undefined;
  const hasEmail = random() < 0.95;
  const hasPhone = random() < 0.93;
  return {
    id: firebaseId(random),
    locationId: location.id,
    firstName,
    lastName,
    email: hasEmail
      ? `${EMAIL_NAMES.get(firstName) ?? 'contact'}.${EMAIL_NAMES.get(lastName) ?? 'contact'}${index + 1}@${pick(random, EMAIL_DOMAINS)}`
      : undefined,
    phone: hasPhone ? `+1${place.area}${uniqueLine(index, salt)}` : undefined,
    companyName: business?.name,
    businessId: business?.id,
    address1: `${intBetween(random, 100, 9899)} ${pick(random, STREET_NAMES)} ${pick(random, STREET_SUFFIXES)}`,
    city: place.city,
    state: place.state,
    postalCode: place.zip + (TWO_DIGITS[intBetween(random, 1, 99)] ?? '01'),
    country: 'US',
    timezone: place.timezone,
    website: business ? websiteOf(business.name) : undefined,
    dnd: random() < 0.04,
    type: pick(random, CONTACT_TYPES),
    source: pick(random, SOURCES),
    assignedTo: random() < 0.7 ? pick(random, location.userIds) : undefined,
    tags,
    customFields,
    dateAdded,
    dateUpdated,
    // Below 2^30: a small integer V8 stores inline, not one more heap number per contact.
    childSeed: Math.floor(random() * 1073741824),
  };
}

/** Tasks, notes and appointments of a seeded contact: the same every time for the same contact. */
export function seedChildren(contact: ContactRecord, location: LocationRecord, referenceTime: number): ContactChildren {
  if (contact.childSeed === null) return { tasks: [], notes: [], appointments: [] };
  const random = mulberry32(contact.childSeed);
  const span = Math.max(DAY_MS, referenceTime - contact.dateAdded);
  const tasks: TaskRecord[] = [];
  const taskCount = intBetween(random, 0, 5);
  for (let index = 0; index < taskCount; index += 1) {
    const dateAdded = contact.dateAdded + Math.floor(random() * span);
    tasks.push({
      id: firebaseId(random),
      contactId: contact.id,
      title: pick(random, TASK_TITLES),
      body: random() < 0.7 ? `Re ${contact.firstName ?? 'contact'}: ${pick(random, NOTE_BODIES)}` : undefined,
      assignedTo: random() < 0.8 ? pick(random, location.userIds) : undefined,
      dueDate: new Date(dateAdded + intBetween(random, 1, 21) * DAY_MS).toISOString(),
      completed: random() < 0.45,
      dateAdded,
    });
  }
  const notes: NoteRecord[] = [];
  const noteCount = intBetween(random, 0, 5);
  for (let index = 0; index < noteCount; index += 1) {
    notes.push({
      id: firebaseId(random),
      contactId: contact.id,
      body: pick(random, NOTE_BODIES),
      userId: pick(random, location.userIds),
      pinned: random() < 0.1,
      dateAdded: contact.dateAdded + Math.floor(random() * span),
    });
  }
  const appointments: AppointmentRecord[] = [];
  const appointmentCount = intBetween(random, 0, 3);
  for (let index = 0; index < appointmentCount; index += 1) {
    const dateAdded = contact.dateAdded + Math.floor(random() * span);
    // On the hour between 8:00 and 17:00 UTC-ish; an hour long.
    const day = Math.floor((dateAdded + intBetween(random, 1, 30) * DAY_MS) / DAY_MS) * DAY_MS;
    const startTime = day + intBetween(random, 13, 22) * 3_600_000;
    const status = pick(random, APPOINTMENT_STATUSES);
    appointments.push({
      id: firebaseId(random),
      contactId: contact.id,
      locationId: location.id,
      calendarId: pick(random, location.calendarIds),
      title: `${pick(random, APPOINTMENT_TITLES)} - ${contact.firstName ?? ''} ${contact.lastName ?? ''}`.trim(),
      status: status === 'cancelled' ? 'cancelled' : 'booked',
      appointmentStatus: status,
      assignedUserId: pick(random, location.userIds),
      notes: random() < 0.5 ? pick(random, NOTE_BODIES) : undefined,
      address: contact.address1 ? `${contact.address1}, ${contact.city ?? ''}` : undefined,
      startTime,
      endTime: startTime + 3_600_000,
      dateAdded,
      dateUpdated: dateAdded,
    });
  }
  return { tasks, notes, appointments };
}
