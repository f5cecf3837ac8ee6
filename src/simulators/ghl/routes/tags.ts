/**
 * Tags: POST adds (201), DELETE with a JSON body removes (200); both answer the resulting
 * list `{tags}` and publish ContactTagUpdate.
 */
import type { RouteContext, RouteDefinition, RouteResult } from '../router.js';
import { VERSION_CONTACTS } from '../router.js';
import { uniqueTags } from '../store.js';
import { parseBody, TagsBody } from '../validation.js';
import { contactEventPayload } from '../views.js';
import { requireContact } from './access.js';

function changeTags(context: RouteContext, mode: 'add' | 'remove'): RouteResult {
  const body = parseBody(TagsBody, context.body);
  const contact = requireContact(context, context.params.contactId);
  const changed = uniqueTags(body.tags);
  const before = contact.tags.join('\n');
  contact.tags =
    mode === 'add' ? uniqueTags([...contact.tags, ...changed]) : contact.tags.filter((tag) => !changed.includes(tag));
  if (contact.tags.join('\n') !== before) {
    context.services.store.touch(contact);
    void context.services.webhooks.publish(contactEventPayload('ContactTagUpdate', contact));
  }
  return { status: mode === 'add' ? 201 : 200, body: { tags: [...contact.tags] } };
}

export const tagRoutes: RouteDefinition[] = [
  {
    method: 'POST',
    template: '/contacts/{contactId}/tags',
    versions: [VERSION_CONTACTS],
    auth: 'location',
    scope: 'contacts.write',
    body: 'json',
    handle: (context) => changeTags(context, 'add'),
  },
  {
    method: 'DELETE',
    template: '/contacts/{contactId}/tags',
    versions: [VERSION_CONTACTS],
    auth: 'location',
    scope: 'contacts.write',
    body: 'json',
    handle: (context) => changeTags(context, 'remove'),
  },
];
