/**
 * Roofr webhooks in OAuth (multi-location) mode, over real HTTP against a whole gateway with no
 * default location, installed through the real /oauth/install dance on the HighLevel simulator.
 * Each way a Roofr event finds its location is shown (the only install; the URL's
 * `/webhooks/roofr/:locationId`; the links of the records it names; an event queued without a
 * location by an older release), each accepted event is processed in its location (not
 * dead-lettered), and what can never be processed is refused at intake with a JSON reason and
 * nothing queued.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyRingEntry } from '../../src/auth/key-ring.js';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { signRoofrWebhook } from '../../src/roofr/webhook-signature.js';
import { DEFAULT_OAUTH_CLIENT, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';

const SECRET = 'roofr-oauth-test-secret';
const LOCATION_A = 'SimOauthLocationAAAA1';
const LOCATION_B = 'SimOauthLocationBBBB2';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let sequence = 0;

function leadEvent(email: string): { id: string; body: string } {
  sequence += 1;
  const id = `evt_oauth_lead_${sequence}_${Date.now()}`;
  const body = JSON.stringify({
    id,
    event: 'lead.created',
    timestamp: new Date().toISOString(),
    data: { lead: { first_name: 'Lead', last_name: `Number${sequence}`, email, source: 'Instant Estimator' } },
  });
  return { id, body };
}

function customerEvent(customerId: string, email: string): { id: string; body: string } {
  sequence += 1;
  const id = `evt_oauth_customer_${sequence}_${Date.now()}`;
  const body = JSON.stringify({
    id,
    event: 'customer.updated',
    timestamp: new Date().toISOString(),
    data: {
      customer: {
        id: customerId,
        first_name: 'Linked',
        last_name: 'Customer',
        email,
        phone: null,
        company_name: null,
        address: null,
        custom_fields: {},
        created_at: null,
        updated_at: new Date().toISOString(),
      },
    },
  });
  return { id, body };
}

describe('Roofr webhooks in OAuth mode', () => {
  let dir: string;
  let sim: GhlSimulator;
  let gateway: Gateway;

  async function postRoofr(
    path: string,
    event: { body: string },
  ): Promise<{ status: number; body: { accepted: boolean; reason?: string; detail?: string } }> {
    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-roofr-signature': signRoofrWebhook(SECRET, event.body) },
      body: event.body,
    });
    return { status: response.status, body: (await response.json()) as { accepted: boolean; reason?: string } };
  }

  async function queued(webhookId: string): Promise<{ location_id: string | null; status: string } | undefined> {
    return gateway.writePath.store.db
      .selectFrom('inbound_events')
      .select(['location_id', 'status'])
      .where('webhook_id', '=', webhookId)
      .executeTakeFirst();
  }

  /** Waits until the worker finished the event (done, or dead: a failure the test reports). */
  async function processed(webhookId: string): Promise<{ location_id: string | null; status: string } | undefined> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const row = await queued(webhookId);
      if ((row !== undefined && (row.status === 'done' || row.status === 'dead')) || Date.now() > deadline) return row;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  function contactByEmail(locationId: string, email: string): string | undefined {
    return sim.data.listContactIds(locationId).find((id) => sim.data.getContact(id)?.email === email);
  }

  async function install(locationId: string): Promise<void> {
    const start = await fetch(`${gateway.url}/oauth/install`, { redirect: 'manual' });
    const consent = new URL(start.headers.get('location') ?? '');
    consent.searchParams.set('locationId', locationId);
    const chosen = await fetch(consent, { redirect: 'manual' });
    const callback = await fetch(chosen.headers.get('location') ?? '', { redirect: 'manual' });
    expect(callback.status).toBe(200);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-roofr-oauth-'));
    sim = await startGhlSimulator({
      locations: [
        { locationId: LOCATION_A, contacts: 2 },
        { locationId: LOCATION_B, contacts: 2 },
      ],
      tokens: [],
      rateLimit: { max: 100_000 },
    });
    const port = await freePort();
    gateway = await startGateway(
      parseConfig({
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        DATABASE_URL: `sqlite://${join(dir, 'gateway.db')}`,
        GHL_API_BASE_URL: sim.url,
        GHL_CLIENT_ID: DEFAULT_OAUTH_CLIENT.clientId,
        GHL_CLIENT_SECRET: DEFAULT_OAUTH_CLIENT.clientSecret,
        GHL_REDIRECT_URI: `http://127.0.0.1:${port}/oauth/callback`,
        GHL_OAUTH_CONSENT_URL: `${sim.url}/v2/oauth/chooselocation`,
        GHL_SCOPES: 'contacts.write',
        TOKEN_ENCRYPTION_KEY: generateKeyRingEntry('k1'),
        CLIENT_AUTH: 'required',
        ROOFR_WEBHOOK_SECRET: SECRET,
        SYNC_SCHEDULE: 'off',
        SYNC_WORKER_POLL_MS: '50',
      }),
    );
    // The embedded Roofr simulator's own change webhooks would add echo events; these tests
    // send every Roofr event themselves.
    gateway.writePath.roofrSimulator?.webhooks.configure(null);
  }, 60_000);

  afterAll(async () => {
    await gateway.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when the app is installed for one location, then a Roofr lead naming no location is queued for it and processed there', async () => {
    await install(LOCATION_A);
    const event = leadEvent('only.install@example.com');
    expect(await postRoofr('/webhooks/roofr', event)).toEqual({ status: 200, body: { accepted: true } });
    expect(await processed(event.id)).toEqual({ location_id: LOCATION_A, status: 'done' });
    expect(contactByEmail(LOCATION_A, 'only.install@example.com')).toBeDefined();
  });

  it('when the URL names a location the app is not installed for, then 404 with the reason and nothing queued', async () => {
    const event = leadEvent('nowhere@example.com');
    const answer = await postRoofr('/webhooks/roofr/NotInstalledLocation1', event);
    expect(answer).toMatchObject({ status: 404, body: { accepted: false, reason: 'unknown-location' } });
    expect(await queued(event.id)).toBeUndefined();
    expect((await postRoofr('/webhooks/roofr/not%20an%20id', event)).body.reason).toBe('unknown-location');
  });

  it('when two locations are installed, then a lead naming none is refused 422, and the same lead on /webhooks/roofr/:locationId is processed in that location', async () => {
    await install(LOCATION_B);
    const event = leadEvent('second.location@example.com');
    const refused = await postRoofr('/webhooks/roofr', event);
    expect(refused).toMatchObject({ status: 422, body: { accepted: false, reason: 'no-location' } });
    expect(refused.body.detail).toContain('/webhooks/roofr/<locationId>');
    expect(await queued(event.id)).toBeUndefined();

    // Nothing was recorded for the refused one, so the sender's corrected delivery is not a replay.
    expect(await postRoofr(`/webhooks/roofr/${LOCATION_B}`, event)).toEqual({ status: 200, body: { accepted: true } });
    expect(await processed(event.id)).toEqual({ location_id: LOCATION_B, status: 'done' });
    expect(contactByEmail(LOCATION_B, 'second.location@example.com')).toBeDefined();
    expect(contactByEmail(LOCATION_A, 'second.location@example.com')).toBeUndefined();
  });

  it('when an event names a Roofr customer linked in one location, then it is queued for that location without one in the URL', async () => {
    const contactId = contactByEmail(LOCATION_A, 'only.install@example.com') ?? '';
    const link = await gateway.writePath.store.links.findByGhl({
      locationId: LOCATION_A,
      ghlKind: 'contact',
      ghlId: contactId,
      roofrKind: 'customer',
    });
    expect(link?.status).toBe('active');
    const event = customerEvent(link?.roofrId ?? '', 'only.install@example.com');
    expect(await postRoofr('/webhooks/roofr', event)).toEqual({ status: 200, body: { accepted: true } });
    expect(await processed(event.id)).toEqual({ location_id: LOCATION_A, status: 'done' });
  });

  it('when an older release queued a Roofr event without a location, then the worker finds it from the links instead of failing it 8 times', async () => {
    const contactId = contactByEmail(LOCATION_B, 'second.location@example.com') ?? '';
    const link = await gateway.writePath.store.links.findByGhl({
      locationId: LOCATION_B,
      ghlKind: 'contact',
      ghlId: contactId,
      roofrKind: 'customer',
    });
    const event = customerEvent(link?.roofrId ?? '', 'second.location@example.com');
    await gateway.writePath.store.webhooks.accept({
      source: 'roofr',
      webhookId: event.id,
      locationId: '',
      eventType: 'customer.updated',
      payload: JSON.parse(event.body) as unknown,
    });
    expect(await processed(event.id)).toMatchObject({ status: 'done' });
    const unlinked = customerEvent('cu-linked-nowhere', 'nobody@example.com');
    await gateway.writePath.store.webhooks.accept({
      source: 'roofr',
      webhookId: unlinked.id,
      locationId: '',
      eventType: 'customer.updated',
      payload: JSON.parse(unlinked.body) as unknown,
    });
    // Unprocessable for good: dead after one attempt, with the reason, not after 8 tries.
    expect(await processed(unlinked.id)).toMatchObject({ status: 'dead' });
    const dead = await gateway.writePath.store.db
      .selectFrom('inbound_events')
      .select(['attempts', 'last_error'])
      .where('webhook_id', '=', unlinked.id)
      .executeTakeFirstOrThrow();
    expect(dead.attempts).toBe(1);
    expect(dead.last_error).toContain('without a location');
  });
});
