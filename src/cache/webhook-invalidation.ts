/**
 * Maps a HighLevel webhook event to the cache entries it makes stale (docs/ghl-facts.md: webhooks). The
 * webhook route calls `invalidateForGhlEvent(cache, body)` after verifying the signature; the
 * body is parsed here with zod (a trust boundary), and an event that names no cached entity
 * (INSTALL, UNINSTALL, unknown types, missing ids) evicts nothing and answers null.
 *
 *   ContactCreate / ContactUpdate / ContactDelete / ContactTagUpdate / ContactDndUpdate
 *                      → invalidateContact(locationId, id) (and the location's searches)
 *   TaskCreate / TaskUpdate / TaskComplete / TaskDelete → invalidateTask(locationId, contactId, id)
 *   NoteCreate / NoteUpdate / NoteDelete               → invalidateNote(locationId, contactId, id)
 *   AppointmentCreate / AppointmentUpdate / AppointmentDelete
 *                      → invalidateAppointments(locationId, appointment.contactId)
 */
import { z } from 'zod';
import { invalidateForEntityChange, type CacheEntityChange, type Invalidator } from './change-invalidation.js';
import type { InvalidationReport } from './invalidation.js';

const id = z.string().min(1);

export const GhlCacheEventSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.enum(['ContactCreate', 'ContactUpdate', 'ContactDelete', 'ContactTagUpdate', 'ContactDndUpdate']),
    locationId: id,
    id,
  }),
  z.looseObject({
    type: z.enum(['TaskCreate', 'TaskUpdate', 'TaskComplete', 'TaskDelete']),
    locationId: id,
    id,
    contactId: id,
  }),
  z.looseObject({ type: z.enum(['NoteCreate', 'NoteUpdate', 'NoteDelete']), locationId: id, id, contactId: id }),
  z.looseObject({
    type: z.enum(['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete']),
    locationId: id,
    appointment: z.looseObject({ contactId: id }),
  }),
]);
export type GhlCacheEvent = z.infer<typeof GhlCacheEventSchema>;

/** The cache change a webhook event stands for, or null when it touches nothing cached. */
export function changeOfGhlEvent(event: unknown): CacheEntityChange | null {
  const parsed = GhlCacheEventSchema.safeParse(event);
  if (!parsed.success) return null;
  const data = parsed.data;
  switch (data.type) {
    case 'ContactCreate':
      return { kind: 'contact', change: 'created', locationId: data.locationId, contactId: data.id };
    case 'ContactDelete':
      return { kind: 'contact', change: 'deleted', locationId: data.locationId, contactId: data.id };
    case 'ContactUpdate':
    case 'ContactTagUpdate':
    case 'ContactDndUpdate':
      return { kind: 'contact', change: 'updated', locationId: data.locationId, contactId: data.id };
    case 'TaskCreate':
    case 'TaskUpdate':
    case 'TaskComplete':
    case 'TaskDelete':
      return {
        kind: 'task',
        change: changeOf(data.type),
        locationId: data.locationId,
        contactId: data.contactId,
        id: data.id,
      };
    case 'NoteCreate':
    case 'NoteUpdate':
    case 'NoteDelete':
      return {
        kind: 'note',
        change: changeOf(data.type),
        locationId: data.locationId,
        contactId: data.contactId,
        id: data.id,
      };
    case 'AppointmentCreate':
    case 'AppointmentUpdate':
    case 'AppointmentDelete':
      return {
        kind: 'appointment',
        change: changeOf(data.type),
        locationId: data.locationId,
        contactId: data.appointment.contactId,
      };
  }
}

function changeOf(type: string): 'created' | 'updated' | 'deleted' {
  if (type.endsWith('Create')) return 'created';
  if (type.endsWith('Delete')) return 'deleted';
  return 'updated';
}

/** Evicts what the event changed; null when it names nothing cached. */
export async function invalidateForGhlEvent(cache: Invalidator, event: unknown): Promise<InvalidationReport | null> {
  const change = changeOfGhlEvent(event);
  return change === null ? null : invalidateForEntityChange(cache, change);
}
