/**
 * What the gateway writes to HighLevel: the request bodies of contact, task and note writes in
 * GHL's field names. Plain data in the domain layer, so the pure mapping engine can produce it;
 * src/ghl/ghl-api.ts re-exports it for the client.
 */

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
