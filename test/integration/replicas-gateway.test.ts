/**
 * Two gateway PROCESSES (src/main.ts) sharing Redis for the cache (CACHE_URL) and the rate
 * budget (REDIS_URL), against one simulator with a small burst limit started here: under
 * concurrent load spread over both they meet no 429, and what one cached the other serves.
 * The simulator's location id is random per run, so no other run's Redis keys are read.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_SCOPES, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { createTestApiKey } from '../support/api-key.js';

const REDIS_URL = process.env.REDIS_URL;
const describeIf = REDIS_URL ? describe : describe.skip;
if (!REDIS_URL)
  console.warn(
    'replicas-gateway.test.ts skipped: set REDIS_URL (e.g. redis://127.0.0.1:6379) to run two gateway processes sharing Redis',
  );

const TOKEN = 'pit-replicas-test';
const QUERY = `query($id: ID!) { contact(id: $id) { id name tasks { id } notes { id } appointments { id } } }`;

interface Replica {
  child: ChildProcess;
  graphqlUrl: string;
  /** With HighLevel credentials configured every caller needs a key. */
  apiKey: string;
}

function startReplica(sim: GhlSimulator, locationId: string, databaseUrl: string, apiKey: string): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl,
      ROOFR_SIM_PORT: '0',
      GHL_API_BASE_URL: sim.url,
      GHL_PRIVATE_INTEGRATION_TOKEN: TOKEN,
      GHL_LOCATION_ID: locationId,
      GHL_TOKEN_SCOPES: DEMO_SCOPES.join(' '),
      CACHE_URL: REDIS_URL,
      REDIS_URL,
      ADMISSION_MAX_WAIT_MS: '20000',
      GHL_REQUEST_TIMEOUT_MS: '5000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /GraphQL API:\s+(\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve({ child, graphqlUrl: match[1], apiKey });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) =>
      reject(new Error(`gateway process exited (${code}) before listening: ${err.slice(0, 2000)}`)),
    );
  });
}

interface Answer {
  errors?: Array<{ extensions?: { code?: string } }>;
  extensions?: { upstream?: { calls: number }; responseCache?: { hit: boolean } };
  data?: { contact?: { name?: string } } | null;
}

async function query(replica: Replica, id: string, text = QUERY): Promise<Answer> {
  const response = await fetch(replica.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': replica.apiKey },
    body: JSON.stringify({ query: text, variables: { id } }),
  });
  return (await response.json()) as Answer;
}

describeIf('two gateway processes sharing Redis', () => {
  const locationId = `SimRep${randomBytes(7).toString('hex')}`;
  let sim: GhlSimulator;
  let replicas: Replica[] = [];
  let dir: string;

  beforeAll(async () => {
    sim = await startGhlSimulator({
      locationId,
      contacts: 20,
      tokens: [{ token: TOKEN, locationId, scopes: DEMO_SCOPES }],
      rateLimit: { max: 15, intervalMs: 1_000, dailyMax: 1_000_000 },
      latencyMs: 5,
    });
    // Each replica its own state database (they share Redis only), holding the same key.
    dir = await mkdtemp(join(tmpdir(), 'gw-replicas-gateway-'));
    const databases = [`sqlite://${join(dir, 'a.db')}`, `sqlite://${join(dir, 'b.db')}`];
    const apiKey = await createTestApiKey(databases, [locationId]);
    replicas = await Promise.all(databases.map((url) => startReplica(sim, locationId, url, apiKey)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(
      replicas.map((replica) => {
        const exited = once(replica.child, 'exit');
        replica.child.kill('SIGTERM');
        return exited;
      }),
    );
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when both serve concurrent load against a small burst limit, then HighLevel never answers 429 and every query succeeds', async () => {
    const ids = sim.data.listContactIds(locationId).slice(0, 12);
    const results = await Promise.all(
      ids.flatMap((id, index) => [
        query(replicas[index % 2] as Replica, id),
        query(replicas[(index + 1) % 2] as Replica, id),
      ]),
    );
    expect(results.filter((result) => result.errors !== undefined)).toEqual([]);
    expect(sim.log.snapshot().rateLimited).toBe(0);
    expect(sim.log.snapshot().total).toBeGreaterThanOrEqual(4 * ids.length);
  }, 60_000);

  it('when one replica has read a contact, then the other answers it from the shared cache without an upstream call', async () => {
    const [id = ''] = sim.data.listContactIds(locationId).slice(15, 16);
    const first = await query(replicas[0] as Replica, id);
    expect(first.extensions?.upstream?.calls).toBeGreaterThan(0);
    const before = sim.log.snapshot().total;
    const second = await query(replicas[1] as Replica, id);
    expect(second.data).toEqual(first.data);
    expect(second.extensions?.upstream?.calls).toBe(0);
    expect(sim.log.snapshot().total).toBe(before);
  });

  it('when one replica reuses a whole response and the other changes the contact, then the first executes again and shows the change', async () => {
    const [id = ''] = sim.data.listContactIds(locationId).slice(17, 18);
    let reused = false;
    for (let attempt = 0; attempt < 4 && !reused; attempt += 1)
      reused = (await query(replicas[0] as Replica, id)).extensions?.responseCache?.hit === true;
    expect(reused).toBe(true);
    const updated = await query(
      replicas[1] as Replica,
      id,
      `mutation($id: ID!) { updateContact(id: $id, input: { firstName: "Replicated", lastName: "Change" }) { contact { id } } }`,
    );
    expect(updated.errors).toBeUndefined();
    const next = await query(replicas[0] as Replica, id);
    expect(next.extensions?.responseCache).toBeUndefined();
    expect(next.data?.contact?.name).toBe('Replicated Change');
  });
});
