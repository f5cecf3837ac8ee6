/**
 * An agency's locations sync side by side: each location has its own token and its own burst
 * window in the HighLevel simulator (over real HTTP), the engine queues a run of every location
 * (the nightly batch) and its workers (SYNC_CONCURRENCY) run them at once, each spending only its
 * own location's budget. On the store queue always; on BullMQ too when REDIS_URL is set.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config.js';
import { GhlClient } from '../../src/ghl/client.js';
import type { TokenProvider } from '../../src/ghl/ghl-api.js';
import { createRoofrPort } from '../../src/roofr/create-roofr-port.js';
import { loadMappingFile } from '../../src/roofr/mapping-file.js';
import { DEMO_SCOPES, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { createBullmqSyncJobQueue } from '../../src/sync/bullmq-sync-queue.js';
import { createRoofrPush } from '../../src/sync/roofr-push.js';
import { createSyncEngine, type SyncEngine } from '../../src/sync/sync-engine.js';
import type { SyncJobQueue } from '../../src/sync/sync-job-queue.js';

const LOCATIONS = ['SideBySideLocA00001', 'SideBySideLocB00002'];
const CONTACTS = 24;
// A burst window small enough that each location's sync needs two windows of its own, and as
// long as GHL's (10 s): the budget's safety margin is 2% of it, and a shorter window's margin is
// less than the first request's extra latency on a loaded test host (connection set-up), which
// then lands past the simulator's fixed window start.
const RATE = { max: 20, intervalMs: 10_000, dailyMax: 1_000_000 };
const redisUrl = process.env.REDIS_URL;

/** The agency's tokens: one per location, as minted location tokens are. */
class TokenPerLocation implements TokenProvider {
  async getToken(locationId: string): Promise<{ accessToken: string; scopes: ReadonlySet<string> | null }> {
    return { accessToken: `pit-${locationId}`, scopes: new Set(DEMO_SCOPES) };
  }

  async onUnauthorized(): Promise<boolean> {
    return false;
  }
}

interface Agency {
  ghlSim: GhlSimulator;
  roofrSim: RoofrSimulator;
  store: Store;
  engine: SyncEngine;
  close(): Promise<void>;
}

async function startAgency(jobQueue?: (concurrency: number) => SyncJobQueue): Promise<Agency> {
  const ghlSim = await startGhlSimulator({
    locations: LOCATIONS.map((locationId) => ({ locationId, contacts: CONTACTS })),
    tokens: LOCATIONS.map((locationId) => ({ token: `pit-${locationId}`, locationId, scopes: DEMO_SCOPES })),
    rateLimit: RATE,
    latencyMs: 5,
  });
  const roofrSim = await startRoofrSimulator({ rateLimit: { limit: 1_000_000 } });
  const store = await openStore('sqlite::memory:');
  const mapping = await loadMappingFile('mapping/default.yaml');
  const roofr = createRoofrPort(parseConfig({ ROOFR_ADAPTER: 'simulator', ROOFR_MAX_RETRIES: '1' }), {
    simulator: roofrSim,
  });
  const ghl = new GhlClient({
    baseUrl: ghlSim.url,
    tokenProvider: new TokenPerLocation(),
    timeoutMs: 5000,
    maxRetries: 1,
    concurrencyPerLocation: 4,
    dailyReserve: 0,
    interactiveShare: 0,
  });
  const push = createRoofrPush({ ghl, store, roofr, mapping, deletePolicy: 'archive' });
  const engine = await createSyncEngine({
    ghl,
    roofr,
    push,
    mapping,
    store,
    locationId: '',
    locations: async () => LOCATIONS,
    pageSize: 8,
    eventTasks: {},
    pollMs: 50,
    jobConcurrency: LOCATIONS.length,
    // Roofr is one account: both runs share the process's contacts in flight.
    contactsInFlight: 2,
    ...(jobQueue ? { jobQueue: jobQueue(LOCATIONS.length) } : {}),
  });
  return {
    ghlSim,
    roofrSim,
    store,
    engine,
    async close() {
      await engine.stop();
      await store.close();
      await roofrSim.close();
      await ghlSim.close();
    },
  };
}

async function finished(store: Store, runIds: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const runs = await Promise.all(runIds.map((id) => store.syncRuns.get(id)));
    if (runs.every((run) => run !== null && run.status !== 'running')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const queues: Array<[string, ((concurrency: number) => SyncJobQueue) | undefined]> = [['the store queue', undefined]];
if (redisUrl)
  queues.push([
    'BullMQ',
    (concurrency) =>
      createBullmqSyncJobQueue({ redisUrl, queueName: `sync-side-by-side-${randomUUID()}`, concurrency }),
  ]);
else console.warn('sync-locations-side-by-side.test.ts: the BullMQ case is skipped: set REDIS_URL to run it');

describe.each(queues)('an agency batch on %s', (_name, jobQueue) => {
  let agency: Agency | null = null;
  afterEach(async () => {
    await agency?.close();
    agency = null;
  });

  it('when two locations sync at once, then both progress concurrently and neither earns a 429', async () => {
    agency = await startAgency(jobQueue);
    agency.engine.start();
    const { runs, refused } = await agency.engine.startSyncEveryLocation({ mode: 'FULL', trigger: 'test' });
    expect(refused).toEqual([]);
    expect(runs.map((run) => run.locationId)).toEqual(LOCATIONS);
    await finished(
      agency.store,
      runs.map((run) => run.id),
    );

    const done = await Promise.all(runs.map((run) => agency?.store.syncRuns.get(run.id)));
    expect(done.map((run) => [run?.status, run?.counts.read])).toEqual([
      ['succeeded', CONTACTS],
      ['succeeded', CONTACTS],
    ]);
    // Each run's span on HighLevel (its first to its last request): each began before the other ended.
    const [a, b] = runs.map((run) => agency?.ghlSim.log.forRequestId(`sync-${run.id}`));
    expect(a?.count).toBeGreaterThan(RATE.max);
    expect(b?.count).toBeGreaterThan(RATE.max);
    expect({
      aBeganBeforeBEnded: Date.parse(a?.firstAt ?? '') < Date.parse(b?.lastAt ?? ''),
      bBeganBeforeAEnded: Date.parse(b?.firstAt ?? '') < Date.parse(a?.lastAt ?? ''),
      answered429: agency.ghlSim.log.statusCount(429),
    }).toEqual({ aBeganBeforeBEnded: true, bBeganBeforeAEnded: true, answered429: 0 });
    // Every contact of both locations reached Roofr once.
    const refs = [...agency.roofrSim.data.jobs.values()].map((job) => job.external_ref);
    expect(new Set(refs).size).toBe(refs.length);
    expect(refs).toHaveLength(CONTACTS * LOCATIONS.length);
  }, 90_000);

  it('when the batch is queued twice with one prefix (replicas firing the same schedule), then each location runs once', async () => {
    agency = await startAgency(jobQueue);
    const first = await agency.engine.startSyncEveryLocation({ mode: 'FULL', trigger: 'schedule', runIdPrefix: 'n1' });
    const again = await agency.engine.startSyncEveryLocation({ mode: 'FULL', trigger: 'schedule', runIdPrefix: 'n1' });
    expect(first.runs.map((run) => run.id)).toEqual(LOCATIONS.map((id) => `n1-${id}`));
    expect(again.runs).toEqual([]);
    expect(again.refused.map((refusal) => refusal.locationId)).toEqual(LOCATIONS);
  }, 30_000);
});
