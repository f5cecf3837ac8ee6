/**
 * Contact routes: the deprecated list with startAfter cursors, by-business list with skip,
 * CRUD and upsert. Statuses and wrappers per docs/ghl-facts.md: create 201 `{contact}`, upsert 200
 * `{new, contact}`, update 200 `{succeded, contact}`, delete `{succeded: true}` (sic).
 */
import type { ContactRecord } from '../model.js';
import type { ContactPatch } from '../store.js';
import { badRequest, MESSAGES, unprocessable } from '../errors.js';
import type { RouteContext, RouteDefinition, RouteResult } from '../router.js';
import { VERSION_CONTACTS } from '../router.js';
import { indexAfter } from '../search.js';
import type { SortValue } from '../search.js';
import { CreateContactBody, parseBody, UpdateContactBody, UpsertContactBody } from '../validation.js';
import { contactEventPayload, contactName, contactView } from '../views.js';
import { intQuery, requireContact, requireOwnLocation, tokenLocation } from './access.js';

const READ = 'contacts.readonly';
const WRITE = 'contacts.write';
const versions = [VERSION_CONTACTS];

function toPatch(body: UpdateContactBody): ContactPatch {
  const { dndSettings: _dnd, inboundDndSettings: _inbound, ...fields } = body;
  return fields;
}

function duplicateError(contact: ContactRecord, field: 'email' | 'phone'): never {
  throw badRequest(MESSAGES.duplicate, {
    meta: { contactId: contact.id, contactName: contactName(contact) ?? '', matchingField: field },
  });
}

function publishContact(context: RouteContext, type: string, contact: ContactRecord): void {
  void context.services.webhooks.publish(contactEventPayload(type, contact));
}

/** ContactUpdate always; ContactTagUpdate when the tags changed and ContactDndUpdate when DND did, as GHL sends them. */
function updateAndPublish(context: RouteContext, existing: ContactRecord, patch: ContactPatch): ContactRecord {
  const tagsBefore = existing.tags.join('\n');
  const dndBefore = existing.dnd;
  const contact = context.services.store.updateContact(existing, patch);
  publishContact(context, 'ContactUpdate', contact);
  if (contact.tags.join('\n') !== tagsBefore) publishContact(context, 'ContactTagUpdate', contact);
  if (contact.dnd !== dndBefore) publishContact(context, 'ContactDndUpdate', contact);
  return contact;
}

function listContacts(context: RouteContext): RouteResult {
  const locationId = requireOwnLocation(context, context.query.get('locationId'));
  const limit = intQuery(context, 'limit', 20, 100) || 20;
  const startAfterRaw = context.query.get('startAfter');
  const startAfterId = context.query.get('startAfterId');
  const query = context.query.get('query') ?? undefined;
  const startAfter = startAfterRaw === null || startAfterRaw === '' ? null : Number(startAfterRaw);
  if (startAfter !== null && !Number.isFinite(startAfter))
    throw unprocessable(['startAfter must be a number conforming to the specified constraints']);
  // Oldest first by dateAdded, id breaking ties: the cursor (startAfter, startAfterId) is a total order.
  const view = context.services.views.sorted(locationId, { query, sort: [{ field: 'dateAdded', direction: 'asc' }] });
  const cursor: SortValue[] | null = startAfter === null ? null : [startAfter, startAfterId ?? ''];
  const start = cursor === null ? 0 : indexAfter(view, cursor);
  const page = view.records.slice(start, start + limit);
  const last = page[page.length - 1];
  const hasMore = start + page.length < view.records.length;
  const currentPage = Math.floor(start / limit) + 1;
  const nextUrl = new URL('/contacts/', context.baseUrl);
  nextUrl.searchParams.set('locationId', locationId);
  nextUrl.searchParams.set('limit', String(limit));
  if (query) nextUrl.searchParams.set('query', query);
  if (last) {
    nextUrl.searchParams.set('startAfter', String(last.dateAdded));
    nextUrl.searchParams.set('startAfterId', last.id);
  }
  return {
    status: 200,
    body: {
      contacts: page.map(contactView),
      count: view.records.length,
      meta: {
        total: view.records.length,
        nextPageUrl: hasMore && last ? nextUrl.toString() : null,
        startAfter: last ? last.dateAdded : null,
        startAfterId: last ? last.id : null,
        currentPage,
        nextPage: hasMore ? currentPage + 1 : null,
        prevPage: currentPage > 1 ? currentPage - 1 : null,
      },
    },
  };
}

function listBusinessContacts(context: RouteContext): RouteResult {
  const locationId = requireOwnLocation(context, context.query.get('locationId'));
  const businessId = context.params.businessId ?? '';
  const limit = intQuery(context, 'limit', 25, 100) || 25;
  const skip = intQuery(context, 'skip', 0);
  const view = context.services.views.sorted(locationId, {
    query: context.query.get('query') ?? undefined,
    sort: [{ field: 'dateAdded', direction: 'asc' }],
    scope: { key: `business:${businessId}`, predicate: (contact) => contact.businessId === businessId },
  });
  return {
    status: 200,
    body: { contacts: view.records.slice(skip, skip + limit).map(contactView), count: view.records.length },
  };
}

function createContact(context: RouteContext): RouteResult {
  const body = parseBody(CreateContactBody, context.body);
  const locationId = requireOwnLocation(context, body.locationId);
  const { store } = context.services;
  const location = store.requireLocation(locationId).record;
  if (!location.allowDuplicateContacts) {
    const duplicate = store.findDuplicate(locationId, body.email, body.phone);
    if (duplicate) duplicateError(duplicate.contact, duplicate.field);
  }
  const { locationId: _location, gender: _gender, ...fields } = body;
  const contact = store.createContact(locationId, toPatch(fields));
  publishContact(context, 'ContactCreate', contact);
  return { status: 201, body: { contact: contactView(contact) } };
}

function upsertContact(context: RouteContext): RouteResult {
  const body = parseBody(UpsertContactBody, context.body);
  const locationId = requireOwnLocation(context, body.locationId);
  const { store } = context.services;
  const location = store.requireLocation(locationId).record;
  const { locationId: _location, gender: _gender, createNewIfDuplicateAllowed, ...fields } = body;
  const skipMatching = createNewIfDuplicateAllowed === true && location.allowDuplicateContacts;
  const existing = skipMatching ? undefined : store.findDuplicate(locationId, body.email, body.phone);
  if (existing) {
    const contact = updateAndPublish(context, existing.contact, toPatch(fields));
    return {
      status: 200,
      body: { new: false, contact: contactView(contact), traceId: context.services.store.newId() },
    };
  }
  const contact = store.createContact(locationId, toPatch(fields));
  publishContact(context, 'ContactCreate', contact);
  return { status: 200, body: { new: true, contact: contactView(contact), traceId: context.services.store.newId() } };
}

function getContact(context: RouteContext): RouteResult {
  return { status: 200, body: { contact: contactView(requireContact(context, context.params.contactId)) } };
}

function updateContact(context: RouteContext): RouteResult {
  const body = parseBody(UpdateContactBody, context.body);
  const existing = requireContact(context, context.params.contactId);
  const { store } = context.services;
  const location = store.requireLocation(tokenLocation(context)).record;
  if (!location.allowDuplicateContacts) {
    const duplicate = store.findDuplicate(location.id, body.email, body.phone, existing.id);
    if (duplicate) duplicateError(duplicate.contact, duplicate.field);
  }
  const contact = updateAndPublish(context, existing, toPatch(body));
  return { status: 200, body: { succeded: true, contact: contactView(contact) } };
}

function deleteContact(context: RouteContext): RouteResult {
  const contact = requireContact(context, context.params.contactId);
  context.services.store.deleteContact(contact);
  publishContact(context, 'ContactDelete', contact);
  return { status: 200, body: { succeded: true } };
}

export const contactRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    template: '/contacts/',
    versions,
    auth: 'location',
    scope: READ,
    body: 'none',
    handle: listContacts,
  },
  {
    method: 'POST',
    template: '/contacts/',
    versions,
    auth: 'location',
    scope: WRITE,
    body: 'json',
    handle: createContact,
  },
  {
    method: 'POST',
    template: '/contacts/upsert',
    versions,
    auth: 'location',
    scope: WRITE,
    body: 'json',
    handle: upsertContact,
  },
  {
    method: 'GET',
    template: '/contacts/business/{businessId}',
    versions,
    auth: 'location',
    scope: READ,
    body: 'none',
    handle: listBusinessContacts,
  },
  {
    method: 'GET',
    template: '/contacts/{contactId}',
    versions,
    auth: 'location',
    scope: READ,
    body: 'none',
    handle: getContact,
  },
  {
    method: 'PUT',
    template: '/contacts/{contactId}',
    versions,
    auth: 'location',
    scope: WRITE,
    body: 'json',
    handle: updateContact,
  },
  {
    method: 'DELETE',
    template: '/contacts/{contactId}',
    versions,
    auth: 'location',
    scope: WRITE,
    body: 'none',
    handle: deleteContact,
  },
];
