/**
 * The one place GHL DTOs become domain types (docs/style.md rule 2). GHL omits empty fields rather
 * than sending null, so every optional field lands as null; tags and custom fields as [].
 */
import type { Appointment, Contact, Note, SearchedContact, Task } from '../domain/types.js';
import type { AppointmentDto, ContactDto, NoteDto, SearchedContactDto, TaskDto } from './schemas.js';

function orNull(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : value;
}

function displayName(dto: ContactDto): string | null {
  const explicit = orNull(dto.name) ?? orNull(dto.contactName);
  if (explicit !== null) return explicit;
  const joined = [dto.firstName, dto.lastName]
    .filter((part) => part !== undefined && part !== null && part !== '')
    .join(' ');
  return joined === '' ? null : joined;
}

/** `locationId` is the location we asked; GHL's search hits do not always echo it. */
export function toContact(dto: ContactDto, locationId: string): Contact {
  return {
    id: dto.id,
    locationId: orNull(dto.locationId) ?? locationId,
    name: displayName(dto),
    firstName: orNull(dto.firstName),
    lastName: orNull(dto.lastName),
    email: orNull(dto.email),
    phone: orNull(dto.phone),
    companyName: orNull(dto.companyName),
    address: {
      line1: orNull(dto.address1),
      city: orNull(dto.city),
      state: orNull(dto.state),
      postalCode: orNull(dto.postalCode),
      country: orNull(dto.country),
    },
    website: orNull(dto.website),
    timezone: orNull(dto.timezone),
    tags: dto.tags ?? [],
    source: orNull(dto.source),
    type: orNull(dto.type),
    dnd: dto.dnd ?? false,
    assignedTo: orNull(dto.assignedTo),
    businessId: orNull(dto.businessId),
    customFields: (dto.customFields ?? []).map((field) => ({ id: field.id, value: field.value ?? null })),
    dateAdded: orNull(dto.dateAdded),
    dateUpdated: orNull(dto.dateUpdated),
  };
}

export function toSearchedContact(dto: SearchedContactDto, locationId: string): SearchedContact {
  return { contact: toContact(dto, locationId), searchAfter: dto.searchAfter ?? null };
}

/** `contactId` is the contact of the path, for task lists that do not repeat it. */
export function toTask(dto: TaskDto, contactId: string | null): Task {
  // The schema refines that one of id / _id is present.
  const id = dto.id ?? dto._id ?? '';
  return {
    id,
    contactId: orNull(dto.contactId) ?? contactId ?? '',
    title: dto.title ?? '',
    body: orNull(dto.body),
    dueDate: orNull(dto.dueDate),
    completed: dto.completed ?? false,
    assignedTo: orNull(dto.assignedTo),
  };
}

export function toNote(dto: NoteDto, contactId: string): Note {
  return {
    id: dto.id,
    contactId: orNull(dto.contactId) ?? contactId,
    body: dto.body ?? '',
    title: orNull(dto.title),
    userId: orNull(dto.userId),
    pinned: dto.pinned ?? false,
    color: orNull(dto.color),
    dateAdded: orNull(dto.dateAdded),
  };
}

/** Times are kept as GHL sends them ("2021-07-16 11:00:00" has no zone; converting would guess). */
export function toAppointment(dto: AppointmentDto, contactId: string): Appointment {
  return {
    id: dto.id,
    calendarId: orNull(dto.calendarId),
    contactId: orNull(dto.contactId) ?? contactId,
    title: orNull(dto.title),
    status: orNull(dto.status),
    appointmentStatus: orNull(dto.appointmentStatus),
    startTime: orNull(dto.startTime),
    endTime: orNull(dto.endTime),
    address: orNull(dto.address),
    assignedUserId: orNull(dto.assignedUserId),
    notes: orNull(dto.notes),
    dateAdded: orNull(dto.dateAdded),
    dateUpdated: orNull(dto.dateUpdated),
  };
}
