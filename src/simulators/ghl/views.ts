/**
 * Records → GHL's JSON shapes. GHL omits fields it has no value for (rather than sending
 * null), and derives the *LowerCase fields it also indexes on; both are reproduced here.
 */
import type { AppointmentRecord, ContactRecord, NoteRecord, TaskRecord } from './model.js';

export type Json = Record<string, unknown>;

function put(target: Json, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

export function contactName(contact: ContactRecord): string | undefined {
  const full = [contact.firstName, contact.lastName].filter((part) => part !== undefined && part !== '').join(' ');
  return full === '' ? contact.name : full;
}

export function contactView(contact: ContactRecord): Json {
  const view: Json = { id: contact.id, locationId: contact.locationId };
  const name = contactName(contact);
  put(view, 'name', name);
  put(view, 'firstName', contact.firstName);
  put(view, 'lastName', contact.lastName);
  put(view, 'firstNameLowerCase', contact.firstName?.toLowerCase());
  put(view, 'lastNameLowerCase', contact.lastName?.toLowerCase());
  put(view, 'fullNameLowerCase', name?.toLowerCase());
  put(view, 'email', contact.email);
  put(view, 'emailLowerCase', contact.email?.toLowerCase());
  put(view, 'phone', contact.phone);
  put(view, 'companyName', contact.companyName);
  put(view, 'address1', contact.address1);
  put(view, 'city', contact.city);
  put(view, 'state', contact.state);
  put(view, 'postalCode', contact.postalCode);
  put(view, 'country', contact.country);
  put(view, 'website', contact.website);
  put(view, 'timezone', contact.timezone);
  view.dnd = contact.dnd;
  view.type = contact.type;
  put(view, 'source', contact.source);
  put(view, 'assignedTo', contact.assignedTo);
  put(view, 'businessId', contact.businessId);
  put(view, 'dateOfBirth', contact.dateOfBirth);
  view.tags = [...contact.tags];
  view.customFields = contact.customFields.map((field) => ({ id: field.id, value: field.value }));
  view.dateAdded = new Date(contact.dateAdded).toISOString();
  view.dateUpdated = new Date(contact.dateUpdated).toISOString();
  return view;
}

export function taskView(task: TaskRecord): Json {
  const view: Json = { id: task.id, title: task.title };
  put(view, 'body', task.body);
  put(view, 'assignedTo', task.assignedTo);
  view.dueDate = task.dueDate;
  view.completed = task.completed;
  view.contactId = task.contactId;
  return view;
}

export function noteView(note: NoteRecord): Json {
  const view: Json = { id: note.id, body: note.body };
  put(view, 'userId', note.userId);
  view.dateAdded = new Date(note.dateAdded).toISOString();
  view.contactId = note.contactId;
  put(view, 'title', note.title);
  put(view, 'color', note.color);
  view.pinned = note.pinned;
  return view;
}

export function appointmentView(appointment: AppointmentRecord): Json {
  const view: Json = {
    id: appointment.id,
    calendarId: appointment.calendarId,
    status: appointment.status,
    title: appointment.title,
    assignedUserId: appointment.assignedUserId,
  };
  put(view, 'notes', appointment.notes);
  view.startTime = new Date(appointment.startTime).toISOString();
  view.endTime = new Date(appointment.endTime).toISOString();
  put(view, 'address', appointment.address);
  view.locationId = appointment.locationId;
  view.contactId = appointment.contactId;
  view.appointmentStatus = appointment.appointmentStatus;
  view.users = [appointment.assignedUserId];
  view.dateAdded = new Date(appointment.dateAdded).toISOString();
  view.dateUpdated = new Date(appointment.dateUpdated).toISOString();
  return view;
}

/** Webhook payloads: the REST view plus the event's envelope fields (see webhooks/*.example.json). */
export function contactEventPayload(type: string, contact: ContactRecord): Json {
  const view = contactView(contact);
  const payload: Json = { type, locationId: contact.locationId, id: contact.id };
  for (const key of [
    'address1',
    'city',
    'state',
    'companyName',
    'country',
    'source',
    'dateAdded',
    'dateOfBirth',
    'dnd',
    'email',
    'name',
    'firstName',
    'lastName',
    'phone',
    'postalCode',
    'tags',
    'website',
    'assignedTo',
    'customFields',
  ]) {
    put(payload, key, view[key]);
  }
  payload.attachments = [];
  return payload;
}

export function taskEventPayload(type: string, locationId: string, task: TaskRecord): Json {
  const payload: Json = { type, locationId, id: task.id };
  put(payload, 'assignedTo', task.assignedTo);
  put(payload, 'body', task.body);
  payload.contactId = task.contactId;
  payload.title = task.title;
  payload.dateAdded = new Date(task.dateAdded).toISOString();
  payload.dueDate = task.dueDate;
  return payload;
}

export function noteEventPayload(type: string, locationId: string, note: NoteRecord): Json {
  return {
    type,
    locationId,
    id: note.id,
    body: note.body,
    contactId: note.contactId,
    dateAdded: new Date(note.dateAdded).toISOString(),
  };
}
