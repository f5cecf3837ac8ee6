/**
 * What the shared cache evicts when the gateway itself changed a HighLevel record (a mutation).
 * The shape matches the write path's EntityChange (src/graphql/write-path.ts) structurally, so
 * the composition root wires `onEntityChanged: (change) => invalidateForEntityChange(cache, change)`
 * without the cache importing the GraphQL layer.
 */
import type { InvalidationReport } from './invalidation.js';
import type { SharedCache } from './shared-cache.js';

export type CacheEntityChange =
  | { kind: 'contact'; change: 'created' | 'updated' | 'deleted'; locationId: string; contactId: string }
  | {
      kind: 'task' | 'note';
      change: 'created' | 'updated' | 'deleted';
      locationId: string;
      contactId: string;
      id: string;
    }
  | { kind: 'appointment'; change: 'created' | 'updated' | 'deleted'; locationId: string; contactId: string };

export type Invalidator = Pick<
  SharedCache,
  'invalidateContact' | 'invalidateTask' | 'invalidateNote' | 'invalidateAppointments'
>;

export function invalidateForEntityChange(cache: Invalidator, change: CacheEntityChange): Promise<InvalidationReport> {
  switch (change.kind) {
    case 'contact':
      // Also bumps the search generation: a created, renamed or deleted contact changes result lists.
      return cache.invalidateContact(change.locationId, change.contactId);
    case 'task':
      return cache.invalidateTask(change.locationId, change.contactId, change.id);
    case 'note':
      return cache.invalidateNote(change.locationId, change.contactId, change.id);
    case 'appointment':
      return cache.invalidateAppointments(change.locationId, change.contactId);
  }
}
