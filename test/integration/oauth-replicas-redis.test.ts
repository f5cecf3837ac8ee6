/**
 * OAuth installs behind a load balancer, as wired by the gateway (src/wiring/security.ts): with
 * REDIS_URL set, the install links' single-use nonces live in Redis, so the replica that receives
 * the callback need not be the one that issued the link, and a replayed callback is refused by
 * every replica. When Redis does not answer, the callback says "try again" (503, no 500), spends
 * neither the link nor the code, and the same link works once Redis is back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyRingEntry } from '../../src/auth/key-ring.js';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { DEFAULT_OAUTH_CLIENT, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { TcpProxy, unusedPort } from './cache-tcp-proxy.js';

const redisUrl = process.env.REDIS_URL;
const describeIf = redisUrl ? describe : describe.skip;
if (!redisUrl) console.warn('oauth-replicas-redis.test.ts: set REDIS_URL to run the replicas OAuth nonce tests');

const STATE_SECRET = 'replicas-share-this-state-secret-0123456789';
const KEY_RING = generateKeyRingEntry('k1');

async function startReplica(
  sim: GhlSimulator,
  dir: string,
  name: string,
  port: number,
  redirectUri: string,
  redis: string,
): Promise<Gateway> {
  return startGateway(
    parseConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: `sqlite://${join(dir, `${name}.db`)}`,
      REDIS_URL: redis,
      GHL_API_BASE_URL: sim.url,
      GHL_CLIENT_ID: DEFAULT_OAUTH_CLIENT.clientId,
      GHL_CLIENT_SECRET: DEFAULT_OAUTH_CLIENT.clientSecret,
      GHL_REDIRECT_URI: redirectUri,
      GHL_OAUTH_CONSENT_URL: `${sim.url}/v2/oauth/chooselocation`,
      GHL_SCOPES: 'contacts.write',
      OAUTH_STATE_SECRET: STATE_SECRET,
      TOKEN_ENCRYPTION_KEY: KEY_RING,
      CLIENT_AUTH: 'required',
    }),
  );
}

/** The browser's part up to HighLevel's redirect back: the callback URL, pointed at `replicaUrl`. */
async function consentCallback(issuer: Gateway, replicaUrl: string): Promise<string> {
  const start = await fetch(`${issuer.url}/oauth/install`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const consent = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
  const callback = new URL(consent.headers.get('location') ?? '');
  // The load balancer: the public redirect URI reaches whichever replica it picks.
  const target = new URL(replicaUrl);
  callback.host = target.host;
  return callback.toString();
}

describeIf('OAuth installs across replicas sharing Redis', () => {
  let dir: string;
  let sim: GhlSimulator;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-oauth-replicas-'));
    sim = await startGhlSimulator({ contacts: 2, tokens: [], rateLimit: { max: 100_000 } });
  });

  afterEach(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when replica A issued the install link and replica B receives the callback, then B accepts it once and a replay is refused by both', async () => {
    const portA = await unusedPort();
    const portB = await unusedPort();
    const publicRedirect = `http://127.0.0.1:${portA}/oauth/callback`;
    const replicaA = await startReplica(sim, dir, 'a', portA, publicRedirect, redisUrl ?? '');
    const replicaB = await startReplica(sim, dir, 'b', portB, publicRedirect, redisUrl ?? '');
    try {
      const atB = await consentCallback(replicaA, replicaB.url);
      const page = await fetch(atB, { redirect: 'manual' });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`Location ${sim.locationId} is connected`);
      expect(sim.log.count('POST', '/oauth/token')).toBe(1);

      const atA = new URL(atB);
      atA.host = new URL(replicaA.url).host;
      for (const replay of [atA.toString(), atB]) {
        const refused = await fetch(replay, { redirect: 'manual' });
        expect(refused.status).toBe(400);
        expect(await refused.text()).toContain('replayed');
      }
      expect(sim.log.count('POST', '/oauth/token')).toBe(1);
    } finally {
      await replicaB.close();
      await replicaA.close();
    }
  });

  it('when Redis does not answer at the callback, then the page says try again (503), nothing is spent, and the same link works once Redis is back', async () => {
    const target = new URL(redisUrl ?? '');
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    const proxyPort = await proxy.listen();
    const port = await unusedPort();
    const gateway = await startReplica(
      sim,
      dir,
      'c',
      port,
      `http://127.0.0.1:${port}/oauth/callback`,
      `redis://127.0.0.1:${proxyPort}`,
    );
    try {
      const callback = await consentCallback(gateway, gateway.url);
      proxy.cut();
      const refused = await fetch(callback, { redirect: 'manual' });
      expect(refused.status).toBe(503);
      expect(await refused.text()).toContain('the link is still valid');
      expect(sim.log.count('POST', '/oauth/token')).toBe(0);

      proxy.restore();
      // ioredis reconnects on its own schedule; the reload a person would do, a few times.
      let status = 0;
      for (let attempt = 0; attempt < 40 && status !== 200; attempt += 1) {
        status = (await fetch(callback, { redirect: 'manual' })).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(status).toBe(200);
      expect(sim.log.count('POST', '/oauth/token')).toBe(1);
    } finally {
      await gateway.close();
      await proxy.close();
    }
  });
});
