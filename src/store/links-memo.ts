/**
 * A LinksRepo that remembers its findByGhl answers, for the writes of one contact in a row (its
 * customer, job, tasks and notes): every write of a child re-reads the contact's job link and its
 * own link several times (push, then the executor), which was ~30 lookups per contact in a batch
 * sync. Short-lived by design: a link changed meanwhile by another writer is seen as stale for
 * the few milliseconds the memo lives, no longer than between a read and a write without it.
 * Writes go through and drop what they may change: an upsert may still be rolled back (a shared
 * commit, group-commit.ts), so its result is read again rather than remembered.
 */
import type { Link, LinksRepo } from './links-repo.js';

export function memoizedLinks(links: LinksRepo): LinksRepo {
  const known = new Map<string, Promise<Link | null>>();
  const keyOf = (key: { locationId: string; ghlKind: string; ghlId: string; roofrKind: string }): string =>
    `${key.locationId}\u0000${key.ghlKind}\u0000${key.ghlId}\u0000${key.roofrKind}`;

  return {
    findByGhl(key) {
      const memoKey = keyOf(key);
      let found = known.get(memoKey);
      if (found === undefined) {
        found = links.findByGhl(key);
        known.set(memoKey, found);
        // A failed read is not remembered.
        found.catch(() => known.delete(memoKey));
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
    listForRoofr: (locationId, roofrKind, roofrId) => links.listForRoofr(locationId, roofrKind, roofrId),
    list: (locationId, page) => links.list(locationId, page),
    activeGhlIds: (locationId, ghlKind, page) => links.activeGhlIds(locationId, ghlKind, page),
    locationsLinking: (record) => links.locationsLinking(record),
  };
}
