/**
 * /readyz's "token" check with OAuth installs and no default location (GHL_LOCATION_ID unset):
 * not ready before any install, ready once a location is installed through the real
 * /oauth/install dance against the simulator, not ready again once that install is marked
 * needs_reinstall (as a rejected refresh marks it).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyRingEntry } from '../../src/auth/key-ring.js';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { DEFAULT_OAUTH_CLIENT, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function readiness(
  gateway: Gateway,
): Promise<{ status: number; body: { failed?: string[]; checks: Record<string, string> } }> {
  const response = await fetch(`${gateway.url}/readyz`);
  return {
    status: response.status,
    body: (await response.json()) as { failed?: string[]; checks: Record<string, string> },
  };
}

describe('readiness with OAuth installs', () => {
  let dir: string;
  let sim: GhlSimulator;
  let gateway: Gateway;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-ready-oauth-'));
    sim = await startGhlSimulator({ contacts: 2, tokens: [], rateLimit: { max: 100_000 } });
    const port = await freePort();
    const config = parseConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite://${join(dir, 'gateway.db')}`,
      GHL_API_BASE_URL: sim.url,
      GHL_CLIENT_ID: DEFAULT_OAUTH_CLIENT.clientId,
      GHL_CLIENT_SECRET: DEFAULT_OAUTH_CLIENT.clientSecret,
      GHL_REDIRECT_URI: `http://127.0.0.1:${port}/oauth/callback`,
      GHL_OAUTH_CONSENT_URL: `${sim.url}/v2/oauth/chooselocation`,
      TOKEN_ENCRYPTION_KEY: generateKeyRingEntry('k1'),
      CLIENT_AUTH: 'required',
      SYNC_SCHEDULE: 'off',
    });
    gateway = await startGateway(config);
  });

  afterAll(async () => {
    await gateway.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when nothing is installed, then /readyz is 503 naming "token"; after an install 200; after needs_reinstall 503 again', async () => {
    const before = await readiness(gateway);
    expect(before.status).toBe(503);
    expect(before.body.failed).toEqual(['token']);
    expect(before.body.checks['database']).toBe('ok');

    const start = await fetch(`${gateway.url}/oauth/install`, { redirect: 'manual' });
    const consent = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
    const callback = await fetch(consent.headers.get('location') ?? '', { redirect: 'manual' });
    expect(callback.status).toBe(200);
    const installed = await readiness(gateway);
    expect(installed).toMatchObject({ status: 200, body: { checks: { token: 'ok', database: 'ok' } } });

    expect(await gateway.writePath.store.tokens.markNeedsReinstall({ kind: 'location', id: sim.locationId })).toBe(
      true,
    );
    const dead = await readiness(gateway);
    expect(dead.status).toBe(503);
    expect(dead.body.failed).toEqual(['token']);
    expect(dead.body.checks['token']).toContain('/oauth/install');
  });
});
