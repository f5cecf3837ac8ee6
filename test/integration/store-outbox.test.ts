import { createTestClock, storeBackends } from './store-backends.js';

const LEASE_MS = 30_000;

for (const backend of storeBackends()) {
  backend.describe(`outbox on ${backend.name}`, () => {
    afterEach(() => backend.cleanup());

    async function setup(maxAttempts = 3) {
      const clock = createTestClock();
      const database = await backend.createDatabase();
      const store = await database.open({ now: clock.now, outboxMaxAttempts: maxAttempts });
      return { clock, database, store };
    }

    const entry = (key: string, locationId = 'loc-1') => ({
      locationId,
      kind: 'customer.upsert',
      payload: { name: key, tags: ['a'] },
      idempotencyKey: key,
    });

    test('when the same idempotency key is enqueued twice, then one row is kept and the second call returns it', async () => {
      const { store } = await setup();
      const first = await store.outbox.enqueue(entry('k-1'));
      const second = await store.outbox.enqueue({ ...entry('k-1'), payload: { name: 'different' } });
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.entry.id).toBe(first.entry.id);
      expect(second.entry.payload).toEqual({ name: 'k-1', tags: ['a'] });
      expect(await store.outbox.depth()).toBe(1);
    });

    test('when a key was already delivered, then enqueuing it again does not queue a second write', async () => {
      const { store } = await setup();
      const { entry: queued } = await store.outbox.enqueue(entry('k-1'));
      await store.outbox.claimDue('w1', 10, LEASE_MS);
      await store.outbox.complete(queued.id, 'w1');
      const again = await store.outbox.enqueue(entry('k-1'));
      expect(again.created).toBe(false);
      expect(again.entry.status).toBe('done');
      expect(await store.outbox.depth()).toBe(0);
    });

    test('when entries are due, then claimDue leases them in FIFO order and counts an attempt', async () => {
      const { store, clock } = await setup();
      for (const key of ['a', 'b', 'c']) await store.outbox.enqueue(entry(key));
      const claimed = await store.outbox.claimDue('w1', 2, LEASE_MS);
      expect(claimed.map((e) => e.idempotencyKey)).toEqual(['a', 'b']);
      for (const e of claimed) {
        expect(e.status).toBe('in_flight');
        expect(e.leaseOwner).toBe('w1');
        expect(e.attempts).toBe(1);
        expect(e.leaseExpiresAt).toBe(new Date(clock.now().getTime() + LEASE_MS).toISOString());
      }
      const rest = await store.outbox.claimDue('w2', 10, LEASE_MS);
      expect(rest.map((e) => e.idempotencyKey)).toEqual(['c']);
      expect(await store.outbox.claimDue('w3', 10, LEASE_MS)).toEqual([]);
    });

    test('when a claimer crashes, then its entries are reclaimable only after the lease expires', async () => {
      const { store, clock } = await setup();
      await store.outbox.enqueue(entry('a'));
      const [claimed] = await store.outbox.claimDue('crashed', 10, LEASE_MS);
      clock.advance(LEASE_MS - 1);
      expect(await store.outbox.claimDue('w2', 10, LEASE_MS)).toEqual([]);
      clock.advance(1);
      const reclaimed = await store.outbox.claimDue('w2', 10, LEASE_MS);
      expect(reclaimed.map((e) => e.id)).toEqual([claimed?.id]);
      expect(reclaimed[0]?.leaseOwner).toBe('w2');
      expect(reclaimed[0]?.attempts).toBe(2);
      // The crashed owner's late failure must not undo the new holder's lease.
      expect(await store.outbox.fail(reclaimed[0]?.id ?? -1, 'late', clock.now(), { owner: 'crashed' })).toBeNull();
      expect((await store.outbox.get(reclaimed[0]?.id ?? -1))?.leaseOwner).toBe('w2');
    });

    test('when an entry is not yet due, then it is claimed only once the clock passes its time', async () => {
      const { store, clock } = await setup();
      await store.outbox.enqueue({ ...entry('later'), notBefore: new Date(clock.now().getTime() + 5_000) });
      expect(await store.outbox.claimDue('w1', 10, LEASE_MS)).toEqual([]);
      clock.advance(5_000);
      expect((await store.outbox.claimDue('w1', 10, LEASE_MS)).map((e) => e.idempotencyKey)).toEqual(['later']);
    });

    test('when delivery fails, then the entry waits until nextAttemptAt and keeps the error', async () => {
      const { store, clock } = await setup();
      await store.outbox.enqueue(entry('a'));
      const [claimed] = await store.outbox.claimDue('w1', 10, LEASE_MS);
      const retryAt = new Date(clock.now().getTime() + 2_000);
      expect(await store.outbox.fail(claimed?.id ?? -1, 'Roofr 503', retryAt, { owner: 'w1' })).toBe('pending');
      const failed = await store.outbox.get(claimed?.id ?? -1);
      expect(failed).toMatchObject({
        status: 'pending',
        lastError: 'Roofr 503',
        nextAttemptAt: retryAt.toISOString(),
        leaseOwner: null,
      });
      expect(await store.outbox.claimDue('w1', 10, LEASE_MS)).toEqual([]);
      clock.advance(2_000);
      expect(await store.outbox.claimDue('w1', 10, LEASE_MS)).toHaveLength(1);
    });

    test('when an entry fails max attempts times, then it is a dead letter that listDead pages and retryDead revives', async () => {
      const { store } = await setup(3);
      for (const key of ['a', 'b', 'c']) await store.outbox.enqueue(entry(key));
      const statuses: Array<string | null> = [];
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        const claimed = await store.outbox.claimDue('w1', 10, LEASE_MS);
        expect(claimed).toHaveLength(3);
        for (const e of claimed)
          statuses.push(await store.outbox.fail(e.id, `boom ${attempt}`, new Date(0), { owner: 'w1' }));
      }
      expect(statuses).toEqual([...Array(6).fill('pending'), 'dead', 'dead', 'dead']);
      expect(await store.outbox.depth()).toBe(0);
      expect(await store.outbox.counts()).toEqual({ pending: 0, in_flight: 0, done: 0, dead: 3 });

      const page1 = await store.outbox.listDead(2);
      expect(page1.items.map((e) => e.idempotencyKey)).toEqual(['a', 'b']);
      expect(page1.hasNextPage).toBe(true);
      const page2 = await store.outbox.listDead(2, page1.endCursor);
      expect(page2.items.map((e) => e.idempotencyKey)).toEqual(['c']);
      expect(page2.hasNextPage).toBe(false);
      expect(page2.items[0]?.lastError).toBe('boom 3');

      expect(await store.outbox.retryDead(page1.items[0]?.id ?? -1)).toBe(true);
      expect(await store.outbox.retryDead(page1.items[0]?.id ?? -1)).toBe(false);
      const revived = await store.outbox.claimDue('w1', 10, LEASE_MS);
      expect(revived.map((e) => [e.idempotencyKey, e.attempts])).toEqual([['a', 1]]);
    });

    test('when a failure is permanent, then the entry is dead at once', async () => {
      const { store, clock } = await setup(5);
      await store.outbox.enqueue(entry('a'));
      const [claimed] = await store.outbox.claimDue('w1', 10, LEASE_MS);
      expect(
        await store.outbox.fail(claimed?.id ?? -1, '422 invalid email', clock.now(), { owner: 'w1', permanent: true }),
      ).toBe('dead');
      expect((await store.outbox.listDead(10)).items).toHaveLength(1);
    });

    test('when the claimer crashed on the last permitted attempt, then the expired lease makes it a dead letter', async () => {
      const { store, clock } = await setup(2);
      await store.outbox.enqueue(entry('poison'));
      await store.outbox.claimDue('w1', 10, LEASE_MS);
      clock.advance(LEASE_MS);
      expect(await store.outbox.claimDue('w2', 10, LEASE_MS)).toHaveLength(1);
      clock.advance(LEASE_MS);
      expect(await store.outbox.claimDue('w3', 10, LEASE_MS)).toEqual([]);
      const dead = await store.outbox.listDead(10);
      expect(dead.items.map((e) => e.idempotencyKey)).toEqual(['poison']);
      expect(dead.items[0]?.lastError).toMatch(/lease expired/);
    });

    test('when a stopping worker releases an unstarted entry, then it is due again without a spent attempt', async () => {
      const { store } = await setup();
      await store.outbox.enqueue(entry('a'));
      const [claimed] = await store.outbox.claimDue('w1', 10, LEASE_MS);
      expect(await store.outbox.release(claimed?.id ?? -1, 'someone-else')).toBe(false);
      expect(await store.outbox.release(claimed?.id ?? -1, 'w1')).toBe(true);
      const again = await store.outbox.claimDue('w2', 10, LEASE_MS);
      expect(again.map((e) => e.attempts)).toEqual([1]);
    });

    test('when enqueue runs in a transaction that rolls back, then no entry remains', async () => {
      const { store } = await setup();
      await expect(
        store.db.transaction().execute(async (trx) => {
          await store.outbox.enqueue(entry('rolled-back'), trx);
          throw new Error('the sync step failed after deciding the write');
        }),
      ).rejects.toThrow('the sync step failed');
      expect(await store.outbox.findByIdempotencyKey('rolled-back')).toBeNull();
    });

    test('when done entries are purged, then only old done entries go', async () => {
      const { store, clock } = await setup();
      const { entry: old } = await store.outbox.enqueue(entry('old'));
      await store.outbox.enqueue(entry('pending'));
      await store.outbox.claimDue('w1', 1, LEASE_MS);
      await store.outbox.complete(old.id, 'w1');
      clock.advance(60_000);
      expect(await store.outbox.purgeDone(clock.now())).toBe(1);
      expect(await store.outbox.get(old.id)).toBeNull();
      expect(await store.outbox.depth()).toBe(1);
    });

    if (backend.name === 'postgres') {
      test('when two replicas claim concurrently, then no entry is claimed twice and none is missed', async () => {
        const clock = createTestClock();
        const database = await backend.createDatabase();
        const replicaA = await database.open({ now: clock.now });
        const replicaB = await database.open({ now: clock.now });
        const total = 60;
        for (let i = 0; i < total; i += 1) await replicaA.outbox.enqueue(entry(`k-${i}`));

        const claimedBy = new Map<number, string>();
        const duplicates: number[] = [];
        async function claimUntilEmpty(store: typeof replicaA, owner: string): Promise<void> {
          for (;;) {
            const batch = await store.outbox.claimDue(owner, 3, LEASE_MS);
            if (batch.length === 0) return;
            for (const e of batch) {
              if (claimedBy.has(e.id)) duplicates.push(e.id);
              claimedBy.set(e.id, owner);
            }
          }
        }
        await Promise.all([
          claimUntilEmpty(replicaA, 'a1'),
          claimUntilEmpty(replicaA, 'a2'),
          claimUntilEmpty(replicaB, 'b1'),
          claimUntilEmpty(replicaB, 'b2'),
        ]);
        expect(duplicates).toEqual([]);
        expect(claimedBy.size).toBe(total);
        expect((await replicaB.outbox.counts()).in_flight).toBe(total);
      });
    }
  });
}
