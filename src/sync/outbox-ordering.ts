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

/** Answers hasPendingWrite for a set of entities read together; see pendingWritesOf. */
export interface PendingWrites {
  has(entityKey: string): Promise<boolean>;
  /** This caller just queued a write of the entity. */
  queued(entityKey: string): void;
}

/**
 * hasPendingWrite for the records of one contact, read in one query (`primed`: their entity
 * keys, read at the first question) instead of once per write; other keys are asked one by one. A write this caller
 * queues meanwhile is added, so its later writes of that entity still queue behind it. Meant to
 * live as long as one contact's writes in a row, like the links memo (links-memo.ts): a write
 * another process queues meanwhile is seen by the next contact, as a write queued between a
 * check and the direct write always was.
 */
export function pendingWritesOf(db: Kysely<Database>, primed: readonly string[]): PendingWrites {
  const queuedHere = new Set<string>();
  const primedKeys = new Set(primed);
  // Read at the first question: a contact found unchanged writes nothing and asks nothing.
  let read: Promise<Set<string | null>> | null = null;
  const pendingOfPrimed = (): Promise<Set<string | null>> => {
    read ??= db
      .selectFrom('outbox')
      .select('entity_key')
      .distinct()
      .where('entity_key', 'in', [...primedKeys])
      .where('status', 'in', ['pending', 'in_flight'])
      .execute()
      .then((rows) => new Set(rows.map((row) => row.entity_key)));
    // A failed read is asked again by the next question.
    read.catch(() => (read = null));
    return read;
  };
  return {
    async has(entityKey) {
      if (queuedHere.has(entityKey)) return true;
      if (!primedKeys.has(entityKey)) return hasPendingWrite(db, entityKey);
      return (await pendingOfPrimed()).has(entityKey);
    },
    queued(entityKey) {
      queuedHere.add(entityKey);
    },
  };
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
