/**
 * Group commit (src/store/group-commit.ts) on every store backend: writes issued together share a
 * transaction, and one caller's failure stays its own; on PostgreSQL, groups commit side by side.
 */
import { sql } from 'kysely';
import pg from 'pg';
import type { Store } from '../../src/store/open-store.js';
import { storeBackends } from './store-backends.js';

for (const backend of storeBackends()) {
  backend.describe(`group commit (${backend.name})`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await (await backend.createDatabase()).open();
    });

    afterEach(async () => {
      await backend.cleanup();
    });

    const key = (id: string) => ({
      locationId: 'L',
      direction: 'ghl_to_roofr' as const,
      entityKind: 'job_task',
      entityId: id,
    });

    test('when writes are issued together, then each resolves with its own result after its commit', async () => {
      const results = await Promise.all(
        ['a', 'b', 'c'].map((id) =>
          store.commits.run(async (trx) => {
            await store.hashes.put(key(id), `hash-${id}`, trx);
            return id;
          }),
        ),
      );
      expect(results).toEqual(['a', 'b', 'c']);
      for (const id of ['a', 'b', 'c']) expect((await store.hashes.get(key(id)))?.hash).toBe(`hash-${id}`);
    });

    test('when one write of a group fails, then it alone rejects and the others are committed', async () => {
      await store.links.upsert({ locationId: 'L', ghlKind: 'task', ghlId: 't1', roofrKind: 'job_task', roofrId: 'r1' });
      const outcomes = await Promise.allSettled([
        store.commits.run((trx) => store.hashes.put(key('before'), 'h1', trx)),
        // The Roofr task is already linked to another GHL task: LinkConflictError, after a write of its own.
        store.commits.run(async (trx) => {
          await store.hashes.put(key('conflicting'), 'h2', trx);
          await store.links.upsert(
            { locationId: 'L', ghlKind: 'task', ghlId: 't2', roofrKind: 'job_task', roofrId: 'r1' },
            trx,
          );
        }),
        store.commits.run((trx) => store.hashes.put(key('after'), 'h3', trx)),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((await store.hashes.get(key('before')))?.hash).toBe('h1');
      expect((await store.hashes.get(key('after')))?.hash).toBe('h3');
      // Rolled back with its own transaction: no half of the failed write remains.
      expect(await store.hashes.get(key('conflicting'))).toBeNull();
    });

    if (backend.name === 'postgres')
      test('when a group waits on the database, then writes issued meanwhile commit in another lane without waiting for it', async () => {
        // A pool of 6: two lanes (a third of it).
        const lanes = await (await backend.createDatabase()).open({ postgres: { max: 6, timeoutMs: 30_000 } });
        const lockKey = 880_000 + Math.floor(Math.random() * 10_000);
        const holder = new pg.Client({ connectionString: process.env.DATABASE_URL_PG });
        await holder.connect();
        try {
          await holder.query('begin');
          await holder.query('select pg_advisory_xact_lock($1)', [lockKey]);
          let blockedCommitted = false;
          const blocked = lanes.commits
            .run(async (trx) => {
              await sql`select pg_advisory_xact_lock_shared(${sql.raw(String(lockKey))})`.execute(trx);
              await lanes.hashes.put(key('blocked'), 'h-blocked', trx);
            })
            .then(() => (blockedCommitted = true));
          // Issued once the first group holds its lane (it waits for the lock inside its transaction).
          await new Promise((resolve) => setImmediate(resolve));
          await new Promise((resolve) => setImmediate(resolve));
          await lanes.commits.run((trx) => lanes.hashes.put(key('free'), 'h-free', trx));
          expect(blockedCommitted).toBe(false);
          expect((await lanes.hashes.get(key('free')))?.hash).toBe('h-free');
          await holder.query('commit');
          await blocked;
          expect((await lanes.hashes.get(key('blocked')))?.hash).toBe('h-blocked');
        } finally {
          await holder.end();
        }
      });
  });
}
