/**
 * POST /webhooks/ghl and /webhooks/roofr over real HTTP: signatures (Ed25519 preferred, RSA
 * fallback; HMAC for Roofr), replay rules (stale timestamp, repeated id), malformed bodies, and
 * overload. A rejected request queues nothing.
 */
import { signWebhookBody } from '../../src/simulators/ghl/webhook-signer.js';
import { signRoofrWebhook } from '../../src/roofr/webhook-signature.js';
import { ROOFR_SECRET, startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function ghlEvent(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: 'ContactUpdate',
    locationId: 'SimDemoLocation00001',
    id: 'abc',
    webhookId: `wh-${Math.random()}`,
    timestamp: new Date().toISOString(),
    ...overrides,
  });
}

function roofrEvent(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: `evt_${Math.random()}`,
    event: 'customer.updated',
    timestamp: new Date().toISOString(),
    data: {
      customer: {
        id: 'c1',
        first_name: 'A',
        last_name: 'B',
        email: 'a@example.com',
        phone: null,
        company_name: null,
        address: { street: null, city: null, state: null, postal_code: null, country: null },
        custom_fields: {},
        created_at: null,
        updated_at: null,
      },
    },
    ...overrides,
  });
}

describe('webhook routes', () => {
  let harness: SyncHarness;

  beforeAll(async () => {
    harness = await startSyncHarness({ contacts: 1 });
  });

  afterAll(async () => {
    await harness.close();
  });

  async function queued(): Promise<number> {
    const counts = await harness.store.webhooks.eventCounts();
    return counts.pending + counts.in_flight + counts.done + counts.dead;
  }

  test('when a GHL webhook carries a valid Ed25519 signature, then it is queued and answered 200', async () => {
    const before = await queued();
    const body = ghlEvent();
    const { 'x-ghl-signature': ghlSignature } = signWebhookBody(Buffer.from(body));
    const answer = await post(`${harness.url}/webhooks/ghl`, body, { 'x-ghl-signature': ghlSignature });
    expect(answer).toEqual({ status: 200, json: { accepted: true } });
    expect(await queued()).toBe(before + 1);
  });

  test('when a GHL webhook carries only a valid RSA x-wh-signature, then it is accepted', async () => {
    const body = ghlEvent();
    const { 'x-wh-signature': whSignature } = signWebhookBody(Buffer.from(body));
    expect((await post(`${harness.url}/webhooks/ghl`, body, { 'x-wh-signature': whSignature })).status).toBe(200);
  });

  test('when the GHL signature does not match the body, then 401 and nothing is queued', async () => {
    const before = await queued();
    const signed = signWebhookBody(Buffer.from(ghlEvent()));
    const answer = await post(`${harness.url}/webhooks/ghl`, ghlEvent(), signed);
    expect(answer.status).toBe(401);
    expect(answer.json.reason).toBe('bad-signature');
    expect((await post(`${harness.url}/webhooks/ghl`, ghlEvent(), {})).json.reason).toBe('missing-signature');
    expect(await queued()).toBe(before);
  });

  test('when a GHL webhook is older than 5 minutes, then it is rejected as stale', async () => {
    const before = await queued();
    const body = ghlEvent({ timestamp: new Date(Date.now() - 6 * 60_000).toISOString() });
    const answer = await post(`${harness.url}/webhooks/ghl`, body, signWebhookBody(Buffer.from(body)));
    expect(answer).toMatchObject({ status: 401, json: { reason: 'stale-timestamp' } });
    expect(await queued()).toBe(before);
  });

  test('when the same webhookId arrives twice, then the repeat is rejected with 409', async () => {
    const body = ghlEvent({ webhookId: 'wh-repeated-1' });
    const headers = signWebhookBody(Buffer.from(body));
    expect((await post(`${harness.url}/webhooks/ghl`, body, headers)).status).toBe(200);
    const before = await queued();
    expect(await post(`${harness.url}/webhooks/ghl`, body, headers)).toMatchObject({
      status: 409,
      json: { reason: 'duplicate' },
    });
    expect(await queued()).toBe(before);
  });

  test('when a signed GHL body is malformed, then 400 names the reason and nothing is queued', async () => {
    const before = await queued();
    const notJson = '{"type":';
    expect(await post(`${harness.url}/webhooks/ghl`, notJson, signWebhookBody(Buffer.from(notJson)))).toMatchObject({
      status: 400,
      json: { reason: 'malformed-body', detail: 'the body is not JSON' },
    });
    const noId = JSON.stringify({ type: 'ContactCreate', timestamp: new Date().toISOString() });
    const answer = await post(`${harness.url}/webhooks/ghl`, noId, signWebhookBody(Buffer.from(noId)));
    expect(answer.status).toBe(400);
    expect(String(answer.json.detail)).toContain('webhookId');
    expect(await queued()).toBe(before);
  });

  test('when a Roofr webhook is signed with the shared secret, then it is queued; bad, stale, repeated and malformed ones are not', async () => {
    const body = roofrEvent({ id: 'evt_roofr_once' });
    expect(
      (await post(`${harness.url}/webhooks/roofr`, body, { 'x-roofr-signature': signRoofrWebhook(ROOFR_SECRET, body) }))
        .status,
    ).toBe(200);
    const before = await queued();
    expect(
      (await post(`${harness.url}/webhooks/roofr`, body, { 'x-roofr-signature': signRoofrWebhook(ROOFR_SECRET, body) }))
        .json.reason,
    ).toBe('duplicate');
    expect(
      (
        await post(`${harness.url}/webhooks/roofr`, body, {
          'x-roofr-signature': signRoofrWebhook('wrong-secret', body),
        })
      ).status,
    ).toBe(401);
    const stale = roofrEvent({ timestamp: new Date(Date.now() - 10 * 60_000).toISOString() });
    expect(
      (
        await post(`${harness.url}/webhooks/roofr`, stale, {
          'x-roofr-signature': signRoofrWebhook(ROOFR_SECRET, stale),
        })
      ).json.reason,
    ).toBe('stale-timestamp');
    const malformed = roofrEvent({ data: { job: 'not a customer' } });
    const answer = await post(`${harness.url}/webhooks/roofr`, malformed, {
      'x-roofr-signature': signRoofrWebhook(ROOFR_SECRET, malformed),
    });
    expect(answer).toMatchObject({ status: 400, json: { reason: 'malformed-body' } });
    expect(String(answer.json.detail)).toContain('data.customer');
    expect(await queued()).toBe(before);
  });
  test('when a single-location gateway gets a Roofr webhook on /webhooks/roofr/:locationId, then its own location is accepted and another is 404 with nothing queued', async () => {
    const own = roofrEvent();
    expect(
      await post(`${harness.url}/webhooks/roofr/${harness.locationId}`, own, {
        'x-roofr-signature': signRoofrWebhook(ROOFR_SECRET, own),
      }),
    ).toEqual({ status: 200, json: { accepted: true } });
    const before = await queued();
    const other = roofrEvent();
    const answer = await post(`${harness.url}/webhooks/roofr/SomeOtherLocation01`, other, {
      'x-roofr-signature': signRoofrWebhook(ROOFR_SECRET, other),
    });
    expect(answer).toMatchObject({ status: 404, json: { accepted: false, reason: 'unknown-location' } });
    expect(await queued()).toBe(before);
  });
});

describe('webhook overload', () => {
  test('when the queue holds more than WEBHOOK_QUEUE_MAX events, then GHL is answered 429 with Retry-After', async () => {
    const harness = await startSyncHarness({ contacts: 1, queueMax: 1 });
    try {
      const first = ghlEvent();
      expect((await post(`${harness.url}/webhooks/ghl`, first, signWebhookBody(Buffer.from(first)))).status).toBe(200);
      const second = ghlEvent();
      const response = await fetch(`${harness.url}/webhooks/ghl`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signWebhookBody(Buffer.from(second)) },
        body: second,
      });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('60');
      expect(await harness.store.webhooks.eventDepth()).toBe(1);
    } finally {
      await harness.close();
    }
  });
});
