/**
 * Shared by the OAuth tests: the HighLevel simulator, an Express app with the OAuth routes, the
 * token vault (in memory or over the real store) and the refreshing token provider, plus the
 * browser's part of an install (following the redirects by hand).
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { parseKeyRing, generateKeyRingEntry, type KeyRing } from '../../src/auth/key-ring.js';
import { OAuthStateSigner } from '../../src/auth/oauth-state.js';
import { redaction } from '../../src/auth/redaction.js';
import { InMemoryOAuthTokenRepository, TokenVault, type OAuthTokenRepository } from '../../src/auth/token-vault.js';
import { OAuthClient } from '../../src/ghl/oauth-client.js';
import { requestedScopes } from '../../src/ghl/oauth-consent.js';
import { OAuthTokenProvider } from '../../src/ghl/oauth-token-provider.js';
import { createOAuthRouter } from '../../src/http/oauth-routes.js';
import { DEFAULT_OAUTH_CLIENT, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';

export const TTL_SEC = 3600;
export const MARGIN_MS = 60_000;

export interface Harness {
  sim: GhlSimulator;
  server: Server;
  baseUrl: string;
  vault: TokenVault;
  provider: OAuthTokenProvider;
  oauth: OAuthClient;
  logLines: string[];
  close(): Promise<void>;
}

interface HarnessOptions {
  userType?: 'Location' | 'Company';
  repository?: OAuthTokenRepository;
  keyRing?: KeyRing;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const userType = options.userType ?? 'Location';
  const sim = await startGhlSimulator({ contacts: 3, accessTokenTtlSec: TTL_SEC });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino({ level: 'debug', redact: redaction }, sink);
  const now = () => sim.clock.now();
  const app = express();
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const redirectUri = `${baseUrl}/oauth/callback`;
  const oauth = new OAuthClient({
    baseUrl: sim.url,
    clientId: DEFAULT_OAUTH_CLIENT.clientId,
    clientSecret: DEFAULT_OAUTH_CLIENT.clientSecret,
    redirectUri,
    timeoutMs: 5000,
    now,
  });
  const vault = new TokenVault(
    options.repository ?? new InMemoryOAuthTokenRepository(),
    options.keyRing ?? parseKeyRing(generateKeyRingEntry('k1')),
    () => new Date(now()),
  );
  const provider = new OAuthTokenProvider({
    vault,
    oauth,
    refreshMarginMs: MARGIN_MS,
    installUrl: `${baseUrl}/oauth/install`,
    now,
    log: logger,
  });
  app.use(
    createOAuthRouter({
      consent: {
        consentUrl: `${sim.url}/v2/oauth/chooselocation`,
        clientId: DEFAULT_OAUTH_CLIENT.clientId,
        redirectUri,
        scopes: requestedScopes(userType === 'Company' ? ['contacts.write', 'oauth.write'] : ['contacts.write']),
      },
      userType,
      state: new OAuthStateSigner('state-secret-for-tests', 600_000),
      oauth,
      vault,
      log: logger,
      now,
    }),
  );
  return {
    sim,
    server,
    baseUrl,
    vault,
    provider,
    oauth,
    logLines,
    close: async () => {
      server.close();
      await sim.close();
    },
  };
}

/** Follows install → consent → callback by hand (manual redirects), as a browser would. */
export async function install(
  harness: Harness,
  consentQuery: Record<string, string> = {},
): Promise<{ consentUrl: URL; callbackUrl: URL; page: Response }> {
  const start = await fetch(`${harness.baseUrl}/oauth/install`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const consentUrl = new URL(start.headers.get('location') ?? '');
  for (const [name, value] of Object.entries(consentQuery)) consentUrl.searchParams.set(name, value);
  const consent = await fetch(consentUrl, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const callbackUrl = new URL(consent.headers.get('location') ?? '');
  const page = await fetch(callbackUrl, { redirect: 'manual' });
  return { consentUrl, callbackUrl, page };
}

export async function contactsStatus(harness: Harness, accessToken: string): Promise<number> {
  const response = await fetch(`${harness.sim.url}/contacts/?locationId=${harness.sim.locationId}&limit=1`, {
    headers: { authorization: `Bearer ${accessToken}`, version: '2021-07-28' },
  });
  return response.status;
}

export async function postRefresh(
  harness: Harness,
  refreshToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${harness.sim.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: DEFAULT_OAUTH_CLIENT.clientId,
      client_secret: DEFAULT_OAUTH_CLIENT.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      user_type: 'Location',
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
