/** Notes of a contact (path parameter `id`, as in the spec; no paging). Create answers 201 `{note}`. */
import type { NoteRecord } from '../model.js';
import { noteNotFound } from '../errors.js';
import type { RouteContext, RouteDefinition, RouteResult } from '../router.js';
import { VERSION_CONTACTS } from '../router.js';
import { CreateNoteBody, parseBody, UpdateNoteBody } from '../validation.js';
import { noteEventPayload, noteView } from '../views.js';
import { requireContact } from './access.js';

const versions = [VERSION_CONTACTS];

function findNote(
  context: RouteContext,
  forWrite: boolean,
): { notes: NoteRecord[]; note: NoteRecord; locationId: string } {
  const contact = requireContact(context, context.params.contactId);
  const { store } = context.services;
  const notes = (forWrite ? store.mutableChildren(contact) : store.children(contact)).notes;
  const noteId = context.params.id ?? '';
  const note = notes.find((candidate) => candidate.id === noteId);
  if (!note) throw noteNotFound(noteId);
  return { notes, note, locationId: contact.locationId };
}

function publish(context: RouteContext, type: string, locationId: string, note: NoteRecord): void {
  void context.services.webhooks.publish(noteEventPayload(type, locationId, note));
}

function listNotes(context: RouteContext): RouteResult {
  const contact = requireContact(context, context.params.contactId);
  return { status: 200, body: { notes: context.services.store.children(contact).notes.map(noteView) } };
}

function getNote(context: RouteContext): RouteResult {
  return { status: 200, body: { note: noteView(findNote(context, false).note) } };
}

function createNote(context: RouteContext): RouteResult {
  const body = parseBody(CreateNoteBody, context.body);
  const contact = requireContact(context, context.params.contactId);
  const { store } = context.services;
  const note: NoteRecord = {
    id: store.newId(),
    contactId: contact.id,
    body: body.body,
    userId: body.userId,
    title: body.title,
    color: body.color,
    pinned: body.pinned ?? false,
    dateAdded: store.now(),
  };
  store.mutableChildren(contact).notes.push(note);
  publish(context, 'NoteCreate', contact.locationId, note);
  return { status: 201, body: { note: noteView(note) } };
}

function updateNote(context: RouteContext): RouteResult {
  const body = parseBody(UpdateNoteBody, context.body);
  const { note, locationId } = findNote(context, true);
  if (body.body !== undefined) note.body = body.body;
  if (body.userId !== undefined) note.userId = body.userId;
  if (body.title !== undefined) note.title = body.title;
  if (body.color !== undefined) note.color = body.color;
  if (body.pinned !== undefined) note.pinned = body.pinned;
  publish(context, 'NoteUpdate', locationId, note);
  return { status: 200, body: { note: noteView(note) } };
}

function deleteNote(context: RouteContext): RouteResult {
  const { notes, note, locationId } = findNote(context, true);
  notes.splice(notes.indexOf(note), 1);
  publish(context, 'NoteDelete', locationId, note);
  return { status: 200, body: { succeded: true } };
}

export const noteRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    template: '/contacts/{contactId}/notes',
    versions,
    auth: 'location',
    scope: 'contacts.readonly',
    body: 'none',
    handle: listNotes,
  },
  {
    method: 'POST',
    template: '/contacts/{contactId}/notes',
    versions,
    auth: 'location',
    scope: 'contacts.write',
    body: 'json',
    handle: createNote,
  },
  {
    method: 'GET',
    template: '/contacts/{contactId}/notes/{id}',
    versions,
    auth: 'location',
    scope: 'contacts.readonly',
    body: 'none',
    handle: getNote,
  },
  {
    method: 'PUT',
    template: '/contacts/{contactId}/notes/{id}',
    versions,
    auth: 'location',
    scope: 'contacts.write',
    body: 'json',
    handle: updateNote,
  },
  {
    method: 'DELETE',
    template: '/contacts/{contactId}/notes/{id}',
    versions,
    auth: 'location',
    scope: 'contacts.write',
    body: 'none',
    handle: deleteNote,
  },
];
