/**
 * The whole gateway over real HTTP for write-path tests: startGateway on port 0, a HighLevel
 * simulator reached as real HighLevel (GHL_API_BASE_URL + a Private Integration Token, optionally
 * through the answer-dropping proxy), a Roofr simulator the test owns (so it can take Roofr down
 * and survive a gateway restart) and a SQLite store in a temp dir. With real credentials
 * configured every caller needs a key, so the world makes one with every role and `gql` sends it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../../src/auth/api-keys.js';
import { ROLES } from '../../src/auth/caller-identity.js';
import { storeApiKeyRepository } from '../../src/auth/store-adapters.js';
import { parseConfig } from '../../src/config.js';
import { openStore } from '../../src/store/open-store.js';
import { startGateway, type Gateway, type GatewayOverrides } from '../../src/gateway.js';
import { DEFAULT_LOCATION_ID, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';

export const WRITE_TOKEN = 'pit-write-path-test-token';
const ALL_SCOPES = [
  'contacts.readonly',
  'contacts.write',
  'locations/tasks.readonly',
  'calendars/events.readonly',
  'opportunities.readonly',
];

export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
}

export interface WriteWorld {
  ghlSim: GhlSimulator;
  roofrSim: RoofrSimulator;
  dir: string;
  databaseUrl: string;
  /** Starts (another) gateway on the same simulators and database. */
  startGateway(env?: Record<string, string>, overrides?: GatewayOverrides): Promise<Gateway>;
  close(): Promise<void>;
}

interface WorldOptions {
  /** Scopes the simulator's token really holds (default all). */
  tokenScopes?: string[];
  contacts?: number;
}

export async function startWriteWorld(options: WorldOptions = {}): Promise<WriteWorld> {
  const ghlSim = await startGhlSimulator({
    contacts: options.contacts ?? 3,
    seed: 11,
    rateLimit: { max: 100_000, dailyMax: 10_000_000 },
    tokens: [{ token: WRITE_TOKEN, locationId: DEFAULT_LOCATION_ID, scopes: options.tokenScopes ?? ALL_SCOPES }],
  });
  const roofrSim = await startRoofrSimulator({ rateLimit: { limit: 100_000 } });
  const dir = await mkdtemp(join(tmpdir(), 'gw-write-path-'));
  const databaseUrl = `sqlite://${join(dir, 'gateway.db')}`;
  const store = await openStore(databaseUrl);
  const { key } = await createApiKey(storeApiKeyRepository(store), {
    name: 'write-path-tests',
    locations: [DEFAULT_LOCATION_ID],
    roles: [...ROLES],
  });
  await store.close();
  const gateways: Gateway[] = [];
  return {
    ghlSim,
    roofrSim,
    dir,
    databaseUrl,
    async startGateway(env = {}, overrides = {}) {
      const config = parseConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        GHL_API_BASE_URL: ghlSim.url,
        GHL_PRIVATE_INTEGRATION_TOKEN: WRITE_TOKEN,
        GHL_LOCATION_ID: ghlSim.locationId,
        GHL_TOKEN_SCOPES: ALL_SCOPES.join(' '),
        GHL_MAX_RETRIES: '0',
        GHL_REQUEST_TIMEOUT_MS: '5000',
        DATABASE_URL: databaseUrl,
        ROOFR_ADAPTER: 'simulator',
        ROOFR_MAX_RETRIES: '0',
        ROOFR_REQUEST_TIMEOUT_MS: '2000',
        OUTBOX_POLL_MS: '25',
        ...env,
      });
      const gateway = await startGateway(config, {
        ...overrides,
        writePath: { roofrSimulator: roofrSim, ...overrides.writePath },
      });
      gateways.push(gateway);
      apiKeys.set(gateway, key);
      return gateway;
    },
    async close() {
      await Promise.all(gateways.map((gateway) => gateway.close()));
      await roofrSim.faults.up();
      await roofrSim.close();
      await ghlSim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The key each world's gateway is called with. */
const apiKeys = new WeakMap<Gateway, string>();

export async function gql(
  gateway: Gateway,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLAnswer> {
  const key = apiKeys.get(gateway);
  const response = await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-api-key': key }) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLAnswer;
}

/** The value at `data[field]`, failing with the errors when there is none. */
export function dataOf<T>(answer: GraphQLAnswer, field: string): T {
  const value = answer.data?.[field];
  if (value === undefined || value === null)
    throw new Error(`no data.${field}: ${JSON.stringify(answer.errors ?? answer)}`);
  return value as T;
}

/** Polls until `check` holds (the outbox worker delivers in the background); never a timing assertion. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const SYNC_FIELDS = 'roofrSync { status roofrId roofrJobId error outboxId }';

export interface RoofrSyncAnswer {
  status: 'SYNCED' | 'QUEUED' | 'SKIPPED' | 'FAILED';
  roofrId: string | null;
  roofrJobId: string | null;
  error: string | null;
  outboxId: string | null;
}
