/**
 * Heartbeats of the one leased-queue protocol, on SQLite and PostgreSQL, for each of its three
 * queues (outbox, inbound events, sync jobs): a worker that keeps beating keeps its rows however
 * long it works; a worker that stops beating (killed) loses them to another after one lease; a
 * worker that stalled past its lease learns it lost them (holds() false), and its late renew,
 * complete, fail or release leave the new holder's claim alone. Time is a test clock moved by
 * hand, and beats are called by the test, so nothing here waits.
 */
import { createLeaseHeartbeat } from '../../src/store/lease-heartbeat.js';
import type { Store } from '../../src/store/open-store.js';
import type { QueueStatus } from '../../src/store/schema.js';
import { createTestClock, storeBackends } from './store-backends.js';

const LEASE_MS = 8_000;

/** One queue seen through the protocol's operations, whatever its row type. */
interface QueueUnderTest<Id> {
  enqueue(key: string): Promise<void>;
  claim(owner: string): Promise<Id[]>;
  renew(ids: readonly Id[], owner: string): Promise<Id[]>;
  complete(id: Id, owner: string): Promise<boolean>;
  fail(id: Id, owner: string): Promise<QueueStatus | null>;
  release(id: Id, owner: string): Promise<boolean>;
  ownerOf(id: Id): Promise<string | null>;
}

const queues: Record<string, (store: Store) => QueueUnderTest<number> | QueueUnderTest<string>> = {
  outbox: (store): QueueUnderTest<number> => ({
    enqueue: async (key) => {
      await store.outbox.enqueue({ locationId: 'L', kind: 'customer.upsert', payload: { key }, idempotencyKey: key });
    },
    claim: async (owner) => (await store.outbox.claimDue(owner, 10, LEASE_MS)).map((entry) => entry.id),
    renew: (ids, owner) => store.outbox.renew(ids, owner, LEASE_MS),
    complete: (id, owner) => store.outbox.complete(id, owner),
    fail: (id, owner) => store.outbox.fail(id, 'late failure', new Date(0), { owner }),
    release: (id, owner) => store.outbox.release(id, owner),
    ownerOf: async (id) => (await store.outbox.get(id))?.leaseOwner ?? null,
  }),
  inbound_events: (store): QueueUnderTest<number> => ({
    enqueue: async (key) => {
      await store.webhooks.accept({ source: 'ghl', webhookId: key, locationId: 'L', eventType: 'X', payload: {} });
    },
    claim: async (owner) => (await store.webhooks.claimEvents(owner, 10, LEASE_MS)).map((event) => event.id),
    renew: (ids, owner) => store.webhooks.renewEvents(ids, owner, LEASE_MS),
    complete: (id, owner) => store.webhooks.completeEvent(id, owner),
    fail: (id, owner) => store.webhooks.failEvent(id, 'late failure', new Date(0), { owner }),
    release: (id, owner) => store.webhooks.releaseEvent(id, owner),
    ownerOf: async (id) =>
      (await store.db.selectFrom('inbound_events').select('lease_owner').where('id', '=', id).executeTakeFirst())
        ?.lease_owner ?? null,
  }),
  sync_jobs: (store): QueueUnderTest<string> => ({
    // A location each: one worker holds several sync jobs only if they are of different locations.
    enqueue: (key) => store.syncJobs.enqueue({ kind: 'contact', runId: key, locationId: `L-${key}`, contactId: key }),
    claim: async (owner) => {
      const ids: string[] = [];
      for (let job = await store.syncJobs.claim(owner, LEASE_MS); job !== null;) {
        ids.push(job.id);
        job = await store.syncJobs.claim(owner, LEASE_MS);
      }
      return ids;
    },
    renew: (ids, owner) => store.syncJobs.renew(ids, owner, LEASE_MS),
    complete: (id, owner) => store.syncJobs.complete(id, owner),
    fail: (id, owner) => store.syncJobs.fail(id, owner, { error: 'late failure', nextAttemptAt: new Date(0) }),
    release: (id, owner) => store.syncJobs.release(id, owner),
    ownerOf: async (id) => (await store.syncJobs.get(id))?.leaseOwner ?? null,
  }),
};

for (const backend of storeBackends()) {
  for (const [name, queueOf] of Object.entries(queues)) {
    backend.describe(`lease heartbeats of ${name} on ${backend.name}`, () => {
      afterEach(() => backend.cleanup());

      async function setup() {
        const clock = createTestClock();
        const store = await (await backend.createDatabase()).open({ now: clock.now });
        // The union of the three id types, for one body of tests.
        const queue = queueOf(store) as QueueUnderTest<number | string>;
        await queue.enqueue('a');
        await queue.enqueue('b');
        const heartbeatOf = (owner: string, lost: Array<number | string> = []) =>
          createLeaseHeartbeat<number | string>({
            renew: (ids) => queue.renew(ids, owner),
            leaseMs: LEASE_MS,
            now: () => clock.now().getTime(),
            onLost: (id) => lost.push(id),
          });
        return { clock, queue, heartbeatOf };
      }

      test('when the worker keeps beating, then no other worker claims its rows for many leases', async () => {
        const { clock, queue, heartbeatOf } = await setup();
        const claimedAt = clock.now().getTime();
        const ids = await queue.claim('worker-a');
        expect(ids).toHaveLength(2);
        const heartbeat = heartbeatOf('worker-a');
        heartbeat.hold(ids, claimedAt);
        for (let beat = 0; beat < 12; beat += 1) {
          clock.advance(LEASE_MS / 4);
          await heartbeat.beat();
          expect(await queue.claim('worker-b')).toEqual([]);
        }
        expect(ids.map((id) => heartbeat.holds(id))).toEqual([true, true]);
        for (const id of ids) expect(await queue.complete(id, 'worker-a')).toBe(true);
        heartbeat.stop();
      });

      test('when the worker is killed (no more beats), then another claims its rows after one lease and not before', async () => {
        const { clock, queue, heartbeatOf } = await setup();
        const ids = await queue.claim('killed');
        const heartbeat = heartbeatOf('killed');
        heartbeat.hold(ids, clock.now().getTime());
        clock.advance(LEASE_MS / 4);
        await heartbeat.beat();
        heartbeat.stop();
        clock.advance(LEASE_MS - 1);
        expect(await queue.claim('survivor')).toEqual([]);
        clock.advance(1);
        expect(await queue.claim('survivor')).toEqual(ids);
        expect(await Promise.all(ids.map((id) => queue.ownerOf(id)))).toEqual(['survivor', 'survivor']);
      });

      test('when a stalled worker lost its rows to another, then its beat reports them lost and its late transitions are refused', async () => {
        const { clock, queue, heartbeatOf } = await setup();
        const ids = await queue.claim('stalled');
        const lost: Array<number | string> = [];
        const stalled = heartbeatOf('stalled', lost);
        stalled.hold(ids, clock.now().getTime());
        // The stalled worker misses every beat for a whole lease; the other claims meanwhile.
        clock.advance(LEASE_MS);
        expect(await queue.claim('holder')).toEqual(ids);
        const [first, second] = ids as [number | string, number | string];
        expect(stalled.holds(first)).toBe(false);
        await stalled.beat();
        expect(lost).toEqual([first, second]);
        expect(await queue.renew(ids, 'stalled')).toEqual([]);
        expect(await queue.complete(first, 'stalled')).toBe(false);
        expect(await queue.fail(second, 'stalled')).toBeNull();
        expect(await queue.release(second, 'stalled')).toBe(false);
        expect(await Promise.all(ids.map((id) => queue.ownerOf(id)))).toEqual(['holder', 'holder']);
        expect(await queue.complete(first, 'holder')).toBe(true);
      });

      test('when a renew is refused although the local lease has time left, then holds() turns false at once', async () => {
        const { clock, queue, heartbeatOf } = await setup();
        const ids = await queue.claim('worker-a');
        const heartbeat = heartbeatOf('worker-a');
        heartbeat.hold(ids, clock.now().getTime());
        const [first] = ids as [number | string];
        // The row left in_flight behind the worker's back (an operator, another release's worker).
        expect(await queue.release(first, 'worker-a')).toBe(true);
        await heartbeat.beat();
        expect(heartbeat.holds(first)).toBe(false);
        expect(heartbeat.holds(ids[1] ?? '')).toBe(true);
      });
    });
  }
}

describe('lease heartbeat without a store answer', () => {
  test('when renews fail, then the worker keeps its rows until the last confirmed lease runs out, then lets go', async () => {
    let now = 0;
    const heartbeat = createLeaseHeartbeat<number>({
      renew: async () => {
        throw new Error('connection refused');
      },
      leaseMs: LEASE_MS,
      now: () => now,
      onError: () => undefined,
    });
    heartbeat.hold([1], 0);
    now = LEASE_MS / 2;
    await heartbeat.beat();
    expect(heartbeat.holds(1)).toBe(true);
    now = LEASE_MS;
    await heartbeat.beat();
    expect(heartbeat.holds(1)).toBe(false);
    heartbeat.stop();
  });
});
