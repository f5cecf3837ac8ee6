/**
 * Notifications end to end over real HTTP: a gateway against the HighLevel and Roofr simulators,
 * its channels pointed at a local HTTP receiver (the signed webhook and Slack) and a local SMTP
 * sink (e-mail). Each case breaks a dependency the way production breaks it (Roofr refusing the
 * key or a record, HighLevel refusing the token, the daily reserve reached, a receiver failing)
 * and checks what an operator gets: one message per outage on every channel, what to do, one
 * recovery, the list in GraphQL scoped to the caller's location.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../../src/auth/api-keys.js';
import { storeApiKeyRepository } from '../../src/auth/store-adapters.js';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { verifyGatewaySignature } from '../../src/notify/signature.js';
import { DEMO_SCOPES, DEMO_TOKEN, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { startHookReceiver, type HookReceiver } from '../support/hook-receiver.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const SECRET = 'notify-test-secret-0123456789';

interface NotificationNode {
  id: string;
  kind: string;
  severity: string;
  status: string;
  locationId: string;
  summary: string;
  remedy: { text: string; mutation: string | null; command: string | null; url: string | null };
  occurrences: number;
}

async function graphql(
  gateway: Gateway,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{
  data?: Record<string, unknown>;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}> {
  const response = await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data?: Record<string, unknown>;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

const LIST = `query($first: Int, $after: String) {
  notifications(first: $first, after: $after) {
    edges { cursor node { id kind severity status locationId summary occurrences remedy { text mutation command url } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

async function list(gateway: Gateway, key: string, headers: Record<string, string> = {}): Promise<NotificationNode[]> {
  const answer = await graphql(gateway, key, LIST, { first: 50 }, headers);
  expect(answer.errors).toBeUndefined();
  const connection = answer.data?.['notifications'] as { edges: Array<{ node: NotificationNode }> };
  return connection.edges.map((edge) => edge.node);
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const CREATE = `mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } roofrSync { status error } } }`;

describe('notifications over real HTTP', () => {
  let sim: GhlSimulator;
  let receiver: HookReceiver;
  let smtp: SmtpSink;
  let gateway: Gateway;
  let dir: string;
  let key: string;
  const OTHER_LOCATION = 'loc-other-notify';

  beforeAll(async () => {
    sim = await startGhlSimulator({ contacts: 5 });
    receiver = await startHookReceiver();
    smtp = await startSmtpSink();
    dir = mkdtempSync(join(tmpdir(), 'gateway-notify-'));
    const config = parseConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite://${join(dir, 'gateway.db')}`,
      GHL_API_BASE_URL: sim.url,
      GHL_PRIVATE_INTEGRATION_TOKEN: DEMO_TOKEN,
      GHL_LOCATION_ID: sim.locationId,
      GHL_TOKEN_SCOPES: DEMO_SCOPES.join(' '),
      GHL_MAX_RETRIES: '0',
      CLIENT_AUTH: 'required',
      SYNC_SCHEDULE: 'off',
      OUTBOX_POLL_MS: '200',
      ROOFR_MAX_RETRIES: '0',
      NOTIFY_WEBHOOK_URL: `${receiver.url}/ops`,
      NOTIFY_WEBHOOK_SECRET: SECRET,
      NOTIFY_SLACK_WEBHOOK_URL: `${receiver.url}/slack`,
      NOTIFY_SMTP_URL: smtp.url,
      NOTIFY_EMAIL_FROM: 'Gateway <gateway@example.test>',
      NOTIFY_EMAIL_TO: 'ops@example.test',
      NOTIFY_QUIET_MS: '0',
      NOTIFY_POLL_MS: '100',
    });
    gateway = await startGateway(config);
    const created = await createApiKey(storeApiKeyRepository(gateway.writePath.store), {
      name: 'ops',
      locations: [sim.locationId, OTHER_LOCATION],
      roles: ['read', 'write', 'sync-admin'],
    });
    key = created.key;
  }, 30_000);

  afterAll(async () => {
    await gateway.close();
    await receiver.close();
    await smtp.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const headers = () => ({ 'x-location-id': sim.locationId });

  it('when Roofr refuses the credentials for many writes, then each channel gets one signed FIRING message with what to do, and one RESOLVED once Roofr accepts again', async () => {
    const roofr = gateway.writePath.roofrSimulator;
    if (roofr === null) throw new Error('the embedded Roofr simulator is expected');
    roofr.faults.set({ errorRate: 1, errorStatus: 401 });
    for (let index = 0; index < 4; index += 1) {
      const answer = await graphql(
        gateway,
        key,
        CREATE,
        { input: { firstName: 'Refused', lastName: `N${index}`, email: `refused${index}@example.test` } },
        headers(),
      );
      expect(answer.errors).toBeUndefined();
    }
    await gateway.notify.settle();
    await receiver.waitFor(
      (all) => all.some((hook) => hook.path === '/ops') && all.some((hook) => hook.path === '/slack'),
    );
    await smtp.waitFor(1);

    const firing = await list(gateway, key, headers());
    const unauthorized = firing.filter((node) => node.kind === 'roofr_unauthorized');
    expect(unauthorized).toHaveLength(1);
    expect(unauthorized[0]).toMatchObject({ severity: 'CRITICAL', status: 'FIRING', locationId: sim.locationId });
    expect(unauthorized[0]?.occurrences).toBeGreaterThanOrEqual(1);
    expect(unauthorized[0]?.remedy.command).toBe('npm run auth -- secret set roofr.api_key -');

    // The webhook is signed over its raw body and carries the same notification.
    const [hook] = receiver.at('/ops');
    if (hook === undefined) throw new Error('no webhook delivery');
    const signature = hook.headers['x-gateway-signature'];
    expect(verifyGatewaySignature(SECRET, hook.body, typeof signature === 'string' ? signature : undefined)).toEqual({
      ok: true,
    });
    expect(verifyGatewaySignature('another-secret-entirely', hook.body, String(signature)).ok).toBe(false);
    expect(hook.json).toMatchObject({
      type: 'notification.firing',
      notification: { kind: 'roofr_unauthorized', severity: 'CRITICAL', locationId: sim.locationId },
    });
    const [slack] = receiver.at('/slack');
    expect((slack?.json as { text: string }).text).toContain('roofr_unauthorized');
    expect(smtp.messages[0]?.to).toEqual(['ops@example.test']);
    expect(smtp.messages[0]?.raw).toContain('What to do: Set a valid Roofr API key');
    expect(smtp.messages[0]?.raw).toContain('Command: npm run auth -- secret set roofr.api_key -');

    // More refusals while it stays open: no new message.
    const before = receiver.at('/ops').length;
    await graphql(
      gateway,
      key,
      CREATE,
      { input: { firstName: 'Refused', lastName: 'Again', email: 'again@example.test' } },
      headers(),
    );
    await gateway.notify.settle();
    expect(receiver.at('/ops').length).toBe(before);

    roofr.faults.clear();
    const accepted = await graphql(
      gateway,
      key,
      CREATE,
      { input: { firstName: 'Accepted', lastName: 'Again', email: 'accepted@example.test' } },
      headers(),
    );
    expect((accepted.data?.['createContact'] as { roofrSync: { status: string } }).roofrSync.status).toBe('SYNCED');
    await gateway.notify.settle();
    await receiver.waitFor(() =>
      receiver.at('/ops').some((entry) => (entry.json as { type: string }).type === 'notification.resolved'),
    );
    await smtp.waitFor(2);
    const after = (await list(gateway, key, headers())).filter((node) => node.kind === 'roofr_unauthorized');
    expect(after.map((node) => node.status)).toEqual(['RESOLVED', 'FIRING']);
    expect(
      receiver
        .at('/ops')
        .filter(
          (entry) => (entry.json as { notification: { kind: string } }).notification.kind === 'roofr_unauthorized',
        ),
    ).toHaveLength(2);
  }, 60_000);

  it('when the webhook receiver answers 503 twice, then the delivery is retried and arrives once with the same delivery id', async () => {
    receiver.answerNext('/ops', 2, 503);
    const failedBefore = receiver.at('/ops').length;
    // HighLevel refuses the token (it was rotated): every call fails until it is replaced.
    sim.tokens.revoke(DEMO_TOKEN);
    const refused = await graphql(gateway, key, '{ contacts(first: 1) { totalCount } }', {}, headers());
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    await gateway.notify.settle();
    await receiver.waitFor(
      () =>
        receiver
          .at('/ops')
          .slice(failedBefore)
          .some((entry) => entry.answeredWith === 200),
      30_000,
    );
    const attempts = receiver.at('/ops').slice(failedBefore);
    expect(attempts.map((entry) => entry.answeredWith)).toEqual([503, 503, 200]);
    // One delivery, retried: the id receivers dedupe on stays the same.
    expect(new Set(attempts.map((entry) => entry.headers['x-gateway-delivery'])).size).toBe(1);
    expect(attempts[2]?.json).toMatchObject({
      type: 'notification.firing',
      notification: { kind: 'reinstall_required', severity: 'CRITICAL' },
    });
    const [reinstall] = (await list(gateway, key, headers())).filter((node) => node.kind === 'reinstall_required');
    expect(reinstall?.summary).toContain('Private Integration Token');
    expect(reinstall?.remedy.text).toContain('GHL_PRIVATE_INTEGRATION_TOKEN');

    // The token works again: the next answered call resolves it.
    sim.tokens.issue({ token: DEMO_TOKEN, locationId: sim.locationId, scopes: DEMO_SCOPES, kind: 'pit' });
    const again = await graphql(gateway, key, '{ contacts(first: 1) { totalCount } }', {}, headers());
    expect(again.errors).toBeUndefined();
    await gateway.notify.settle();
    await until(async () =>
      (await list(gateway, key, headers())).some(
        (node) => node.kind === 'reinstall_required' && node.status === 'RESOLVED',
      ),
    );
  }, 60_000);

  it('when Roofr refuses a record as invalid, then a dead letter is notified with the retryDeadLetter mutation, and retrying it resolves it', async () => {
    const roofr = gateway.writePath.roofrSimulator;
    if (roofr === null) throw new Error('the embedded Roofr simulator is expected');
    // Roofr is down when the contact is created (the write waits in the outbox), then refuses it as invalid.
    roofr.faults.set({ errorRate: 1, errorStatus: 503 });
    const answer = await graphql(
      gateway,
      key,
      CREATE,
      { input: { firstName: 'Invalid', lastName: 'Record', email: 'invalid@example.test' } },
      headers(),
    );
    expect((answer.data?.['createContact'] as { roofrSync: { status: string } }).roofrSync.status).toBe('QUEUED');
    roofr.faults.set({ errorRate: 1, errorStatus: 422 });
    // The outbox gives a refused record up at once (permanent): a dead letter, and a validation refusal.
    await until(async () => (await list(gateway, key, headers())).some((node) => node.kind === 'dead_letter'));
    expect((await list(gateway, key, headers())).find((node) => node.kind === 'roofr_validation')).toMatchObject({
      severity: 'WARNING',
      status: 'FIRING',
    });
    const dead = (await list(gateway, key, headers())).find((node) => node.kind === 'dead_letter');
    expect(dead?.remedy.mutation).toMatch(/^mutation \{ retryDeadLetter\(id: "\d+"\) \}$/);
    const id = /id: "(\d+)"/.exec(dead?.remedy.mutation ?? '')?.[1] ?? '';
    roofr.faults.clear();
    const retried = await graphql(gateway, key, `mutation { retryDeadLetter(id: "${id}") }`, {}, headers());
    expect(retried.data?.['retryDeadLetter']).toBe(true);
    await gateway.notify.settle();
    await until(async () =>
      (await list(gateway, key, headers())).some((node) => node.kind === 'dead_letter' && node.status === 'RESOLVED'),
    );
  }, 60_000);

  it("when a caller lists notifications, then only the request's location is listed and a cursor of one location is refused for another", async () => {
    const mine = await list(gateway, key, headers());
    expect(mine.length).toBeGreaterThan(2);
    expect(mine.every((node) => node.locationId === sim.locationId)).toBe(true);
    expect(await list(gateway, key, { 'x-location-id': OTHER_LOCATION })).toEqual([]);

    const firstPage = await graphql(gateway, key, LIST, { first: 1 }, headers());
    const { pageInfo } = firstPage.data?.['notifications'] as { pageInfo: { hasNextPage: boolean; endCursor: string } };
    expect(pageInfo.hasNextPage).toBe(true);
    const secondPage = await graphql(gateway, key, LIST, { first: 1, after: pageInfo.endCursor }, headers());
    expect(secondPage.errors).toBeUndefined();
    const replayed = await graphql(
      gateway,
      key,
      LIST,
      { first: 1, after: pageInfo.endCursor },
      {
        'x-location-id': OTHER_LOCATION,
      },
    );
    expect(replayed.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  }, 30_000);

  it('when a caller lacks the sync-admin role, then notifications are FORBIDDEN', async () => {
    const reader = await createApiKey(storeApiKeyRepository(gateway.writePath.store), {
      name: 'reader',
      locations: [sim.locationId],
      roles: ['read'],
    });
    const answer = await graphql(gateway, reader.key, LIST, { first: 5 });
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});

describe('the daily budget reserve', () => {
  let sim: GhlSimulator;
  let gateway: Gateway;

  beforeAll(async () => {
    sim = await startGhlSimulator({ contacts: 5, rateLimit: { dailyMax: 1000 } });
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
        // A thousand a day, 997 kept: the third call would dip into the reserve.
        GHL_DAILY_RESERVE: '997',
        SYNC_SCHEDULE: 'off',
        RESPONSE_CACHE_MAX_ENTRIES: '0',
      }),
    );
  }, 30_000);

  afterAll(async () => {
    await gateway.close();
    await sim.close();
  });

  it('when the reserve stops calls, then one budget_reserve_reached notification says when calls resume and what to do', async () => {
    // Notifications are for operators, so this caller has the sync-admin role.
    const { key } = await createApiKey(storeApiKeyRepository(gateway.writePath.store), {
      name: 'ops',
      locations: [sim.locationId],
      roles: ['read', 'sync-admin'],
    });
    for (const id of sim.data.listContactIds(sim.locationId)) {
      await graphql(gateway, key, 'query($id: ID!) { contact(id: $id) { id } }', { id });
    }
    await gateway.notify.settle();
    const answer = await graphql(gateway, key, LIST, { first: 10 });
    expect(answer.errors).toBeUndefined();
    const notifications = answer.data?.notifications as { edges: Array<{ node: NotificationNode }> };
    const nodes = notifications.edges.map((edge) => edge.node);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ kind: 'budget_reserve_reached', severity: 'WARNING', status: 'FIRING' });
    expect(nodes[0]?.summary).toMatch(/requests left today and 997 are kept in reserve/);
    expect(nodes[0]?.remedy.text).toContain('GHL_DAILY_RESERVE');
    // Every refused operation counted, one message.
    const condition = await gateway.writePath.store.notifications.getCondition({
      kind: 'budget_reserve_reached',
      locationId: sim.locationId,
    });
    expect(condition?.occurrences).toBeGreaterThanOrEqual(2);
  }, 30_000);
});
