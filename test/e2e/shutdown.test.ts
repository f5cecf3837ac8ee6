/**
 * SIGTERM during a sync, as an orchestrator sends it: the gateway process (src/main.ts) finishes
 * the query in flight, stops the run at a checkpoint and exits 0; a new process on the same
 * state database resumes the run, and the Roofr simulator ends with every contact exactly once.
 * Both simulators run in this test process, so they outlive the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_SCOPES, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';
import { openStore } from '../../src/store/open-store.js';
import { createTestApiKey } from '../support/api-key.js';
import { postGraphQL, spawnGateway, waitFor, type GatewayProcess } from '../support/gateway-process.js';

const CONTACTS = 120;
const START_SYNC = 'mutation { startSync(mode: FULL) { id status } }';
const SYNC_RUN =
  'query($id: ID!) { syncRun(id: $id) { id status counts { read created updated unchanged failed } errors { code message } } }';

interface SyncRunView {
  id: string;
  status: string;
  counts: { read: number; created: number; updated: number; unchanged: number; failed: number };
  errors: Array<{ code: string | null; message: string }>;
}

describe('SIGTERM during a sync', () => {
  let ghlSim: GhlSimulator;
  let roofrSim: RoofrSimulator;
  let dir: string;
  let gateway: GatewayProcess | null = null;
  let auth: Record<string, string> = {};

  beforeAll(async () => {
    // Latency spreads the run over several pages' worth of time, so the signal lands mid-run.
    // The rate limit keeps the run going for seconds however fast the sync gets.
    ghlSim = await startGhlSimulator({ contacts: CONTACTS, latencyMs: 15, rateLimit: { max: 40, intervalMs: 1000 } });
    roofrSim = await startRoofrSimulator({ rateLimit: { limit: 10_000, windowMs: 1000 } });
    dir = mkdtempSync(join(tmpdir(), 'gateway-shutdown-'));
    auth = { 'x-api-key': await createTestApiKey(`sqlite://${join(dir, 'state.db')}`, [ghlSim.locationId]) };
  });

  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    await roofrSim.close();
    await ghlSim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (): Record<string, string> => ({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: `sqlite://${join(dir, 'state.db')}`,
    GHL_API_BASE_URL: ghlSim.url,
    GHL_PRIVATE_INTEGRATION_TOKEN: ghlSim.demoToken ?? '',
    GHL_LOCATION_ID: ghlSim.locationId,
    GHL_TOKEN_SCOPES: DEMO_SCOPES.join(' '),
    ROOFR_ADAPTER: 'rest',
    ROOFR_API_BASE_URL: roofrSim.apiBaseUrl,
    ROOFR_API_KEY: roofrSim.apiKey,
    SYNC_PAGE_SIZE: '4',
    SYNC_SCHEDULE: 'off',
    SYNC_WORKER_POLL_MS: '100',
    OUTBOX_POLL_MS: '200',
    SHUTDOWN_TIMEOUT_MS: '10000',
  });

  it('when SIGTERM arrives mid-run, then the query in flight is answered, the process exits 0 at a checkpoint, and after a restart the run resumes and Roofr holds every contact once', async () => {
    gateway = await spawnGateway(env());
    const started = await postGraphQL<{ startSync: { id: string; status: string } }>(
      gateway.graphqlUrl,
      START_SYNC,
      {},
      auth,
    );
    expect(started.errors).toBeUndefined();
    const runId = started.data?.startSync.id ?? '';
    expect(started.data?.startSync.status).toBe('RUNNING');

    // A few contacts in Roofr: the run is under way.
    await waitFor(
      'the first contacts in Roofr',
      () => (roofrSim.data.customers.size >= 4 ? true : undefined),
      60_000,
      20,
    );
    const first = gateway;
    // A query in flight when the signal arrives: HighLevel answers its contact read slowly.
    const [contactId] = ghlSim.data.listContactIds();
    ghlSim.faults.setLatency({ ms: 600, method: 'GET', path: '/contacts/*' });
    const readsBefore = ghlSim.log.count('GET', '/contacts/{contactId}');
    const inFlight = postGraphQL<{ contact: { id: string } | null }>(
      first.graphqlUrl,
      'query($id: ID!) { contact(id: $id) { id } }',
      { id: contactId },
      auth,
    );
    await waitFor(
      'the query to reach HighLevel',
      () => (ghlSim.log.count('GET', '/contacts/{contactId}') > readsBefore ? true : undefined),
      10_000,
      5,
    );
    const exit = await first.stop('SIGTERM');
    ghlSim.faults.setLatency(null);
    // Finished, not cut off: the drain waited for it.
    expect(await inFlight).toMatchObject({ data: { contact: { id: contactId } } });
    expect({ exit, output: exit.code === 0 ? '' : first.output().slice(-3000) }).toEqual({
      exit: { code: 0, signal: null },
      output: '',
    });
    gateway = null;

    // Stopped at a checkpoint, not finished: the run is still RUNNING in the state database.
    const store = await openStore(`sqlite://${join(dir, 'state.db')}`);
    const interrupted = await store.syncRuns.get(runId);
    await store.close();
    expect(interrupted?.status).toBe('running');
    expect(roofrSim.data.customers.size).toBeLessThan(CONTACTS);

    gateway = await spawnGateway(env());
    const second = gateway;
    const finished = await waitFor(
      'the resumed run to finish',
      async () => {
        const answer = await postGraphQL<{ syncRun: SyncRunView | null }>(
          second.graphqlUrl,
          SYNC_RUN,
          { id: runId },
          auth,
        );
        const run = answer.data?.syncRun;
        return run !== null && run !== undefined && run.status !== 'RUNNING' ? run : undefined;
      },
      90_000,
      200,
    );
    expect(finished).toMatchObject({ status: 'SUCCEEDED', counts: { read: CONTACTS, failed: 0 } });

    // Every contact once: one customer, one job per contact, and no customer created twice.
    const ids = ghlSim.data.listContactIds();
    expect(ids).toHaveLength(CONTACTS);
    const jobsByRef = new Map<string, number>();
    for (const job of roofrSim.data.jobs.values())
      jobsByRef.set(job.external_ref ?? '', (jobsByRef.get(job.external_ref ?? '') ?? 0) + 1);
    for (const id of ids) expect(jobsByRef.get(`ghl:contact:${id}`)).toBe(1);
    expect(roofrSim.data.customers.size).toBe(CONTACTS);
    expect(roofrSim.log.count('POST /v1/customers')).toBe(CONTACTS);

    expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    gateway = null;
  }, 180_000);
});
