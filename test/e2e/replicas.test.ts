/**
 * The docker-compose topology without Docker: two gateway PROCESSES (src/main.ts) on their own
 * ports sharing Redis (cache, rate budget) and PostgreSQL (state, and the queues: sync jobs are
 * claimed there with SKIP LOCKED, SYNC_QUEUE's default), in front of
 * one HighLevel simulator with a small rate limit and one Roofr simulator, both started here.
 * Shows: what replica A cached, replica B serves without calling HighLevel; load spread over
 * both meets no 429; a sync started through A is done once although both replicas' workers run.
 * Isolation: a fresh PostgreSQL database per run (dropped after), a random location id (the
 * Redis keys of the cache and the rate budget are per location) and a sync queue of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DEMO_SCOPES, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';
import { createTestApiKey } from '../support/api-key.js';
import { postGraphQL, spawnGateway, waitFor, type GatewayProcess } from '../support/gateway-process.js';

const REDIS_URL = process.env.REDIS_URL;
const DATABASE_URL_PG = process.env.DATABASE_URL_PG;
const describeIf = REDIS_URL && DATABASE_URL_PG ? describe : describe.skip;
if (!REDIS_URL || !DATABASE_URL_PG) {
  console.warn(
    'test/e2e/replicas.test.ts skipped: set REDIS_URL (e.g. redis://127.0.0.1:6379) and DATABASE_URL_PG (e.g. postgres://postgres@127.0.0.1:5432/test) to run two gateway processes sharing them',
  );
}

const CONTACTS = 16;
const TOKEN = 'pit-replicas-e2e';
const CONTACT = 'query($id: ID!) { contact(id: $id) { id name tasks { id } notes { id } } }';

interface ContactAnswer {
  contact: { id: string; name: string | null } | null;
}

/** A database of its own for this run, on the server DATABASE_URL_PG points at. */
async function createDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gw_replicas_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      // FORCE: a replica killed without closing its pool must not keep the database alive.
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

describeIf('two gateway replicas sharing Redis and PostgreSQL', () => {
  const locationId = `SimE2e${randomBytes(7).toString('hex')}`;
  let ghlSim: GhlSimulator;
  let roofrSim: RoofrSimulator;
  let database: { url: string; drop(): Promise<void> };
  let replicas: GatewayProcess[] = [];
  let auth: Record<string, string> = {};

  beforeAll(async () => {
    database = await createDatabase(DATABASE_URL_PG ?? '');
    ghlSim = await startGhlSimulator({
      locationId,
      contacts: CONTACTS,
      tokens: [{ token: TOKEN, locationId, scopes: DEMO_SCOPES }],
      rateLimit: { max: 15, intervalMs: 1_000, dailyMax: 1_000_000 },
      latencyMs: 5,
    });
    roofrSim = await startRoofrSimulator({ rateLimit: { limit: 10_000, windowMs: 1000 } });
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      REDIS_URL: REDIS_URL ?? '',
      CACHE_URL: REDIS_URL ?? '',
      GHL_API_BASE_URL: ghlSim.url,
      GHL_PRIVATE_INTEGRATION_TOKEN: TOKEN,
      GHL_LOCATION_ID: locationId,
      GHL_TOKEN_SCOPES: DEMO_SCOPES.join(' '),
      ROOFR_ADAPTER: 'rest',
      ROOFR_API_BASE_URL: roofrSim.apiBaseUrl,
      ROOFR_API_KEY: roofrSim.apiKey,
      ADMISSION_MAX_WAIT_MS: '30000',
      SYNC_PAGE_SIZE: '5',
      SYNC_SCHEDULE: 'off',
      SYNC_WORKER_POLL_MS: '100',
      // A queue of this run's own: gateways of other tests on the same Redis must not take its jobs.
      SYNC_QUEUE_NAME: `sync-jobs-${locationId}`,
      OUTBOX_POLL_MS: '200',
    };
    // With HighLevel credentials every caller needs a key; made before the replicas start.
    auth = { 'x-api-key': await createTestApiKey(database.url, [locationId]) };
    // One after the other: both run the migrations, and the second finds them applied.
    replicas.push(await spawnGateway(env));
    replicas.push(await spawnGateway(env));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop('SIGTERM')));
    replicas = [];
    await roofrSim?.close();
    await ghlSim?.close();
    await database?.drop();
    // The run's BullMQ queue (its keys would otherwise stay in the shared Redis).
    const redis = new Redis(REDIS_URL ?? '');
    const keys = await redis.keys(`bull:sync-jobs-${locationId}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }, 60_000);

  it('when replica A warmed the cache with a query, then the same query through replica B makes no upstream call', async () => {
    const [a, b] = replicas;
    const [id] = ghlSim.data.listContactIds(locationId);
    const cold = await postGraphQL<ContactAnswer>(a?.graphqlUrl ?? '', CONTACT, { id }, auth);
    expect(cold.errors).toBeUndefined();
    const before = ghlSim.log.total();
    const warm = await postGraphQL<ContactAnswer>(b?.graphqlUrl ?? '', CONTACT, { id }, auth);
    expect(warm.data).toEqual(cold.data);
    expect(warm.extensions).toMatchObject({ upstream: { calls: 0 } });
    expect(ghlSim.log.total()).toBe(before);
  }, 60_000);

  it('when both replicas take concurrent load, then the shared rate budget keeps HighLevel from answering 429', async () => {
    const ids = ghlSim.data.listContactIds(locationId).slice(1);
    const answers = await Promise.all(
      ids.map((id, index) => postGraphQL<ContactAnswer>(replicas[index % 2]?.graphqlUrl ?? '', CONTACT, { id }, auth)),
    );
    // One expectation, so a failure shows both what clients got and what HighLevel answered.
    const failed = answers.flatMap((answer, index) =>
      answer.errors === undefined
        ? []
        : [{ id: ids[index], codes: answer.errors.map((error) => error.extensions?.['code']) }],
    );
    expect({ failed, answered429: ghlSim.log.statusCount(429) }).toEqual({ failed: [], answered429: 0 });
    // 15 contacts × 3 calls on a 15-per-second limit: well past one window, yet never refused.
    expect(ghlSim.log.total()).toBeGreaterThan(15);
  }, 120_000);

  it('when a sync is started through replica A, then it runs once across both workers and Roofr receives each contact once', async () => {
    const [a, b] = replicas;
    const started = await postGraphQL<{ startSync: { id: string } }>(
      a?.graphqlUrl ?? '',
      'mutation { startSync(mode: FULL) { id } }',
      {},
      auth,
    );
    expect(started.errors).toBeUndefined();
    const runId = started.data?.startSync.id ?? '';
    // Read through B: the run record is shared state.
    const run = await waitFor(
      'the sync run to finish',
      async () => {
        const answer = await postGraphQL<{
          syncRun: { status: string; counts: { read: number; failed: number } } | null;
        }>(
          b?.graphqlUrl ?? '',
          'query($id: ID!) { syncRun(id: $id) { status counts { read failed } } }',
          {
            id: runId,
          },
          auth,
        );
        const current = answer.data?.syncRun;
        return current && current.status !== 'RUNNING' ? current : undefined;
      },
      120_000,
      250,
    );
    expect(run).toEqual({ status: 'SUCCEEDED', counts: { read: CONTACTS, failed: 0 } });

    const jobsByRef = new Map<string, number>();
    for (const job of roofrSim.data.jobs.values())
      jobsByRef.set(job.external_ref ?? '', (jobsByRef.get(job.external_ref ?? '') ?? 0) + 1);
    for (const id of ghlSim.data.listContactIds(locationId)) expect(jobsByRef.get(`ghl:contact:${id}`)).toBe(1);
    expect(roofrSim.data.customers.size).toBe(CONTACTS);
    expect(roofrSim.log.count('POST /v1/customers')).toBe(CONTACTS);

    // Recorded once: a single FULL run in the shared store.
    const runs = await postGraphQL<{ syncRuns: { edges: Array<{ node: { id: string; mode: string } }> } }>(
      a?.graphqlUrl ?? '',
      '{ syncRuns(first: 50) { edges { node { id mode } } } }',
      {},
      auth,
    );
    expect(runs.data?.syncRuns.edges.filter((edge) => edge.node.mode === 'FULL').map((edge) => edge.node.id)).toEqual([
      runId,
    ]);
    // No replica had to give up on a write.
    expect(roofrSim.log.count('POST /v1/jobs')).toBe(CONTACTS);
  }, 180_000);
});
