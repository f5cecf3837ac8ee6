/**
 * zod schemas of the HighLevel responses we parse. Objects are loose (GHL adds fields without
 * notice); only the fields we map are checked, and they are nullish where reality has them
 * missing or null (the OpenAPI marks almost nothing required). Schema and type share a name.
 */
import { z } from 'zod';

import { GhlContractError } from './errors.js';

const text = z.string().nullish();

const CustomFieldDto = z.looseObject({
  id: z.string(),
  value: z.unknown().optional(),
});
type CustomFieldDto = z.infer<typeof CustomFieldDto>;

export const ContactDto = z.looseObject({
  id: z.string().min(1),
  locationId: text,
  name: text,
  contactName: text,
  firstName: text,
  lastName: text,
  email: text,
  phone: text,
  companyName: text,
  address1: text,
  city: text,
  state: text,
  postalCode: text,
  country: text,
  website: text,
  timezone: text,
  tags: z.array(z.string()).nullish(),
  source: text,
  type: text,
  dnd: z.boolean().nullish(),
  assignedTo: text,
  businessId: text,
  customFields: z.array(CustomFieldDto).nullish(),
  dateAdded: text,
  dateUpdated: text,
});
export type ContactDto = z.infer<typeof ContactDto>;

/** The cursor GHL attaches to each search hit: sort values then the id tiebreak. */
const SearchAfterDto = z.array(z.union([z.string(), z.number()]));
type SearchAfterDto = z.infer<typeof SearchAfterDto>;

export const SearchedContactDto = ContactDto.extend({ searchAfter: SearchAfterDto.nullish() });
export type SearchedContactDto = z.infer<typeof SearchedContactDto>;

export const ContactEnvelopeDto = z.looseObject({ contact: ContactDto });
export type ContactEnvelopeDto = z.infer<typeof ContactEnvelopeDto>;

export const UpsertContactResponseDto = z.looseObject({ contact: ContactDto, new: z.boolean().nullish() });
export type UpsertContactResponseDto = z.infer<typeof UpsertContactResponseDto>;

export const SearchContactsResponseDto = z.looseObject({
  contacts: z.array(SearchedContactDto),
  total: z.number().int().min(0),
});
export type SearchContactsResponseDto = z.infer<typeof SearchContactsResponseDto>;

const ListContactsMetaDto = z.looseObject({
  total: z.number().nullish(),
  startAfter: z.number().nullish(),
  startAfterId: text,
  nextPage: z.number().nullish(),
});
type ListContactsMetaDto = z.infer<typeof ListContactsMetaDto>;

export const ListContactsResponseDto = z.looseObject({
  contacts: z.array(ContactDto),
  count: z.number().nullish(),
  meta: ListContactsMetaDto.nullish(),
});
export type ListContactsResponseDto = z.infer<typeof ListContactsResponseDto>;

export const BusinessContactsResponseDto = z.looseObject({
  contacts: z.array(ContactDto),
  count: z.number().nullish(),
});
export type BusinessContactsResponseDto = z.infer<typeof BusinessContactsResponseDto>;

export const TagsResponseDto = z.looseObject({ tags: z.array(z.string()) });
export type TagsResponseDto = z.infer<typeof TagsResponseDto>;

/** GET /contacts/{id}/tasks says `id`; the location task search is Mongo-shaped and may say `_id`. */
export const TaskDto = z
  .looseObject({
    id: z.string().min(1).optional(),
    _id: z.string().min(1).optional(),
    title: text,
    body: text,
    dueDate: text,
    completed: z.boolean().nullish(),
    assignedTo: text,
    contactId: text,
  })
  .refine((task) => task.id !== undefined || task._id !== undefined, {
    message: 'a task needs id or _id',
    path: ['id'],
  });
export type TaskDto = z.infer<typeof TaskDto>;

export const TaskEnvelopeDto = z.looseObject({ task: TaskDto });
export type TaskEnvelopeDto = z.infer<typeof TaskEnvelopeDto>;

export const TasksResponseDto = z.looseObject({ tasks: z.array(TaskDto) });
export type TasksResponseDto = z.infer<typeof TasksResponseDto>;

export const NoteDto = z.looseObject({
  id: z.string().min(1),
  body: text,
  title: text,
  userId: text,
  contactId: text,
  pinned: z.boolean().nullish(),
  color: text,
  dateAdded: text,
});
export type NoteDto = z.infer<typeof NoteDto>;

export const NoteEnvelopeDto = z.looseObject({ note: NoteDto });
export type NoteEnvelopeDto = z.infer<typeof NoteEnvelopeDto>;

export const NotesResponseDto = z.looseObject({ notes: z.array(NoteDto) });
export type NotesResponseDto = z.infer<typeof NotesResponseDto>;

export const AppointmentDto = z.looseObject({
  id: z.string().min(1),
  calendarId: text,
  contactId: text,
  title: text,
  status: text,
  appointmentStatus: text,
  startTime: text,
  endTime: text,
  address: text,
  assignedUserId: text,
  notes: text,
  dateAdded: text,
  dateUpdated: text,
});
export type AppointmentDto = z.infer<typeof AppointmentDto>;

export const AppointmentsResponseDto = z.looseObject({ events: z.array(AppointmentDto) });
export type AppointmentsResponseDto = z.infer<typeof AppointmentsResponseDto>;

/** Deletes answer `{ "succeded": true }` (sic); the status code is what we trust. */
export const DeleteResponseDto = z.looseObject({ succeded: z.boolean().nullish() });
export type DeleteResponseDto = z.infer<typeof DeleteResponseDto>;

/** `{statusCode, message, error?}`; for 422 `message` is an array of strings. */
export const ErrorBodyDto = z.looseObject({
  statusCode: z.number().nullish(),
  message: z.union([z.string(), z.array(z.string())]).nullish(),
  error: z.string().nullish(),
});
export type ErrorBodyDto = z.infer<typeof ErrorBodyDto>;

/** Parses a response body, turning a mismatch into a GhlContractError naming the first bad field. */
export function parseResponse<T>(schema: z.ZodType<T>, body: unknown, endpoint: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue === undefined ? '' : issue.path.map(String).join('.');
  throw new GhlContractError(endpoint, path, issue?.message ?? 'unexpected shape');
}
