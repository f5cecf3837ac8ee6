/**
 * Every per-contact list the gateway serves, each described once (contact-list.ts). Adding a
 * list: its descriptor here (or in a file of its own, as opportunities.ts), the field in the
 * schema with its @cost, a mapper in codegen.ts; loaders, cache, resolvers, admission and
 * invalidation follow from this registry.
 */
import type { Appointment, Note, Task } from '../domain/types.js';
import { GHL_SCOPES } from '../domain/types.js';
import { APPOINTMENTS_OF_CONTACT, NOTES_OF_CONTACT, TASKS_OF_CONTACT } from '../ghl/contact-list-endpoints.js';
import { stringAt, type ContactListDescriptor } from './contact-list.js';
import { OPPORTUNITIES } from './opportunities.js';

const TWO_MINUTES = 2 * 60_000;

/**
 * `limit` of each task search page. GHL defaults to 25 and documents no maximum (unverified):
 * the read pages with `skip` until a page comes back short, so a lower server cap still reads everything.
 */
export const TASK_SEARCH_PAGE_SIZE = 500;

export const TASKS: ContactListDescriptor<'tasks', 'task', Task> = {
  field: 'tasks',
  item: 'task',
  cacheEntity: 'tasksOfContact',
  defaultTtlMs: TWO_MINUTES,
  endpoint: TASKS_OF_CONTACT,
  batched: {
    endpoint: 'POST /locations/{locationId}/tasks/search',
    scope: GHL_SCOPES.tasksSearch,
    // The body is a plain id list; kept equal to a contacts page chunk.
    contactsPerCall: 100,
    async read(ghl, locationId, contactIds, options) {
      const tasks: Task[] = [];
      for (let skip = 0; ; skip += TASK_SEARCH_PAGE_SIZE) {
        const page = await ghl.searchTasks(
          locationId,
          { contactIds: [...contactIds], limit: TASK_SEARCH_PAGE_SIZE, skip },
          options,
        );
        tasks.push(...page);
        if (page.length < TASK_SEARCH_PAGE_SIZE) return tasks;
      }
    },
  },
  itemCacheEntity: 'task',
  changedBy: {
    types: ['TaskCreate', 'TaskUpdate', 'TaskComplete', 'TaskDelete'],
    contactIdOf: (event) => stringAt(event, 'contactId'),
    itemIdOf: (event) => stringAt(event, 'id'),
  },
};

export const NOTES: ContactListDescriptor<'notes', 'note', Note> = {
  field: 'notes',
  item: 'note',
  cacheEntity: 'notesOfContact',
  defaultTtlMs: TWO_MINUTES,
  endpoint: NOTES_OF_CONTACT,
  itemCacheEntity: 'note',
  changedBy: {
    types: ['NoteCreate', 'NoteUpdate', 'NoteDelete'],
    contactIdOf: (event) => stringAt(event, 'contactId'),
    itemIdOf: (event) => stringAt(event, 'id'),
  },
};

const APPOINTMENTS: ContactListDescriptor<'appointments', 'appointment', Appointment> = {
  field: 'appointments',
  item: 'appointment',
  cacheEntity: 'appointmentsOfContact',
  defaultTtlMs: TWO_MINUTES,
  endpoint: APPOINTMENTS_OF_CONTACT,
  changedBy: {
    types: ['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete'],
    // docs/ghl-facts.md: appointment webhooks nest the event under `appointment`.
    contactIdOf: (event) => stringAt(event, 'appointment', 'contactId'),
  },
};

export const CONTACT_LISTS = [TASKS, NOTES, APPOINTMENTS, OPPORTUNITIES] as const;

export type AnyContactList = (typeof CONTACT_LISTS)[number];
export type ContactListName = AnyContactList['field'];
export type ContactListItemKind = AnyContactList['item'];
export type ContactListCacheEntity = AnyContactList['cacheEntity'];
/** The domain type of one item of the list called `Name`. */
export type ItemOf<Name extends ContactListName> =
  Extract<AnyContactList, { field: Name }> extends ContactListDescriptor<Name, string, infer V> ? V : never;

export function contactList<Name extends ContactListName>(name: Name): Extract<AnyContactList, { field: Name }> {
  const found = CONTACT_LISTS.find((list) => list.field === name);
  if (found === undefined) throw new Error(`no per-contact list is called ${name}`);
  return found as Extract<AnyContactList, { field: Name }>;
}
