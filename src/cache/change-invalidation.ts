/**
 * What the shared cache evicts when a HighLevel record changed: a mutation of the gateway's own
 * (the write path's EntityChange, src/graphql/write-path.ts, matches this shape structurally, so
 * the composition root wires `onEntityChanged: (change) => invalidateForEntityChange(cache, change)`
 * without the cache importing the GraphQL layer) or a webhook (webhook-invalidation.ts).
 * An item of a per-contact list names its kind (task, note, appointment, opportunity…: the
 * descriptors' `item`), so a new list is evicted without a change here.
 */
import { CONTACT_LISTS, type ContactListItemKind } from '../entities/contact-lists.js';
import type { InvalidationReport } from './invalidation.js';
import type { SharedCache } from './shared-cache.js';

type Change = 'created' | 'updated' | 'deleted';

export type CacheEntityChange =
  | { kind: 'contact'; change: Change; locationId: string; contactId: string }
  | { kind: ContactListItemKind; change: Change; locationId: string; contactId: string; id?: string };

export type Invalidator = Pick<SharedCache, 'invalidateContact' | 'invalidateList'>;

export function invalidateForEntityChange(cache: Invalidator, change: CacheEntityChange): Promise<InvalidationReport> {
  // Also bumps the search generation: a created, renamed or deleted contact changes result lists.
  if (change.kind === 'contact') return cache.invalidateContact(change.locationId, change.contactId);
  const list = CONTACT_LISTS.find((candidate) => candidate.item === change.kind);
  if (list === undefined) throw new Error(`no per-contact list holds ${change.kind}s`);
  return cache.invalidateList(change.locationId, change.contactId, list, 'id' in change ? change.id : undefined);
}
