/** GET /contacts/{contactId}/appointments → `{events}` (contacts spec, Version 2021-07-28, scope contacts.readonly). */
import type { RouteContext, RouteDefinition, RouteResult } from '../router.js';
import { VERSION_CONTACTS } from '../router.js';
import { appointmentView } from '../views.js';
import { requireContact } from './access.js';

function listAppointments(context: RouteContext): RouteResult {
  const contact = requireContact(context, context.params.contactId);
  return { status: 200, body: { events: context.services.store.children(contact).appointments.map(appointmentView) } };
}

export const appointmentRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    template: '/contacts/{contactId}/appointments',
    versions: [VERSION_CONTACTS],
    auth: 'location',
    scope: 'contacts.readonly',
    body: 'none',
    handle: listAppointments,
  },
];
