/**
 * Keeps writes to one GHL entity in order across the direct path and the outbox. Every write of
 * an entity is queued with the same entity key (entityKeyPrefix, an indexed outbox column), so:
 * - a mutation does not write directly while an older write of the entity waits in the outbox
 *   (it queues behind it instead, or the older one would later overwrite it);
 * - a queued write is superseded, and completed without writing, when a newer write of the same
 *   entity is queued or delivered (each write carries the entity's whole mapped state).
 * Read-only queries over the outbox table through the store's shared handle.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export async function hasPendingWrite(db: Kysely<Database>, entityKey: string): Promise<boolean> {
  const row = await db
    .selectFrom('outbox')
    .select('id')
    .where('entity_key', '=', entityKey)
    .where('status', 'in', ['pending', 'in_flight'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function hasNewerWrite(db: Kysely<Database>, entityKey: string, id: number): Promise<boolean> {
  const row = await db
    .selectFrom('outbox')
    .select('id')
    .where('entity_key', '=', entityKey)
    .where('id', '>', id)
    .where('status', 'in', ['pending', 'in_flight', 'done'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
