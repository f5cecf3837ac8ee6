/**
 * Keeps writes to one GHL entity in order across the direct path and the outbox. Every
 * idempotency key of an entity starts with the same prefix (entityKeyPrefix), so:
 * - a mutation does not write directly while an older write of the entity waits in the outbox
 *   (it queues behind it instead, or the older one would later overwrite it);
 * - a queued write is superseded, and completed without writing, when a newer write of the same
 *   entity is queued or delivered (each write carries the entity's whole mapped state).
 * Read-only queries over the outbox table through the store's shared handle.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

function byPrefix(prefix: string) {
  return sql<boolean>`substr(idempotency_key, 1, ${prefix.length}) = ${prefix}`;
}

export async function hasPendingWrite(db: Kysely<Database>, prefix: string): Promise<boolean> {
  const row = await db.selectFrom('outbox').select('id').where('status', 'in', ['pending', 'in_flight']).where(byPrefix(prefix)).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function hasNewerWrite(db: Kysely<Database>, prefix: string, id: number): Promise<boolean> {
  const row = await db.selectFrom('outbox').select('id').where('id', '>', id).where('status', 'in', ['pending', 'in_flight', 'done']).where(byPrefix(prefix)).limit(1).executeTakeFirst();
  return row !== undefined;
}
