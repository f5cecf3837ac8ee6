/**
 * Client auth, tenancy and hardening as wired into the real gateway (src/gateway.ts), over real
 * HTTP: API keys and JWTs, one location per request, the limits on /graphql, and an OAuth
 * install whose tokens then serve GraphQL until the grant dies (UNAUTHENTICATED + installUrl).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { createApiKey } from '../../src/auth/api-keys.js';
import { generateKeyRingEntry, parseKeyRing } from '../../src/auth/key-ring.js';
import { storeApiKeyRepository, storeTokenRepository } from '../../src/auth/store-adapters.js';
import { TokenVault } from '../../src/auth/token-vault.js';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { openStore } from '../../src/store/open-store.js';
import {
  DEFAULT_LOCATION_ID,
  DEFAULT_OAUTH_CLIENT,
  startGhlSimulator,
  type GhlSimulator,
} from '../../src/simulators/ghl/index.js';

const JWT_SECRET = 'gateway-test-secret-at-least-32-characters';
const OTHER_LOCATION = 'OtherLocation0000001';

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

async function post(url: string, query: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function jwt(claims: Record<string, unknown>, secret = JWT_SECRET): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('crm-user')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const CONTACTS = '{ contacts(first: 2) { totalCount edges { node { id } } } }';

describe('gateway with client auth required (demo upstream)', () => {
  let dir: string;
  let gateway: Gateway;
  let readKey: string;
  let readWriteOtherKey: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-auth-gateway-'));
    const databaseUrl = `sqlite://${join(dir, 'gateway.db')}`;
    const store = await openStore(databaseUrl);
    readKey = (
      await createApiKey(storeApiKeyRepository(store), {
        name: 'reader',
        locations: [DEFAULT_LOCATION_ID],
        roles: ['read'],
      })
    ).key;
    readWriteOtherKey = (
      await createApiKey(storeApiKeyRepository(store), {
        name: 'other',
        locations: [OTHER_LOCATION],
        roles: ['read', 'write'],
      })
    ).key;
    await store.close();
    const config = parseConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      GHL_SIM_PORT: '0',
      DEMO_CONTACTS: '5',
      LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl,
      CLIENT_AUTH: 'required',
      JWT_SECRET,
      GRAPHQL_MAX_DEPTH: '5',
      GRAPHQL_BODY_LIMIT: '4kb',
    });
    gateway = await startGateway(config, { simulator: { rateLimit: { max: 100_000 } } });
  });

  afterAll(async () => {
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when no credentials are sent, then 401 UNAUTHENTICATED', async () => {
    const answer = await post(gateway.graphqlUrl, CONTACTS);
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('when an API key for the location is sent, then the query runs for that location', async () => {
    const answer = await post(gateway.graphqlUrl, CONTACTS, { 'x-api-key': readKey });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect((answer.body.data?.contacts as { totalCount: number }).totalCount).toBe(5);
  });

  it('when an API key for location A asks for location B, then 403 FORBIDDEN and nothing of B is read', async () => {
    const before = gateway.simulator?.log.total() ?? 0;
    const answer = await post(gateway.graphqlUrl, CONTACTS, {
      'x-api-key': readWriteOtherKey,
      'x-location-id': DEFAULT_LOCATION_ID,
    });
    expect(answer.status).toBe(403);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(answer.body.data ?? null).toBeNull();
    expect(gateway.simulator?.log.total()).toBe(before);
  });

  it('when a JWT is signed with the wrong secret, then 401 UNAUTHENTICATED; a good one runs', async () => {
    const claims = { locations: [DEFAULT_LOCATION_ID], roles: ['read'] };
    const forged = await post(gateway.graphqlUrl, CONTACTS, {
      authorization: `Bearer ${await jwt(claims, 'not-the-gateway-secret-but-32-chars-long')}`,
    });
    expect(forged.status).toBe(401);
    expect(forged.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const good = await post(gateway.graphqlUrl, CONTACTS, { authorization: `Bearer ${await jwt(claims)}` });
    expect(good.status).toBe(200);
    expect(good.body.errors).toBeUndefined();
  });

  it('when a query breaks a limit, the body is too large, or a GET lacks the CSRF header, then the gateway refuses with a coded 4xx', async () => {
    const deep = await post(
      gateway.graphqlUrl,
      '{ contacts(first: 1) { edges { node { tasks { contact { tasks { id } } } } } } }',
      { 'x-api-key': readKey },
    );
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth' });

    const big = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': readKey },
      body: JSON.stringify({ query: `${CONTACTS} # ${'x'.repeat(8192)}` }),
    });
    expect(big.status).toBe(400);
    expect(((await big.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe(
      'REQUEST_TOO_LARGE',
    );

    const malformed = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': readKey },
      body: '{"query": ',
    });
    expect(malformed.status).toBe(400);
    expect(
      ((await malformed.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code,
    ).toBe('BAD_REQUEST');

    const get = await fetch(`${gateway.graphqlUrl}?query=${encodeURIComponent(CONTACTS)}`, {
      headers: { 'x-api-key': readKey, accept: 'application/json' },
    });
    expect(get.status).toBe(400);
  });
});

describe('gateway in production without client auth', () => {
  it('when no JWT is configured and no API key exists, then the gateway refuses to start and says what to set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-auth-prod-'));
    try {
      const config = parseConfig({
        NODE_ENV: 'production',
        PORT: '0',
        HOST: '127.0.0.1',
        GHL_PRIVATE_INTEGRATION_TOKEN: 'pit-production-token',
        GHL_LOCATION_ID: DEFAULT_LOCATION_ID,
        GHL_API_BASE_URL: 'http://127.0.0.1:9',
        LOG_LEVEL: 'silent',
        DATABASE_URL: `sqlite://${join(dir, 'gateway.db')}`,
      });
      await expect(startGateway(config)).rejects.toThrow(/JWT_SECRET or JWT_JWKS_URL, or create an API key/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('gateway with OAuth installs', () => {
  let dir: string;
  let sim: GhlSimulator;
  let gateway: Gateway;
  let key: string;
  let databaseUrl: string;
  const keyText = generateKeyRingEntry('k1');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-auth-oauth-'));
    sim = await startGhlSimulator({ contacts: 4, tokens: [], rateLimit: { max: 100_000 } });
    databaseUrl = `sqlite://${join(dir, 'gateway.db')}`;
    const store = await openStore(databaseUrl);
    key = (
      await createApiKey(storeApiKeyRepository(store), { name: 'crm', locations: [sim.locationId], roles: ['read'] })
    ).key;
    await store.close();
    const port = await freePort();
    const config = parseConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl,
      GHL_API_BASE_URL: sim.url,
      GHL_CLIENT_ID: DEFAULT_OAUTH_CLIENT.clientId,
      GHL_CLIENT_SECRET: DEFAULT_OAUTH_CLIENT.clientSecret,
      GHL_REDIRECT_URI: `http://127.0.0.1:${port}/oauth/callback`,
      GHL_OAUTH_CONSENT_URL: `${sim.url}/v2/oauth/chooselocation`,
      GHL_SCOPES: 'contacts.write locations/tasks.readonly calendars/events.readonly',
      TOKEN_ENCRYPTION_KEY: keyText,
      CLIENT_AUTH: 'required',
    });
    gateway = await startGateway(config);
  });

  afterAll(async () => {
    await gateway.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when a location is installed through /oauth/install, then GraphQL serves it with the OAuth token until the grant dies, then UNAUTHENTICATED with installUrl', async () => {
    const before = await post(gateway.graphqlUrl, CONTACTS, { 'x-api-key': key });
    expect(before.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      installUrl: `${gateway.url}/oauth/install`,
    });

    const start = await fetch(`${gateway.url}/oauth/install`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const consent = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
    const callback = await fetch(consent.headers.get('location') ?? '', { redirect: 'manual' });
    expect(callback.status).toBe(200);
    expect(await callback.text()).toContain(`Location ${sim.locationId} is connected`);

    const served = await post(gateway.graphqlUrl, CONTACTS, { 'x-api-key': key });
    expect(served.body.errors).toBeUndefined();
    expect((served.body.data?.contacts as { totalCount: number }).totalCount).toBe(4);

    // Kill the grant at HighLevel (an admin revoked the app): access and refresh token die.
    const store = await openStore(databaseUrl);
    try {
      const grant = await new TokenVault(storeTokenRepository(store), parseKeyRing(keyText)).get(
        'location',
        sim.locationId,
      );
      expect(sim.tokens.revoke(grant?.accessToken ?? '')).toBe(true);
      expect(sim.tokens.revoke(grant?.refreshToken ?? '')).toBe(true);
    } finally {
      await store.close();
    }
    // A contact no earlier query read, so the shared cache cannot answer for HighLevel.
    const unread = sim.data.listContactIds().filter((id) => !JSON.stringify(served.body).includes(id))[0] ?? '';
    const dead = await post(gateway.graphqlUrl, `{ contact(id: "${unread}") { id name } }`, { 'x-api-key': key });
    expect(dead.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      installUrl: `${gateway.url}/oauth/install`,
    });
  });
});
