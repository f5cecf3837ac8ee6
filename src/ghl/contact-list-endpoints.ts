/**
 * The per-contact lists HighLevel's Contacts API serves, as generic reads (ContactListEndpoint):
 * the client's listTasks / listNotes / listAppointments and the entity descriptors
 * (src/entities) both read through these, so an endpoint and its parsing exist once.
 */
import type { Appointment, Note, Task } from '../domain/types.js';
import type { ContactListEndpoint } from './ghl-api.js';
import { AppointmentsResponseDto, NotesResponseDto, parseResponse, TasksResponseDto } from './schemas.js';
import { ENDPOINTS } from './spec.js';
import { toAppointment, toNote, toTask } from './to-domain.js';

const ofContact = (_locationId: string, contactId: string) => ({ contactId });

export const TASKS_OF_CONTACT: ContactListEndpoint<Task> = {
  spec: ENDPOINTS.listTasks,
  pathParams: ofContact,
  parse: (body, endpoint, { contactId }) =>
    parseResponse(TasksResponseDto, body, endpoint).tasks.map((task) => toTask(task, contactId)),
};

export const NOTES_OF_CONTACT: ContactListEndpoint<Note> = {
  spec: ENDPOINTS.listNotes,
  pathParams: ofContact,
  parse: (body, endpoint, { contactId }) =>
    parseResponse(NotesResponseDto, body, endpoint).notes.map((note) => toNote(note, contactId)),
};

export const APPOINTMENTS_OF_CONTACT: ContactListEndpoint<Appointment> = {
  spec: ENDPOINTS.listAppointments,
  pathParams: ofContact,
  parse: (body, endpoint, { contactId }) =>
    parseResponse(AppointmentsResponseDto, body, endpoint).events.map((event) => toAppointment(event, contactId)),
};
