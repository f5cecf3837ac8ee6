/**
 * A LinksRepo that remembers its findByGhl answers, for the writes of one contact in a row (its
 * customer, job, tasks and notes): every write of a child re-reads the contact's job link and its
 * own link several times (push, then the executor), which was ~30 lookups per contact in a batch
 * sync. Short-lived by design: a link changed meanwhile by another writer is seen as stale for
 * the few milliseconds the memo lives, no longer than between a read and a write without it.
 * Writes go through and drop what they may change: an upsert may still be rolled back (a shared
 * commit, group-commit.ts), so its result is read again rather than remembered.
 *
 * Given the records the writes are about (`prime`: the contact, its tasks, notes, appointments),
 * their links are read at once in one query, and every lookup of one of them is answered from it
 * (a link, or none): one statement instead of one per record, on a state database the batch
 * runs of many locations share.
 */
import type { Link, LinksRepo } from './links-repo.js';
import type { GhlEntityKind, RoofrEntityKind } from './schema.js';

/** The records whose links a memo reads up front. */
export interface LinksToPrime {
  locationId: string;
  entities: ReadonlyArray<{ kind: GhlEntityKind; id: string }>;
}

const ROOFR_KINDS: readonly RoofrEntityKind[] = ['customer', 'job', 'job_task', 'job_note'];

export function memoizedLinks(links: LinksRepo, prime?: LinksToPrime): LinksRepo {
  const known = new Map<string, Promise<Link | null>>();
  const keyOf = (key: { locationId: string; ghlKind: string; ghlId: string; roofrKind: string }): string =>
    `${key.locationId}\u0000${key.ghlKind}\u0000${key.ghlId}\u0000${key.roofrKind}`;
  const remember = (memoKey: string, found: Promise<Link | null>): void => {
    known.set(memoKey, found);
    // A failed read is not remembered (and a primed answer nobody asks for rejects unobserved).
    found.catch(() => {
      if (known.get(memoKey) === found) known.delete(memoKey);
    });
  };

  if (prime !== undefined && prime.entities.length > 0) {
    const { locationId } = prime;
    const read = links.listForGhlEntities(locationId, prime.entities);
    for (const { kind, id } of prime.entities)
      for (const roofrKind of ROOFR_KINDS) {
        const memoKey = keyOf({ locationId, ghlKind: kind, ghlId: id, roofrKind });
        remember(
          memoKey,
          read.then(
            (rows) =>
              rows.find((link) => link.ghlKind === kind && link.ghlId === id && link.roofrKind === roofrKind) ?? null,
          ),
        );
      }
  }

  return {
    findByGhl(key) {
      const memoKey = keyOf(key);
      let found = known.get(memoKey);
      if (found === undefined) {
        found = links.findByGhl(key);
        remember(memoKey, found);
      }
      return found;
    },
    async upsert(input, trx) {
      known.delete(keyOf(input));
      try {
        return await links.upsert(input, trx);
      } finally {
        known.delete(keyOf(input));
      }
    },
    async markDeleted(id, trx) {
      known.clear();
      try {
        return await links.markDeleted(id, trx);
      } finally {
        known.clear();
      }
    },
    findByRoofr: (key) => links.findByRoofr(key),
    listForGhl: (locationId, ghlKind, ghlId) => links.listForGhl(locationId, ghlKind, ghlId),
    listForGhlEntities: (locationId, entities) => links.listForGhlEntities(locationId, entities),
    listForRoofr: (locationId, roofrKind, roofrId) => links.listForRoofr(locationId, roofrKind, roofrId),
    list: (locationId, page) => links.list(locationId, page),
    activeGhlIds: (locationId, ghlKind, page) => links.activeGhlIds(locationId, ghlKind, page),
    locationsLinking: (record) => links.locationsLinking(record),
  };
}
