/**
 * Maps a HighLevel webhook event to the cache entries it makes stale (docs/ghl-facts.md:
 * webhooks). The webhook route calls `invalidateForGhlEvent(cache, body)` after verifying the
 * signature; the body is checked here with zod (a trust boundary), and an event that names no
 * cached entity (INSTALL, UNINSTALL, unknown types, missing ids) evicts nothing and answers null.
 *
 *   ContactCreate / ContactUpdate / ContactDelete / ContactTagUpdate / ContactDndUpdate
 *                      → invalidateContact(locationId, id) (and the location's searches)
 *   each per-contact list's `changedBy` types (src/entities/contact-lists.ts: Task*, Note*,
 *   Appointment*, Opportunity*…) → that list of the event's contact (and the item, where cached by id)
 */
import { z } from 'zod';
import { CONTACT_LISTS } from '../entities/contact-lists.js';
import { invalidateForEntityChange, type CacheEntityChange, type Invalidator } from './change-invalidation.js';
import type { InvalidationReport } from './invalidation.js';

const id = z.string().min(1);

const CONTACT_EVENTS = ['ContactCreate', 'ContactUpdate', 'ContactDelete', 'ContactTagUpdate', 'ContactDndUpdate'];

const GhlCacheEventSchema = z.looseObject({ type: z.string(), locationId: id });

function changeOf(type: string): 'created' | 'updated' | 'deleted' {
  if (type.endsWith('Create')) return 'created';
  if (type.endsWith('Delete')) return 'deleted';
  return 'updated';
}

/** The cache change a webhook event stands for, or null when it touches nothing cached. */
export function changeOfGhlEvent(event: unknown): CacheEntityChange | null {
  const parsed = GhlCacheEventSchema.safeParse(event);
  if (!parsed.success) return null;
  const data = parsed.data;
  if (CONTACT_EVENTS.includes(data.type)) {
    const contactId = id.safeParse(data['id']);
    return contactId.success
      ? { kind: 'contact', change: changeOf(data.type), locationId: data.locationId, contactId: contactId.data }
      : null;
  }
  const list = CONTACT_LISTS.find((candidate) => candidate.changedBy.types.includes(data.type));
  if (list === undefined) return null;
  const contactId = list.changedBy.contactIdOf(data);
  if (contactId === undefined) return null;
  const itemId = list.changedBy.itemIdOf?.(data);
  return {
    kind: list.item,
    change: changeOf(data.type),
    locationId: data.locationId,
    contactId,
    ...(itemId === undefined ? {} : { id: itemId }),
  };
}

/** Evicts what the event changed; null when it names nothing cached. */
export async function invalidateForGhlEvent(cache: Invalidator, event: unknown): Promise<InvalidationReport | null> {
  const change = changeOfGhlEvent(event);
  return change === null ? null : invalidateForEntityChange(cache, change);
}
