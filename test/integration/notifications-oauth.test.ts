/**
 * A dead OAuth grant, end to end: an installed location whose grant HighLevel stops accepting
 * (its access and refresh tokens revoked: the refused refresh marks it needs_reinstall) gets one
 * reinstall_required notification
 * whose remedy is the gateway's install link; installing again through that link and the next
 * answered call resolve it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../../src/auth/api-keys.js';
import { generateKeyRingEntry, parseKeyRing } from '../../src/auth/key-ring.js';
import { storeApiKeyRepository, storeTokenRepository } from '../../src/auth/store-adapters.js';
import { TokenVault } from '../../src/auth/token-vault.js';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { DEFAULT_OAUTH_CLIENT, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('a dead OAuth grant', () => {
  let sim: GhlSimulator;
  let gateway: Gateway;
  let dir: string;
  let key: string;
  const tokenKey = generateKeyRingEntry('k1');

  async function install(): Promise<void> {
    const start = await fetch(`${gateway.url}/oauth/install`, { redirect: 'manual' });
    const consent = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
    const callback = await fetch(consent.headers.get('location') ?? '', { redirect: 'manual' });
    expect(callback.status).toBe(200);
  }

  async function graphql(
    query: string,
  ): Promise<{ data?: Record<string, unknown>; errors?: Array<{ extensions?: Record<string, unknown> }> }> {
    const response = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as {
      data?: Record<string, unknown>;
      errors?: Array<{ extensions?: Record<string, unknown> }>;
    };
  }

  beforeAll(async () => {
    sim = await startGhlSimulator({ contacts: 2, tokens: [], rateLimit: { max: 100_000 } });
    const port = await freePort();
    dir = await mkdtemp(join(tmpdir(), 'gateway-notify-oauth-'));
    gateway = await startGateway(
      parseConfig({
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite://${join(dir, 'gateway.db')}`,
        GHL_API_BASE_URL: sim.url,
        GHL_CLIENT_ID: DEFAULT_OAUTH_CLIENT.clientId,
        GHL_CLIENT_SECRET: DEFAULT_OAUTH_CLIENT.clientSecret,
        GHL_REDIRECT_URI: `http://127.0.0.1:${port}/oauth/callback`,
        GHL_OAUTH_CONSENT_URL: `${sim.url}/v2/oauth/chooselocation`,
        TOKEN_ENCRYPTION_KEY: tokenKey,
        CLIENT_AUTH: 'required',
        SYNC_SCHEDULE: 'off',
        RESPONSE_CACHE_MAX_ENTRIES: '0',
      }),
    );
    key = (
      await createApiKey(storeApiKeyRepository(gateway.writePath.store), {
        name: 'ops',
        locations: [sim.locationId],
        roles: ['read', 'sync-admin'],
      })
    ).key;
  }, 30_000);

  afterAll(async () => {
    await gateway.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when the grant is dead, then one reinstall_required notification carries the install link; reinstalling resolves it', async () => {
    await install();
    expect((await graphql('{ contacts(first: 1) { totalCount } }')).errors).toBeUndefined();
    // Kill the grant at HighLevel (an admin revoked the app): the next call meets a 401, the
    // refresh is refused, and the gateway marks the location needs_reinstall.
    const grant = await new TokenVault(storeTokenRepository(gateway.writePath.store), parseKeyRing(tokenKey)).get(
      'location',
      sim.locationId,
    );
    expect(sim.tokens.revoke(grant?.accessToken ?? '')).toBe(true);
    expect(sim.tokens.revoke(grant?.refreshToken ?? '')).toBe(true);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      // Pages not read before: nothing in the shared cache can answer them.
      const refused = await graphql(`{ contacts(first: ${attempt + 2}) { totalCount } }`);
      expect(refused.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    }
    await gateway.notify.settle();
    const listed = await graphql(
      '{ notifications(first: 10) { edges { node { kind status severity summary remedy { url command } } } } }',
    );
    const nodes = (listed.data?.['notifications'] as { edges: Array<{ node: Record<string, unknown> }> }).edges.map(
      (edge) => edge.node,
    );
    expect(nodes).toEqual([
      expect.objectContaining({
        kind: 'reinstall_required',
        status: 'FIRING',
        severity: 'CRITICAL',
        remedy: { url: `${gateway.url}/oauth/install`, command: 'npm run auth -- url' },
      }),
    ]);

    await install();
    expect((await graphql('{ contacts(first: 7) { totalCount } }')).errors).toBeUndefined();
    await gateway.notify.settle();
    const after = await graphql('{ notifications(first: 10) { edges { node { kind status } } } }');
    expect(
      (after.data?.['notifications'] as { edges: Array<{ node: { status: string } }> }).edges.map(
        (edge) => edge.node.status,
      ),
    ).toEqual(['RESOLVED', 'FIRING']);
  }, 30_000);
});
