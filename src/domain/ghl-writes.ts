/**
 * What the gateway writes to HighLevel: the request bodies of contact, task and note writes in
 * GHL's field names. Plain data in the domain layer, so the pure mapping engine can produce it;
 * src/ghl/ghl-api.ts re-exports it for the client.
 */
import type { Contact } from './types.js';

export interface ContactWrite {
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
  tags?: string[];
  source?: string | null;
  assignedTo?: string | null;
  customFields?: Array<{ id: string; field_value: unknown }>;
}

export interface TaskWrite {
  title?: string;
  body?: string | null;
  dueDate?: string;
  completed?: boolean;
  assignedTo?: string | null;
}

export interface NoteWrite {
  body: string;
  userId?: string;
}

/**
 * The contact as HighLevel holds it once `write` is applied (fields the write leaves out stay;
 * custom fields are replaced one by one). What a verify expects Roofr to hold after it repairs
 * the HighLevel side: derived Roofr fields (a job's name from the first and last name) follow.
 */
export function applyContactWrite(contact: Contact, write: ContactWrite): Contact {
  const pick = <T>(value: T | undefined, current: T): T => (value === undefined ? current : value);
  const customFields = contact.customFields.map((field) => ({ ...field }));
  for (const custom of write.customFields ?? []) {
    const existing = customFields.find((field) => field.id === custom.id);
    if (existing) existing.value = custom.field_value;
    else customFields.push({ id: custom.id, value: custom.field_value });
  }
  return {
    ...contact,
    firstName: pick(write.firstName, contact.firstName),
    lastName: pick(write.lastName, contact.lastName),
    name: pick(write.name, contact.name),
    email: pick(write.email, contact.email),
    phone: pick(write.phone, contact.phone),
    companyName: pick(write.companyName, contact.companyName),
    website: pick(write.website, contact.website),
    timezone: pick(write.timezone, contact.timezone),
    dnd: pick(write.dnd, contact.dnd),
    tags: pick(write.tags, contact.tags),
    source: pick(write.source, contact.source),
    assignedTo: pick(write.assignedTo, contact.assignedTo),
    address: {
      line1: pick(write.address1, contact.address.line1),
      city: pick(write.city, contact.address.city),
      state: pick(write.state, contact.address.state),
      postalCode: pick(write.postalCode, contact.address.postalCode),
      country: pick(write.country, contact.address.country),
    },
    customFields,
  };
}
