/**
 * The simulator's stored records. Dates are epoch milliseconds (cheap to sort and compare);
 * views turn them into GHL's ISO strings. Absent values are `undefined` because GHL omits
 * fields it has no value for rather than sending null.
 */

export interface CustomFieldRecord {
  id: string;
  value: unknown;
}

export interface ContactRecord {
  id: string;
  locationId: string;
  firstName?: string;
  lastName?: string;
  /** Set when the writer sent `name` without first/last names. */
  name?: string;
  email?: string;
  phone?: string;
  companyName?: string;
  address1?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  website?: string;
  timezone?: string;
  dnd: boolean;
  type: string;
  source?: string;
  assignedTo?: string;
  businessId?: string;
  tags: string[];
  customFields: CustomFieldRecord[];
  dateOfBirth?: string;
  dateAdded: number;
  dateUpdated: number;
  /** Seed of the lazily generated tasks, notes and appointments; null for contacts made over the API. */
  childSeed: number | null;
}

export interface TaskRecord {
  id: string;
  contactId: string;
  title: string;
  body?: string;
  assignedTo?: string;
  dueDate: string;
  completed: boolean;
  dateAdded: number;
}

export interface NoteRecord {
  id: string;
  contactId: string;
  body: string;
  userId?: string;
  title?: string;
  color?: string;
  pinned: boolean;
  dateAdded: number;
}

export interface AppointmentRecord {
  id: string;
  contactId: string;
  locationId: string;
  calendarId: string;
  title: string;
  status: string;
  appointmentStatus: string;
  assignedUserId: string;
  notes?: string;
  address?: string;
  startTime: number;
  endTime: number;
  dateAdded: number;
  dateUpdated: number;
}

export interface ContactChildren {
  tasks: TaskRecord[];
  notes: NoteRecord[];
  appointments: AppointmentRecord[];
}

export interface LocationRecord {
  id: string;
  companyId: string;
  name: string;
  allowDuplicateContacts: boolean;
  /** Users tasks and appointments are assigned to (20-char ids). */
  userIds: string[];
  calendarIds: string[];
  businesses: Array<{ id: string; name: string }>;
  customFieldIds: string[];
}
