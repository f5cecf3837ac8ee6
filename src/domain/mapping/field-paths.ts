/**
 * The field paths a mapping file may name, per entity, and how to read or write them. GHL paths
 * follow the domain types (src/domain/types.ts); writable ones are those HighLevel's write bodies
 * accept (ContactWrite, TaskWrite, NoteWrite in src/ghl/ghl-api.ts). Roofr paths follow
 * src/roofr/types.ts. `customFields.<id>` and `custom_fields.<key>` name one custom field.
 */

export type MappedEntity = 'customer' | 'job' | 'task' | 'note' | 'appointment';
export type GhlEntity = 'contact' | 'task' | 'note' | 'appointment';

/** Which GHL record each mapping section reads, and which Roofr record it fills. */
export const SECTION_SOURCES: Record<MappedEntity, { ghl: GhlEntity; roofr: 'customer' | 'job' | 'task' | 'note' }> = {
  customer: { ghl: 'contact', roofr: 'customer' },
  job: { ghl: 'contact', roofr: 'job' },
  task: { ghl: 'task', roofr: 'task' },
  note: { ghl: 'note', roofr: 'note' },
  appointment: { ghl: 'appointment', roofr: 'task' },
};

const ADDRESS_PARTS = ['street', 'city', 'state', 'postal_code', 'country'];

const ROOFR_FIELDS: Record<'customer' | 'job' | 'task' | 'note', readonly string[]> = {
  customer: [
    'first_name',
    'last_name',
    'email',
    'phone',
    'company_name',
    ...ADDRESS_PARTS.map((part) => `address.${part}`),
  ],
  // external_ref is not mappable: the engine sets it to the GHL record it mirrors.
  job: [
    'name',
    'workflow_stage',
    'lead_source',
    'tags',
    'assignees',
    ...ADDRESS_PARTS.map((part) => `address.${part}`),
  ],
  task: ['title', 'description', 'status', 'assignee', 'due_at'],
  note: ['body', 'author', 'created_at'],
};

/** Roofr entities with `custom_fields`. */
const ROOFR_CUSTOM_FIELDS = new Set(['customer', 'job']);

/** GHL contact paths → the ContactWrite key that writes them (null: read-only). */
const CONTACT_FIELDS: Record<string, string | null> = {
  id: null,
  locationId: null,
  name: 'name',
  firstName: 'firstName',
  lastName: 'lastName',
  email: 'email',
  phone: 'phone',
  companyName: 'companyName',
  'address.line1': 'address1',
  'address.city': 'city',
  'address.state': 'state',
  'address.postalCode': 'postalCode',
  'address.country': 'country',
  website: 'website',
  timezone: 'timezone',
  tags: 'tags',
  source: 'source',
  type: null,
  dnd: 'dnd',
  assignedTo: 'assignedTo',
  businessId: null,
  dateAdded: null,
  dateUpdated: null,
};

const TASK_FIELDS: Record<string, string | null> = {
  id: null,
  contactId: null,
  title: 'title',
  body: 'body',
  dueDate: 'dueDate',
  completed: 'completed',
  assignedTo: 'assignedTo',
};

const NOTE_FIELDS: Record<string, string | null> = {
  id: null,
  contactId: null,
  body: 'body',
  title: null,
  userId: 'userId',
  pinned: null,
  color: null,
  dateAdded: null,
};

// The gateway writes no appointments: every appointment field is read-only.
const APPOINTMENT_FIELDS: Record<string, string | null> = Object.fromEntries(
  [
    'id',
    'calendarId',
    'contactId',
    'title',
    'status',
    'appointmentStatus',
    'startTime',
    'endTime',
    'address',
    'assignedUserId',
    'notes',
    'dateAdded',
    'dateUpdated',
  ].map((field) => [field, null]),
);

const GHL_FIELDS: Record<GhlEntity, Record<string, string | null>> = {
  contact: CONTACT_FIELDS,
  task: TASK_FIELDS,
  note: NOTE_FIELDS,
  appointment: APPOINTMENT_FIELDS,
};

const CUSTOM_FIELD_PREFIX = 'customFields.';
const ROOFR_CUSTOM_PREFIX = 'custom_fields.';

type PathCheck = { ok: true; writable: boolean } | { ok: false; reason: string };

export function checkGhlPath(entity: GhlEntity, path: string): PathCheck {
  if (entity === 'contact' && path.startsWith(CUSTOM_FIELD_PREFIX)) {
    return path.length > CUSTOM_FIELD_PREFIX.length
      ? { ok: true, writable: true }
      : { ok: false, reason: 'name the custom field id after "customFields."' };
  }
  const fields = GHL_FIELDS[entity];
  if (!(path in fields))
    return {
      ok: false,
      reason: `unknown HighLevel ${entity} field "${path}"; known: ${Object.keys(fields).join(', ')}${entity === 'contact' ? ', customFields.<id>' : ''}`,
    };
  return { ok: true, writable: fields[path] !== null };
}

export function checkRoofrPath(entity: 'customer' | 'job' | 'task' | 'note', path: string): PathCheck {
  if (ROOFR_CUSTOM_FIELDS.has(entity) && path.startsWith(ROOFR_CUSTOM_PREFIX)) {
    return path.length > ROOFR_CUSTOM_PREFIX.length
      ? { ok: true, writable: true }
      : { ok: false, reason: 'name the custom field key after "custom_fields."' };
  }
  if (!ROOFR_FIELDS[entity].includes(path)) {
    return {
      ok: false,
      reason: `unknown Roofr ${entity} field "${path}"; known: ${ROOFR_FIELDS[entity].join(', ')}${ROOFR_CUSTOM_FIELDS.has(entity) ? ', custom_fields.<key>' : ''}`,
    };
  }
  return { ok: true, writable: true };
}

/** The key a GHL path is written under, e.g. "address.line1" → "address1" (contact). */
export function ghlWriteKey(entity: GhlEntity, path: string): string | null {
  if (entity === 'contact' && path.startsWith(CUSTOM_FIELD_PREFIX)) return path;
  return GHL_FIELDS[entity][path] ?? null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a GHL domain record's field; `customFields.<id>` looks the id up in the list. */
export function readGhl(record: object, path: string): unknown {
  if (path.startsWith(CUSTOM_FIELD_PREFIX)) {
    const id = path.slice(CUSTOM_FIELD_PREFIX.length);
    const list: unknown = (record as { customFields?: unknown }).customFields;
    if (!Array.isArray(list)) return undefined;
    const found: unknown = list.find((item: unknown) => isRecord(item) && item.id === id);
    return isRecord(found) ? (found.value ?? null) : null;
  }
  return readDotted(record, path);
}

export function readDotted(record: object, path: string): unknown {
  let current: unknown = record;
  for (const part of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[part];
  }
  return current;
}

/** Writes `value` at a dotted path, creating objects on the way. */
export function writeDotted(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let current = target;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (!isRecord(next)) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts[parts.length - 1] ?? path] = value;
}
