/**
 * A gateway restarted on the same machine takes back its dead predecessor's leased work at once
 * instead of waiting a lease out, on SQLite and PostgreSQL: rows leased by owners of this host
 * whose process is gone (or that had our pid, as PID 1 does in a restarted container) become
 * claimable now; rows of live workers, of other hosts and of this process stay leased.
 */
import { releaseLeasesOfDeadLocalWorkers, newLeaseOwner } from '../../src/store/lease-owners.js';
import { storeBackends } from './store-backends.js';

const LEASE_MS = 60_000;
const HOST = 'gw-host-1';
const DEAD_PID = 99_999_001;
const LIVE_PID = 99_999_002;
const alive = (pid: number): boolean => pid === LIVE_PID;

for (const backend of storeBackends()) {
  backend.describe(`taking back the leases of dead local workers on ${backend.name}`, () => {
    afterEach(() => backend.cleanup());

    test('when the holder of a lease died on this host, then its rows are claimable at once; live holders, other hosts and this process keep theirs', async () => {
      const store = await (await backend.createDatabase()).open();
      const owners = {
        deadHere: `${HOST}:${DEAD_PID}:aaaa0001`,
        previousIncarnation: `${HOST}:${process.pid}:bbbb0002`,
        aliveHere: `${HOST}:${LIVE_PID}:cccc0003`,
        deadElsewhere: `gw-host-2:${DEAD_PID}:dddd0004`,
      };
      const keys = Object.keys(owners) as Array<keyof typeof owners>;
      for (const key of keys) {
        await store.outbox.enqueue({ locationId: 'L', kind: 'customer.upsert', payload: { key }, idempotencyKey: key });
        const [id] = await store.outbox.claimDue(owners[key], 1, LEASE_MS);
        expect(id).toBeDefined();
      }
      await store.syncJobs.enqueue({ kind: 'contact', runId: 'run-dead', locationId: 'L', contactId: 'c1' });
      await store.syncJobs.claim(owners.deadHere, LEASE_MS);
      // One of this process's own workers, made the way the gateway makes them: never taken.
      const ours = newLeaseOwner();
      await store.outbox.enqueue({ locationId: 'L', kind: 'customer.upsert', payload: {}, idempotencyKey: 'ours' });
      await store.outbox.claimDue(ours, 1, LEASE_MS);

      const released = await releaseLeasesOfDeadLocalWorkers(store, { host: HOST, alive });

      expect(released).toBe(3);
      const reclaimed = await store.outbox.claimDue('next-worker', 10, LEASE_MS);
      const keysReclaimed = reclaimed.map((entry) => (entry.payload as { key?: string }).key).sort();
      expect(keysReclaimed).toEqual(['deadHere', 'previousIncarnation']);
      expect((await store.syncJobs.claim('next-worker', LEASE_MS))?.id).toBe('run-dead');
    });
  });
}
