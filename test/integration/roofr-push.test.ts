/**
 * The Roofr push service and the outbox delivery against the Roofr simulator over HTTP, with a
 * real store (SQLite in memory): content going A → B → A, a crash between Roofr's confirmation
 * and our bookkeeping (repeated under the same idempotency key, deduplicated by Roofr), older
 * queued writes superseded by newer ones, and the delete policies.
 */
import { parseConfig } from '../../src/config.js';
import type { Mapping } from '../../src/domain/mapping/mapping-schema.js';
import { GhlClient } from '../../src/ghl/client.js';
import { StaticTokenProvider } from '../../src/ghl/token-provider.js';
import { createRoofrPort } from '../../src/roofr/create-roofr-port.js';
import { loadMappingFile } from '../../src/roofr/mapping-file.js';
import type { RoofrPort } from '../../src/roofr/roofr-port.js';
import { DEMO_TOKEN, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';
import type { LinksRepo } from '../../src/store/links-repo.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { createOutboxDelivery } from '../../src/sync/outbox-delivery.js';
import { createRoofrPush, type RoofrPush } from '../../src/sync/roofr-push.js';
import type { DeletePolicy } from '../../src/sync/roofr-writes.js';
import { contact, note, task } from '../unit/mapping/ghl-fixtures.js';

const LOCATION = 'SimDemoLocation00001';

describe('roofr push and outbox delivery', () => {
  let roofrSim: RoofrSimulator;
  let ghlSim: GhlSimulator;
  let roofr: RoofrPort;
  let mapping: Mapping;
  let store: Store;
  let ghl: GhlClient;

  beforeAll(async () => {
    roofrSim = await startRoofrSimulator({ rateLimit: { limit: 100_000 } });
    ghlSim = await startGhlSimulator({ contacts: 2, rateLimit: { max: 100_000, dailyMax: 10_000_000 } });
    mapping = await loadMappingFile('mapping/default.yaml');
    roofr = createRoofrPort(
      parseConfig({ ROOFR_ADAPTER: 'simulator', ROOFR_MAX_RETRIES: '0', ROOFR_REQUEST_TIMEOUT_MS: '2000' }),
      { simulator: roofrSim },
    );
    ghl = new GhlClient({
      baseUrl: ghlSim.url,
      tokenProvider: new StaticTokenProvider(DEMO_TOKEN, LOCATION, null),
      timeoutMs: 2000,
      maxRetries: 0,
      concurrencyPerLocation: 4,
      dailyReserve: 0,
      interactiveShare: 0.3,
    });
  });

  beforeEach(async () => {
    store = await openStore('sqlite::memory:', { outboxMaxAttempts: 3 });
  });

  afterEach(async () => {
    await store.close();
    await roofrSim.faults.up();
  });

  afterAll(async () => {
    await roofrSim.close();
    await ghlSim.close();
  });

  function pushWith(options: { links?: LinksRepo; deletePolicy?: DeletePolicy } = {}): RoofrPush {
    return createRoofrPush({
      ghl,
      store: { ...store, links: options.links ?? store.links },
      roofr,
      mapping,
      deletePolicy: options.deletePolicy ?? 'archive',
    });
  }

  test('when a contact goes A → B → A, then each change is written and Roofr ends with A (no replay of the first A)', async () => {
    const push = pushWith();
    const replays = roofrSim.log.entries.filter((logged) => logged.replayed).length;
    const source = contact({ id: 'abaContact000000001', firstName: 'Alpha', email: 'aba@example.com' });
    const created = await push.pushContact(LOCATION, { ...source, firstName: 'Start' });
    // Three updates: the second Alpha is the same request as the first, so only a new key applies it.
    const first = await push.pushContact(LOCATION, source);
    const second = await push.pushContact(LOCATION, { ...source, firstName: 'Beta' });
    const third = await push.pushContact(LOCATION, source);
    expect([created.status, first.status, second.status, third.status]).toEqual([
      'SYNCED',
      'SYNCED',
      'SYNCED',
      'SYNCED',
    ]);
    expect(roofrSim.log.entries.filter((logged) => logged.replayed)).toHaveLength(replays);
    expect(roofrSim.data.customers.get(created.roofrId ?? '')?.first_name).toBe('Alpha');
    const fourth = await push.pushContact(LOCATION, source);
    expect(fourth).toMatchObject({ status: 'SKIPPED', error: 'unchanged' });
  });

  test("when the process dies between Roofr confirming a create and recording it, then the repeat under the same key gets Roofr's replay: one customer", async () => {
    await roofrSim.faults.down();
    const queued = await pushWith().pushContact(
      LOCATION,
      contact({ id: 'crashContact0000001', firstName: 'Crash', email: 'crash@example.com' }),
    );
    expect(queued.status).toBe('QUEUED');
    await roofrSim.faults.up();

    // Links that fail once, right after Roofr answered: the crash window.
    let failNext = true;
    const crashingLinks: LinksRepo = {
      ...store.links,
      upsert: async (input, trx) => {
        if (failNext) {
          failNext = false;
          throw new Error('simulated crash before the link was recorded');
        }
        return store.links.upsert(input, trx);
      },
    };
    const deliver = createOutboxDelivery({
      db: store.db,
      store: { links: crashingLinks, hashes: store.hashes },
      roofr,
    });
    const [entry] = await store.outbox.claimDue('test-owner', 10, 60_000);
    if (entry === undefined) throw new Error('expected the queued entry');
    await expect(deliver(entry)).rejects.toThrow(/simulated crash/);
    const replaysBefore = roofrSim.log.entries.filter((logged) => logged.replayed).length;
    await deliver(entry);

    expect(
      [...roofrSim.data.customers.values()].filter((customer) => customer.email === 'crash@example.com'),
    ).toHaveLength(1);
    expect(roofrSim.log.entries.filter((logged) => logged.replayed).length).toBe(replaysBefore + 1);
    const link = await store.links.findByGhl({
      locationId: LOCATION,
      ghlKind: 'contact',
      ghlId: 'crashContact0000001',
      roofrKind: 'job',
    });
    expect(link?.status).toBe('active');
  });

  test('when two writes of one contact are queued, then delivering the newer first makes the older one a no-op', async () => {
    const push = pushWith();
    const source = contact({ id: 'orderContact0000001', firstName: 'Old', email: 'order@example.com' });
    await roofrSim.faults.down();
    const older = await push.pushContact(LOCATION, source);
    const newer = await push.pushContact(LOCATION, { ...source, firstName: 'New' });
    expect([older.status, newer.status]).toEqual(['QUEUED', 'QUEUED']);
    await roofrSim.faults.up();

    const deliver = createOutboxDelivery({ db: store.db, store, roofr });
    const newerEntry = await store.outbox.get(Number(newer.outboxId));
    const olderEntry = await store.outbox.get(Number(older.outboxId));
    if (newerEntry === null || olderEntry === null) throw new Error('expected both entries');
    await deliver(newerEntry);
    const requests = roofrSim.log.entries.length;
    await deliver(olderEntry);
    expect(roofrSim.log.entries.length).toBe(requests);
    const customers = [...roofrSim.data.customers.values()].filter(
      (customer) => customer.email === 'order@example.com',
    );
    expect(customers.map((customer) => customer.first_name)).toEqual(['New']);
  });

  test('when the store fails during a push, then the result is FAILED with what to do, not an exception', async () => {
    const push = pushWith();
    await store.close();
    const result = await push.pushContact(
      LOCATION,
      contact({ id: 'storeDown0000000001', firstName: 'X', email: 'x@example.com' }),
    );
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatch(/internal error while syncing the contact to Roofr; see the gateway log/);
  });

  test('when the delete policy is delete, then the Roofr customer is deleted; when ignore, then it is kept; both mark the links deleted', async () => {
    const toDelete = contact({ id: 'delContact000000001', firstName: 'Del', email: 'del@example.com' });
    const synced = await pushWith().pushContact(LOCATION, toDelete);
    const removed = await pushWith({ deletePolicy: 'delete' }).removeContact(LOCATION, toDelete.id);
    expect(removed.status).toBe('SYNCED');
    expect(roofrSim.data.customers.has(synced.roofrId ?? '')).toBe(false);

    const toKeep = contact({ id: 'keepContact00000001', firstName: 'Keep', email: 'keep@example.com' });
    const kept = await pushWith().pushContact(LOCATION, toKeep);
    const ignored = await pushWith({ deletePolicy: 'ignore' }).removeContact(LOCATION, toKeep.id);
    expect(ignored).toMatchObject({ status: 'SKIPPED', roofrId: kept.roofrId });
    expect(ignored.error).toMatch(/ROOFR_DELETE_POLICY=ignore/);
    expect(roofrSim.data.customers.has(kept.roofrId ?? '')).toBe(true);
    for (const id of [toDelete.id, toKeep.id]) {
      const links = await store.links.listForGhl(LOCATION, 'contact', id);
      expect(links.map((link) => link.status)).toEqual(['deleted', 'deleted']);
    }
  });

  test('when a task is deleted while Roofr is down, then the delete is QUEUED and its delivery removes the Roofr task and retires the link', async () => {
    const push = pushWith();
    const owner = contact({ id: 'taskDelContact00001', firstName: 'Td', email: 'task-delete@example.com' });
    const ownerSynced = await push.pushContact(LOCATION, owner);
    const pushed = await push.pushTask(
      LOCATION,
      task({ id: 'taskDel000000000001', contactId: owner.id, title: 'Measure roof' }),
    );
    expect(pushed.status).toBe('SYNCED');
    const roofrTaskId = pushed.roofrId ?? '';
    expect(roofrSim.data.jobTasks.get(roofrTaskId)?.job_id).toBe(ownerSynced.roofrJobId);

    await roofrSim.faults.down();
    const queued = await push.removeTask(LOCATION, 'taskDel000000000001', owner.id);
    expect(queued.status).toBe('QUEUED');
    await roofrSim.faults.up();
    const entry = await store.outbox.get(Number(queued.outboxId));
    if (entry === null) throw new Error('expected the queued delete');
    expect(entry.kind).toBe('task.delete');
    await createOutboxDelivery({ db: store.db, store, roofr })(entry);
    expect(roofrSim.data.jobTasks.has(roofrTaskId)).toBe(false);
    const link = await store.links.findByGhl({
      locationId: LOCATION,
      ghlKind: 'task',
      ghlId: 'taskDel000000000001',
      roofrKind: 'job_task',
    });
    expect(link?.status).toBe('deleted');
    expect(roofrSim.log.counts()[`DELETE /v1/jobs/{jobId}/tasks/{taskId}`]).toBeGreaterThanOrEqual(1);
  });

  test('when a note is deleted under the ignore policy, then the Roofr note is kept and the link is retired', async () => {
    const owner = contact({ id: 'noteKeepContact0001', firstName: 'Nk', email: 'note-keep@example.com' });
    await pushWith().pushContact(LOCATION, owner);
    const pushed = await pushWith().pushNote(
      LOCATION,
      note({ id: 'noteKeep00000000001', contactId: owner.id, body: 'Keep me' }),
    );
    const removed = await pushWith({ deletePolicy: 'ignore' }).removeNote(LOCATION, 'noteKeep00000000001', owner.id);
    expect(removed).toMatchObject({ status: 'SKIPPED', roofrId: pushed.roofrId });
    expect(removed.error).toMatch(/ROOFR_DELETE_POLICY=ignore/);
    expect(roofrSim.data.jobNotes.has(pushed.roofrId ?? '')).toBe(true);
    const link = await store.links.findByGhl({
      locationId: LOCATION,
      ghlKind: 'note',
      ghlId: 'noteKeep00000000001',
      roofrKind: 'job_note',
    });
    expect(link?.status).toBe('deleted');
  });
});
