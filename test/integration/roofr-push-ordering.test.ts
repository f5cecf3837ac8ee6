/**
 * The outbox ordering queries (one entity's writes in order across the direct path and the
 * outbox) on every store backend: SQLite always, PostgreSQL when DATABASE_URL_PG is set. Also
 * the pending writes of one contact's records read together (pendingWritesOf).
 */
import type { Store } from '../../src/store/open-store.js';
import { hasNewerWrite, hasPendingWrite, pendingWritesOf } from '../../src/sync/outbox-ordering.js';
import { storeBackends } from './store-backends.js';

for (const backend of storeBackends()) {
  backend.describe(`outbox ordering queries (${backend.name})`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await (await backend.createDatabase()).open();
    });

    afterEach(async () => {
      await backend.cleanup();
    });

    test('when an entity has a pending write, then it is seen by its own entity key only (no LIKE wildcards: "_" is literal)', async () => {
      await store.outbox.enqueue({
        locationId: 'L1',
        kind: 'contact.upsert',
        payload: {},
        idempotencyKey: 'g2r:L1:contact:c_1:contact.upsert:aaa',
        entityKey: 'g2r:L1:contact:c_1:',
      });
      expect(await hasPendingWrite(store.db, 'g2r:L1:contact:c_1:')).toBe(true);
      expect(await hasPendingWrite(store.db, 'g2r:L1:contact:cx1:')).toBe(false);
      expect(await hasPendingWrite(store.db, 'g2r:L1:contact:c_10:')).toBe(false);
    });

    test('when a newer write of the entity exists (pending or done), then the older is superseded; a dead newer one does not count', async () => {
      const older = await store.outbox.enqueue({
        locationId: 'L1',
        kind: 'contact.upsert',
        payload: {},
        idempotencyKey: 'g2r:L1:contact:c2:contact.upsert:old',
        entityKey: 'g2r:L1:contact:c2:',
      });
      expect(await hasNewerWrite(store.db, 'g2r:L1:contact:c2:', older.entry.id)).toBe(false);
      const newer = await store.outbox.enqueue({
        locationId: 'L1',
        kind: 'contact.upsert',
        payload: {},
        idempotencyKey: 'g2r:L1:contact:c2:contact.upsert:new',
        entityKey: 'g2r:L1:contact:c2:',
      });
      expect(await hasNewerWrite(store.db, 'g2r:L1:contact:c2:', older.entry.id)).toBe(true);
      expect(await hasNewerWrite(store.db, 'g2r:L1:contact:c2:', newer.entry.id)).toBe(false);

      const claimed = await store.outbox.claimDue('owner', 10, 60_000);
      expect(claimed.map((entry) => entry.id)).toContain(newer.entry.id);
      await store.outbox.fail(newer.entry.id, 'refused', new Date(), { owner: 'owner', permanent: true });
      expect((await store.outbox.get(newer.entry.id))?.status).toBe('dead');
      expect(await hasNewerWrite(store.db, 'g2r:L1:contact:c2:', older.entry.id)).toBe(false);
    });

    test("when a contact's records are read together, then each answers as hasPendingWrite would, and a write queued by the caller counts at once", async () => {
      await store.outbox.enqueue({
        locationId: 'L1',
        kind: 'note.upsert',
        payload: {},
        idempotencyKey: 'g2r:L1:note:n1:note.upsert:aaa',
        entityKey: 'g2r:L1:note:n1:',
      });
      const keys = ['g2r:L1:contact:c1:', 'g2r:L1:task:t1:', 'g2r:L1:note:n1:'];
      const pending = pendingWritesOf(store.db, keys);
      expect(await Promise.all(keys.map((key) => pending.has(key)))).toEqual([false, false, true]);
      pending.queued('g2r:L1:task:t1:');
      expect(await pending.has('g2r:L1:task:t1:')).toBe(true);
      // Not among the records read together: asked on its own.
      await store.outbox.enqueue({
        locationId: 'L1',
        kind: 'contact.upsert',
        payload: {},
        idempotencyKey: 'g2r:L1:contact:c9:contact.upsert:bbb',
        entityKey: 'g2r:L1:contact:c9:',
      });
      expect(await pending.has('g2r:L1:contact:c9:')).toBe(true);
    });
  });
}
