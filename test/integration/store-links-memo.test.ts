/**
 * The links memo of one contact's writes (src/store/links-memo.ts) on every store backend: primed
 * with the contact's records, it answers their lookups from one read (a link, deleted ones too,
 * or none) and reads again what an upsert changed; records it was not primed with are read one
 * by one. The repository under it counts the reads it serves.
 */
import { memoizedLinks } from '../../src/store/links-memo.js';
import type { LinksRepo } from '../../src/store/links-repo.js';
import type { Store } from '../../src/store/open-store.js';
import { storeBackends } from './store-backends.js';

function counting(links: LinksRepo): { repo: LinksRepo; reads: { one: number; many: number } } {
  const reads = { one: 0, many: 0 };
  return {
    reads,
    repo: {
      ...links,
      findByGhl(key) {
        reads.one += 1;
        return links.findByGhl(key);
      },
      listForGhlEntities(locationId, entities) {
        reads.many += 1;
        return links.listForGhlEntities(locationId, entities);
      },
    },
  };
}

for (const backend of storeBackends()) {
  backend.describe(`links memo (${backend.name})`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await (await backend.createDatabase()).open();
      await store.links.upsert({
        locationId: 'L',
        ghlKind: 'contact',
        ghlId: 'c1',
        roofrKind: 'customer',
        roofrId: 'cu1',
      });
      await store.links.upsert({ locationId: 'L', ghlKind: 'contact', ghlId: 'c1', roofrKind: 'job', roofrId: 'j1' });
      const note = await store.links.upsert({
        locationId: 'L',
        ghlKind: 'note',
        ghlId: 'n1',
        roofrKind: 'job_note',
        roofrId: 'rn1',
      });
      await store.links.markDeleted(note.id);
      // Another location's link of the same GHL id, which the memo of location L must not answer with.
      await store.links.upsert({
        locationId: 'M',
        ghlKind: 'task',
        ghlId: 't1',
        roofrKind: 'job_task',
        roofrId: 'rt9',
      });
    });

    afterEach(async () => {
      await backend.cleanup();
    });

    test("when primed with a contact's records, then every lookup of them is answered by one read", async () => {
      const { repo, reads } = counting(store.links);
      const memo = memoizedLinks(repo, {
        locationId: 'L',
        entities: [
          { kind: 'contact', id: 'c1' },
          { kind: 'task', id: 't1' },
          { kind: 'note', id: 'n1' },
        ],
      });
      const found = await Promise.all([
        memo.findByGhl({ locationId: 'L', ghlKind: 'contact', ghlId: 'c1', roofrKind: 'customer' }),
        memo.findByGhl({ locationId: 'L', ghlKind: 'contact', ghlId: 'c1', roofrKind: 'job' }),
        memo.findByGhl({ locationId: 'L', ghlKind: 'task', ghlId: 't1', roofrKind: 'job_task' }),
        memo.findByGhl({ locationId: 'L', ghlKind: 'note', ghlId: 'n1', roofrKind: 'job_note' }),
      ]);
      expect(found.map((link) => (link === null ? null : [link.roofrId, link.status]))).toEqual([
        ['cu1', 'active'],
        ['j1', 'active'],
        null,
        ['rn1', 'deleted'],
      ]);
      expect(reads).toEqual({ one: 0, many: 1 });
    });

    test('when a primed record is linked meanwhile, then its next lookup reads the new link; records not primed are read one by one', async () => {
      const { repo, reads } = counting(store.links);
      const memo = memoizedLinks(repo, { locationId: 'L', entities: [{ kind: 'task', id: 't1' }] });
      const key = { locationId: 'L', ghlKind: 'task' as const, ghlId: 't1', roofrKind: 'job_task' as const };
      expect(await memo.findByGhl(key)).toBeNull();
      await memo.upsert({ ...key, roofrId: 'rt1' });
      expect((await memo.findByGhl(key))?.roofrId).toBe('rt1');
      expect(
        (await memo.findByGhl({ locationId: 'L', ghlKind: 'contact', ghlId: 'c1', roofrKind: 'job' }))?.roofrId,
      ).toBe('j1');
      expect(reads).toEqual({ one: 2, many: 1 });
    });
  });
}
