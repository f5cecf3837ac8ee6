/**
 * Domain types: what the GraphQL schema maps to and what the cache stores.
 * Plain, JSON-serialisable data (dates as ISO-8601 strings) so a cached value reads back
 * exactly as it was written, whichever keyv store holds it.
 */

export interface Address {
  line1: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
}

export interface CustomFieldValue {
  id: string;
  value: unknown;
}

export interface Contact {
  id: string;
  locationId: string;
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  companyName: string | null;
  address: Address;
  website: string | null;
  timezone: string | null;
  tags: string[];
  source: string | null;
  type: string | null;
  dnd: boolean;
  assignedTo: string | null;
  businessId: string | null;
  customFields: CustomFieldValue[];
  dateAdded: string | null;
  dateUpdated: string | null;
}

export interface Task {
  id: string;
  contactId: string;
  title: string;
  body: string | null;
  dueDate: string | null;
  completed: boolean;
  assignedTo: string | null;
}

export interface Note {
  id: string;
  contactId: string;
  body: string;
  title: string | null;
  userId: string | null;
  pinned: boolean;
  color: string | null;
  dateAdded: string | null;
}

export interface Appointment {
  id: string;
  calendarId: string | null;
  contactId: string;
  title: string | null;
  status: string | null;
  appointmentStatus: string | null;
  startTime: string | null;
  endTime: string | null;
  address: string | null;
  assignedUserId: string | null;
  notes: string | null;
  dateAdded: string | null;
  dateUpdated: string | null;
}

/** A deal in one of the location's pipelines, read from HighLevel's Opportunities API. */
export interface Opportunity {
  id: string;
  contactId: string;
  name: string | null;
  /** open, won, lost or abandoned. */
  status: string | null;
  monetaryValue: number | null;
  pipelineId: string | null;
  pipelineStageId: string | null;
  assignedTo: string | null;
  source: string | null;
  lastStatusChangeAt: string | null;
  lastStageChangeAt: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

/** A contact as returned by POST /contacts/search, with the cursor of the next page. */
export interface SearchedContact {
  contact: Contact;
  searchAfter: Array<string | number> | null;
}

/** Scopes a GHL token may hold; only those the product uses are named. */
export const GHL_SCOPES = {
  contactsRead: 'contacts.readonly',
  contactsWrite: 'contacts.write',
  tasksSearch: 'locations/tasks.readonly',
  calendarEventsRead: 'calendars/events.readonly',
  opportunitiesRead: 'opportunities.readonly',
} as const;
