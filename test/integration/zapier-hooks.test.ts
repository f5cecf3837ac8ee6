/**
 * Zapier over real HTTP, against the HighLevel and Roofr simulators: REST hook subscriptions
 * authenticated with the gateway's API keys and scoped to their locations, deliveries through the
 * signed-webhook outbox (signed with the hook's secret, shaped like the editor's samples), 410
 * Gone unsubscribing, and a Roofr event a Zap sends with an API key instead of a signature.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApiKey } from '../../src/auth/api-keys.js';
import { storeApiKeyRepository } from '../../src/auth/store-adapters.js';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { verifyGatewaySignature } from '../../src/notify/signature.js';
import { DEMO_SCOPES, DEMO_TOKEN, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { startHookReceiver, type HookReceiver } from '../support/hook-receiver.js';

async function call(
  gateway: Gateway,
  method: string,
  path: string,
  key: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === null ? {} : { 'x-api-key': key }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Zapier REST hooks and actions over HTTP', () => {
  let sim: GhlSimulator;
  let receiver: HookReceiver;
  let gateway: Gateway;
  let admin: string;
  let reader: string;
  let stranger: string;

  beforeAll(async () => {
    sim = await startGhlSimulator({ contacts: 5 });
    receiver = await startHookReceiver();
    gateway = await startGateway(
      parseConfig({
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: 'sqlite::memory:',
        GHL_API_BASE_URL: sim.url,
        GHL_PRIVATE_INTEGRATION_TOKEN: DEMO_TOKEN,
        GHL_LOCATION_ID: sim.locationId,
        GHL_TOKEN_SCOPES: DEMO_SCOPES.join(' '),
        CLIENT_AUTH: 'required',
        SYNC_SCHEDULE: 'off',
        NOTIFY_POLL_MS: '100',
        SYNC_WORKER_POLL_MS: '100',
        ZAPIER_TARGET_HOSTS: '127.0.0.1',
      }),
    );
    const keys = storeApiKeyRepository(gateway.writePath.store);
    admin = (
      await createApiKey(keys, { name: 'zap', locations: [sim.locationId], roles: ['read', 'write', 'sync-admin'] })
    ).key;
    reader = (await createApiKey(keys, { name: 'reader', locations: [sim.locationId], roles: ['read'] })).key;
    stranger = (await createApiKey(keys, { name: 'other', locations: ['loc-stranger'], roles: ['read', 'sync-admin'] }))
      .key;
  }, 30_000);

  afterAll(async () => {
    await gateway.close();
    await receiver.close();
    await sim.close();
  });

  it('when a Zap subscribes to contact_synced and a contact reaches Roofr, then the target gets one signed delivery shaped like the samples', async () => {
    const subscribed = await call(gateway, 'POST', '/zapier/hooks', reader, {
      targetUrl: `${receiver.url}/zap/contacts`,
      event: 'contact_synced',
    });
    expect(subscribed.status).toBe(201);
    const hook = subscribed.json as { id: string; secret: string; locationId: string };
    expect(hook.locationId).toBe(sim.locationId);
    // Zapier may retry a subscribe: the same target gets the same subscription.
    const again = await call(gateway, 'POST', '/zapier/hooks', reader, {
      target_url: `${receiver.url}/zap/contacts`,
      event: 'contact_synced',
    });
    expect(again.status).toBe(200);
    expect((again.json as { id: string }).id).toBe(hook.id);

    const created = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': admin },
      body: JSON.stringify({
        query: `mutation { createContact(input: { firstName: "Zap", lastName: "Synced", email: "zap@example.test" }) { contact { id } roofrSync { status } } }`,
      }),
    });
    const contactId = ((await created.json()) as { data: { createContact: { contact: { id: string } } } }).data
      .createContact.contact.id;
    await receiver.waitFor(() => receiver.at('/zap/contacts').length >= 1);
    const [delivery] = receiver.at('/zap/contacts');
    expect(delivery?.json).toMatchObject({ event: 'contact_synced', contactId, locationId: sim.locationId });
    const signature = delivery?.headers['x-gateway-signature'];
    expect(
      verifyGatewaySignature(hook.secret, delivery?.body ?? '', typeof signature === 'string' ? signature : ''),
    ).toEqual({
      ok: true,
    });

    const samples = await call(gateway, 'GET', '/zapier/samples/contact_synced', reader);
    expect(samples.status).toBe(200);
    const [sample] = samples.json as Array<Record<string, unknown>>;
    expect(sample?.['contactId']).toBe(contactId);
    expect(Object.keys(sample ?? {}).sort()).toEqual(Object.keys(delivery?.json as object).sort());
  }, 30_000);

  it('when a caller subscribes wrongly, then it is refused: no key 401, a read-only key to sync runs 403, a foreign host 400, an unknown event 404', async () => {
    expect(
      (await call(gateway, 'POST', '/zapier/hooks', null, { targetUrl: `${receiver.url}/x`, event: 'contact_synced' }))
        .status,
    ).toBe(401);
    expect(
      (
        await call(gateway, 'POST', '/zapier/hooks', reader, {
          targetUrl: `${receiver.url}/x`,
          event: 'sync_run_finished',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(gateway, 'POST', '/zapier/hooks', admin, {
          targetUrl: 'https://evil.example/steal',
          event: 'notification',
        })
      ).status,
    ).toBe(400);
    expect(
      (await call(gateway, 'POST', '/zapier/hooks', admin, { targetUrl: `${receiver.url}/x`, event: 'nope' })).status,
    ).toBe(404);
    expect((await call(gateway, 'GET', '/zapier/samples/dead_letter', reader)).status).toBe(403);
    const me = await call(gateway, 'GET', '/zapier/me', admin);
    expect(me.json).toMatchObject({ locationId: sim.locationId, kind: 'api-key' });
  });

  it("when another location's key deletes a subscription, then it is not found and still delivers finished runs; the owner can delete it", async () => {
    const subscribed = await call(gateway, 'POST', '/zapier/hooks', admin, {
      targetUrl: `${receiver.url}/zap/runs`,
      event: 'sync_run_finished',
    });
    const { id } = subscribed.json as { id: string };
    expect((await call(gateway, 'DELETE', `/zapier/hooks/${id}`, stranger)).status).toBe(404);
    // Still subscribed: a sync run finishing is delivered.
    const run = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': admin },
      body: JSON.stringify({ query: 'mutation { startSync(mode: FULL) { id } }' }),
    });
    const runId = ((await run.json()) as { data: { startSync: { id: string } } }).data.startSync.id;
    await receiver.waitFor(
      () => receiver.at('/zap/runs').some((entry) => (entry.json as { runId: string }).runId === runId),
      30_000,
    );
    expect(
      receiver.at('/zap/runs').find((entry) => (entry.json as { runId: string }).runId === runId)?.json,
    ).toMatchObject({
      event: 'sync_run_finished',
      status: 'SUCCEEDED',
    });
    expect((await call(gateway, 'DELETE', `/zapier/hooks/${id}`, admin)).status).toBe(200);
    const samples = await call(gateway, 'GET', '/zapier/samples/sync_run_finished', admin);
    expect((samples.json as Array<{ runId: string }>).map((item) => item.runId)).toContain(runId);
  }, 40_000);

  it('when Zapier answers 410 Gone, then the subscription is deleted', async () => {
    const subscribed = await call(gateway, 'POST', '/zapier/hooks', reader, {
      targetUrl: `${receiver.url}/zap/gone`,
      event: 'contact_synced',
    });
    const { id } = subscribed.json as { id: string };
    receiver.answerNext('/zap/gone', 1, 410);
    await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': admin },
      body: JSON.stringify({
        query: `mutation { createContact(input: { firstName: "Gone", lastName: "Zap", email: "gone@example.test" }) { contact { id } } }`,
      }),
    });
    await receiver.waitFor(() => receiver.at('/zap/gone').length >= 1);
    await until(async () => (await gateway.writePath.store.zapierHooks.get(id)) === null);
  }, 30_000);

  it("when a Zap posts a Roofr event with an API key instead of a signature, then it is queued for the key's location and processed; a read-only key is refused", async () => {
    const event = {
      event: 'customer.updated',
      data: {
        customer: { id: 'roofr-cust-zap-1', first_name: 'From', last_name: 'Zap', email: 'fromzap@example.test' },
      },
    };
    const refused = await fetch(`${gateway.url}/webhooks/roofr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': reader },
      body: JSON.stringify(event),
    });
    expect(refused.status).toBe(403);
    const unsigned = await fetch(`${gateway.url}/webhooks/roofr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(unsigned.status).toBe(503);
    const accepted = await fetch(`${gateway.url}/webhooks/roofr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': admin },
      body: JSON.stringify(event),
    });
    expect(accepted.status).toBe(200);
    // The same body again (a Zap retrying its step) is the same event.
    const repeated = await fetch(`${gateway.url}/webhooks/roofr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': admin },
      body: JSON.stringify(event),
    });
    expect(repeated.status).toBe(409);
    const foreign = await fetch(`${gateway.url}/webhooks/roofr/loc-stranger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': admin },
      body: JSON.stringify({ ...event, id: 'zap-foreign-1' }),
    });
    expect(foreign.status).toBe(403);
    await until(async () => {
      const runs = await gateway.writePath.store.syncRuns.list({ first: 50, locationId: sim.locationId });
      return runs.items.some((run) => run.trigger === 'roofr-webhook' && run.status !== 'running');
    });
  }, 30_000);
});
