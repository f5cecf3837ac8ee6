/**
 * Shared by the security suite (test/security/): a gateway started the way an operator starts
 * it against "real" HighLevel (the simulator reached over HTTP with a Private Integration Token,
 * NODE_ENV unset unless a case sets it), API keys made in its state database, and requests as an
 * attacker would send them (raw fetch, any headers, any body).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../../src/auth/api-keys.js';
import type { DocumentsMode, Role } from '../../src/auth/caller-identity.js';
import { storeApiKeyRepository } from '../../src/auth/store-adapters.js';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway, type GatewayOverrides } from '../../src/gateway.js';
import { openStore } from '../../src/store/open-store.js';
import { DEFAULT_LOCATION_ID, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';

const PIT = 'pit-security-suite-token';
const ALL_SCOPES = ['contacts.readonly', 'contacts.write', 'locations/tasks.readonly', 'calendars/events.readonly'];
export const OTHER_LOCATION = 'SecurityOtherLoc0001';

export interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
    extensions?: Record<string, unknown>;
  };
}

/** POST /graphql with a JSON body (any shape: the suite sends what clients and attackers send). */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Answer['body'];
  try {
    parsed = JSON.parse(text) as Answer['body'];
  } catch {
    throw new Error(`POST ${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export function gql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Answer> {
  return postJson(url, { query, variables }, headers);
}

export function codeOf(answer: Answer): unknown {
  return answer.body.errors?.[0]?.extensions?.code;
}

export interface SecurityWorld {
  sim: GhlSimulator;
  dir: string;
  databaseUrl: string;
  /** Base environment of a gateway on this simulator with a Private Integration Token. */
  env: Record<string, string>;
  start(env?: Record<string, string>, overrides?: GatewayOverrides): Promise<Gateway>;
  /** An API key in the world's state database (before or while a gateway runs). */
  apiKey(options: { roles: Role[]; locations?: string[]; name?: string; documents?: DocumentsMode }): Promise<string>;
  close(): Promise<void>;
}

/** A HighLevel simulator with two locations and a Private Integration Token, and a SQLite state database. */
export async function startSecurityWorld(options: { contacts?: number } = {}): Promise<SecurityWorld> {
  const sim = await startGhlSimulator({
    contacts: options.contacts ?? 5,
    rateLimit: { max: 100_000, dailyMax: 10_000_000 },
    locations: [{ locationId: DEFAULT_LOCATION_ID }, { locationId: OTHER_LOCATION }],
    tokens: [
      { token: PIT, locationId: DEFAULT_LOCATION_ID, scopes: ALL_SCOPES },
      { token: `${PIT}-other`, locationId: OTHER_LOCATION, scopes: ALL_SCOPES },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'gw-security-'));
  const databaseUrl = `sqlite://${join(dir, 'gateway.db')}`;
  const gateways: Gateway[] = [];
  const env = {
    PORT: '0',
    LOG_LEVEL: 'silent',
    GHL_API_BASE_URL: sim.url,
    GHL_PRIVATE_INTEGRATION_TOKEN: PIT,
    GHL_LOCATION_ID: DEFAULT_LOCATION_ID,
    GHL_TOKEN_SCOPES: ALL_SCOPES.join(' '),
    GHL_MAX_RETRIES: '0',
    DATABASE_URL: databaseUrl,
    SYNC_SCHEDULE: 'off',
  };
  return {
    sim,
    dir,
    databaseUrl,
    env,
    async start(extra = {}, overrides = {}) {
      const gateway = await startGateway(parseConfig({ ...env, ...extra }), overrides);
      gateways.push(gateway);
      return gateway;
    },
    async apiKey({ roles, locations = [DEFAULT_LOCATION_ID], name = 'security-suite', documents }) {
      const store = await openStore(databaseUrl);
      try {
        return (
          await createApiKey(storeApiKeyRepository(store), {
            name,
            locations,
            roles,
            ...(documents === undefined ? {} : { documents }),
          })
        ).key;
      } finally {
        await store.close();
      }
    },
    async close() {
      await Promise.all(gateways.map((gateway) => gateway.close()));
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
