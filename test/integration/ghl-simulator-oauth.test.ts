/**
 * OAuth: consent redirect → code → tokens → API call → refresh rotation (old refresh token dead
 * after 30 s, same answer within 30 s) → access-token expiry; and Company → Location tokens.
 */
import { startGhlSimulator } from '../../src/simulators/ghl/index.js';
import type { GhlSimulator } from '../../src/simulators/ghl/index.js';
import { callSim } from '../support/ghl-sim-http.js';

const client = { clientId: 'app-client', clientSecret: 'app-secret' };
let sim: GhlSimulator;

beforeEach(async () => {
  sim = await startGhlSimulator({ seed: 9, contacts: 5, oauthClients: [client], accessTokenTtlSec: 3600 });
});

afterEach(async () => {
  await sim.close();
});

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in: number;
  scope: string;
  userType: string;
  locationId?: string;
  companyId: string;
  userId: string;
  approvedLocations?: string[];
}

function exchange(form: Record<string, string>) {
  return callSim<TokenAnswer & { message?: string; error?: string }>(sim, 'POST', '/oauth/token', {
    token: null,
    version: null,
    form: { client_id: client.clientId, client_secret: client.clientSecret, ...form },
  });
}

const contactPath = (): string => `/contacts/${sim.data.listContactIds()[0] ?? ''}`;

test('when the consent page is approved, then it redirects with code and state, and the code buys a Location token', async () => {
  const consent = new URL(`${sim.url}/oauth/chooselocation`);
  consent.searchParams.set('response_type', 'code');
  consent.searchParams.set('client_id', client.clientId);
  consent.searchParams.set('redirect_uri', 'http://127.0.0.1:9/oauth/callback');
  consent.searchParams.set('scope', 'contacts.readonly contacts.write');
  consent.searchParams.set('state', 'xyz');
  const redirect = await fetch(consent, { redirect: 'manual' });
  expect(redirect.status).toBe(302);
  const location = new URL(redirect.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:9/oauth/callback');
  expect(location.searchParams.get('state')).toBe('xyz');
  const tokens = await exchange({
    grant_type: 'authorization_code',
    code: location.searchParams.get('code') ?? '',
    redirect_uri: 'http://127.0.0.1:9/oauth/callback',
    user_type: 'Location',
  });
  expect(tokens.status).toBe(200);
  expect(tokens.body).toMatchObject({
    token_type: 'Bearer',
    expires_in: 3600,
    scope: 'contacts.readonly contacts.write',
    userType: 'Location',
    locationId: sim.locationId,
    companyId: sim.companyId,
  });
  expect(tokens.body.refresh_token).toBeTruthy();
  expect((await callSim(sim, 'GET', contactPath(), { token: tokens.body.access_token })).status).toBe(200);
  const reused = await exchange({ grant_type: 'authorization_code', code: location.searchParams.get('code') ?? '' });
  expect(reused.status).toBe(400);
});

test('when a refresh token is used, then it rotates; a repeat within 30 s gets the same answer, later it is rejected', async () => {
  const code = sim.oauth.authorize({
    clientId: client.clientId,
    locationId: sim.locationId,
    scopes: ['contacts.readonly'],
  });
  const first = (await exchange({ grant_type: 'authorization_code', code })).body;
  const refreshed = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
  expect(refreshed.status).toBe(200);
  expect(refreshed.body.refresh_token).not.toBe(first.refresh_token);
  expect(refreshed.body.access_token).not.toBe(first.access_token);
  const concurrent = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
  expect(concurrent.body).toEqual(refreshed.body);
  sim.clock.advance(31_000);
  const stale = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
  expect(stale.status).toBe(400);
  expect(stale.body.error).toBe('invalid_grant');
  const next = await exchange({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token ?? '' });
  expect(next.status).toBe(200);
});

test('when an access token outlives expires_in, then the API answers 401 and a refreshed token works', async () => {
  const code = sim.oauth.authorize({
    clientId: client.clientId,
    locationId: sim.locationId,
    scopes: ['contacts.readonly'],
  });
  const tokens = (await exchange({ grant_type: 'authorization_code', code })).body;
  sim.clock.advance(3_600_000);
  const expired = await callSim(sim, 'GET', contactPath(), { token: tokens.access_token });
  expect(expired.status).toBe(401);
  expect(expired.body.message).toBe('Invalid JWT');
  const refreshed = (await exchange({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' })).body;
  expect((await callSim(sim, 'GET', contactPath(), { token: refreshed.access_token })).status).toBe(200);
});

test('when a refresh token is revoked, then it is rejected', async () => {
  const code = sim.oauth.authorize({
    clientId: client.clientId,
    locationId: sim.locationId,
    scopes: ['contacts.readonly'],
  });
  const tokens = (await exchange({ grant_type: 'authorization_code', code })).body;
  expect(sim.tokens.revoke(tokens.refresh_token ?? '')).toBe(true);
  expect((await exchange({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' })).status).toBe(400);
});

test('when the client secret is wrong or fields are missing, then 401 and 422', async () => {
  const wrong = await callSim(sim, 'POST', '/oauth/token', {
    token: null,
    version: null,
    form: { client_id: client.clientId, client_secret: 'nope', grant_type: 'refresh_token', refresh_token: 'x' },
  });
  expect(wrong.status).toBe(401);
  const missing = await callSim(sim, 'POST', '/oauth/token', {
    token: null,
    version: null,
    form: { client_id: client.clientId },
  });
  expect(missing.status).toBe(422);
  expect(Array.isArray(missing.body.message)).toBe(true);
});

test('when a Company token with oauth.write asks /oauth/locationToken, then it gets a Location token without refresh_token', async () => {
  const code = sim.oauth.authorize({
    clientId: client.clientId,
    companyId: sim.companyId,
    scopes: ['oauth.write', 'contacts.readonly'],
  });
  const company = (await exchange({ grant_type: 'authorization_code', code, user_type: 'Company' })).body;
  expect(company.userType).toBe('Company');
  expect(company.approvedLocations).toEqual([sim.locationId]);
  expect((await callSim(sim, 'GET', contactPath(), { token: company.access_token })).status).toBe(401);
  const minted = await callSim<TokenAnswer>(sim, 'POST', '/oauth/locationToken', {
    token: company.access_token,
    form: { companyId: sim.companyId, locationId: sim.locationId },
  });
  expect(minted.status).toBe(200);
  expect(minted.body).toMatchObject({ token_type: 'Bearer', locationId: sim.locationId, scope: 'contacts.readonly' });
  expect(minted.body.refresh_token).toBeUndefined();
  expect((await callSim(sim, 'GET', contactPath(), { token: minted.body.access_token })).status).toBe(200);
  const noVersion = await callSim(sim, 'POST', '/oauth/locationToken', {
    token: company.access_token,
    version: null,
    form: { companyId: sim.companyId, locationId: sim.locationId },
  });
  expect(noVersion.status).toBe(401);
});
