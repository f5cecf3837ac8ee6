/**
 * The whole-response cache in the real gateway (demo mode, real HTTP): an identical query read
 * from fresh cached values is answered whole without executing, and never once anything it was
 * built from changed (a mutation, a GHL webhook, a TTL) or for another caller.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../../src/auth/api-keys.js';
import { storeApiKeyRepository } from '../../src/auth/store-adapters.js';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { DEFAULT_LOCATION_ID } from '../../src/simulators/ghl/index.js';
import { openStore } from '../../src/store/open-store.js';
import { callSim } from '../support/ghl-sim-http.js';

interface Body {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  extensions?: {
    upstream?: { calls: number };
    rateLimit?: Record<string, unknown>;
    responseCache?: { hit: boolean; ageMs: number };
  };
}

const READ = `query($id: ID!) { contact(id: $id) { id firstName tasks { id title } notes { id body } appointments { id } } }`;
const PAGE = `{ contacts(first: 3) { totalCount edges { node { id firstName } } } }`;

async function post(
  gateway: Gateway,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Body> {
  const response = await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Body;
}

/** Reads until the answer is reused whole (cold: executed and loaded; then executed from the cache and kept; then reused). */
async function warmUntilReused(
  gateway: Gateway,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Body> {
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const body = await post(gateway, query, variables, headers);
    if (body.extensions?.responseCache?.hit === true) return body;
  }
  throw new Error('the answer was never reused whole');
}

function baseConfig(extra: Record<string, string> = {}) {
  return parseConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    GHL_SIM_PORT: '0',
    ROOFR_SIM_PORT: '0',
    DATABASE_URL: 'sqlite::memory:',
    DEMO_CONTACTS: '10',
    CACHE_URL: 'memory://',
    ...extra,
  });
}

describe('whole-response cache', () => {
  let gateway: Gateway;
  let ids: string[];

  beforeAll(async () => {
    gateway = await startGateway(baseConfig(), { simulator: { rateLimit: { max: 100_000 } } });
    ids = gateway.simulator?.data.listContactIds() ?? [];
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('when a query was answered from fresh cached values, then the identical query is answered whole: same data, no upstream call, its age', async () => {
    const id = ids[0] ?? '';
    const cold = await post(gateway, READ, { id });
    expect(cold.extensions?.upstream?.calls).toBeGreaterThan(0);
    expect(cold.extensions?.responseCache).toBeUndefined();
    const fromEntities = await post(gateway, READ, { id });
    expect(fromEntities.extensions?.upstream?.calls).toBe(0);
    expect(fromEntities.extensions?.responseCache).toBeUndefined();
    const before = gateway.simulator?.log.snapshot().total ?? 0;
    const reused = await post(gateway, READ, { id });
    expect(reused.extensions?.responseCache).toEqual({ hit: true, ageMs: expect.any(Number) });
    expect(reused.data).toEqual(fromEntities.data);
    expect(reused.extensions?.upstream?.calls).toBe(0);
    expect(reused.extensions?.rateLimit).toMatchObject({ cost: { estimated: 0, actual: 0 } });
    expect(gateway.simulator?.log.snapshot().total).toBe(before);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_cache_events_total\{outcome="hit",entity="response"\} [1-9]/);
  });

  it('when other variables or another operation text are sent, then they are not answered with that response', async () => {
    const [first, second] = [ids[1] ?? '', ids[2] ?? ''];
    await warmUntilReused(gateway, READ, { id: first });
    const other = await post(gateway, READ, { id: second });
    expect(other.extensions?.responseCache).toBeUndefined();
    expect(other.data).toMatchObject({ contact: { id: second } });
    const otherText = await post(gateway, READ.replace('firstName', 'firstName lastName'), { id: first });
    expect(otherText.extensions?.responseCache).toBeUndefined();
  });

  it('when the contact is changed by a mutation, then the next identical query executes and shows the change', async () => {
    const id = ids[3] ?? '';
    await warmUntilReused(gateway, READ, { id });
    const updated = await post(
      gateway,
      `mutation($id: ID!) { updateContact(id: $id, input: { firstName: "Reissued" }) { contact { id } } }`,
      { id },
    );
    expect(updated.errors).toBeUndefined();
    const next = await post(gateway, READ, { id });
    expect(next.extensions?.responseCache).toBeUndefined();
    expect(next.data).toMatchObject({ contact: { id, firstName: 'Reissued' } });
  });

  it('when a contact is created, then a cached search page is not reused (the search generation moved on)', async () => {
    await warmUntilReused(gateway, PAGE);
    const created = await post(
      gateway,
      `mutation { createContact(input: { firstName: "Newcomer", email: "newcomer@example.com" }) { contact { id } } }`,
    );
    expect(created.errors).toBeUndefined();
    const next = await post(gateway, PAGE);
    expect(next.extensions?.responseCache).toBeUndefined();
    expect((next.data?.['contacts'] as { totalCount: number }).totalCount).toBe(ids.length + 1);
  });

  it('when the contact changes in HighLevel, then its webhook makes the next identical query execute and show the change', async () => {
    const sim = gateway.simulator;
    if (sim === null) throw new Error('demo mode has a simulator');
    const id = ids[4] ?? '';
    await warmUntilReused(gateway, READ, { id });
    // Straight to HighLevel, not through the gateway: only the ContactUpdate webhook can tell it.
    const changed = await callSim(sim, 'PUT', `/contacts/${id}`, { body: { firstName: 'ChangedUpstream' } });
    expect(changed.status).toBe(200);
    await sim.webhooks.idle();
    let seen: unknown = null;
    for (let attempt = 0; attempt < 50 && seen !== 'ChangedUpstream'; attempt += 1) {
      const body = await post(gateway, READ, { id });
      seen = (body.data?.['contact'] as { firstName?: string } | undefined)?.firstName ?? null;
      if (seen !== 'ChangedUpstream') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toBe('ChangedUpstream');
  });

  it('when the query asks for the rate budget or is a mutation, then it always executes', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const budget = await post(gateway, '{ rateLimit { burstRemaining } }');
      expect(budget.extensions?.responseCache).toBeUndefined();
    }
  });
});

describe('reused answers in front of the app', () => {
  let gateway: Gateway;
  let id: string;

  beforeAll(async () => {
    gateway = await startGateway(baseConfig(), { simulator: { rateLimit: { max: 100_000 } } });
    id = gateway.simulator?.data.listContactIds()[0] ?? '';
    await warmUntilReused(gateway, READ, { id });
  });
  afterAll(async () => {
    await gateway.close();
  });

  async function raw(
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; type: string | null; requestId: string | null; text: string }> {
    const response = await fetch(gateway.graphqlUrl, { method: 'POST', headers, body });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      requestId: response.headers.get('x-request-id'),
      text: await response.text(),
    };
  }

  it("when a reused answer is sent, then it carries the caller's request id (or a new one) and a JSON content type", async () => {
    const body = JSON.stringify({ query: READ, variables: { id } });
    const mine = await raw(body, { 'content-type': 'application/json', 'x-request-id': 'trace-123' });
    expect(mine).toMatchObject({ status: 200, type: 'application/json; charset=utf-8', requestId: 'trace-123' });
    expect(JSON.parse(mine.text)).toMatchObject({
      data: { contact: { id } },
      extensions: { responseCache: { hit: true } },
    });
    const fresh = await raw(body, { 'content-type': 'application/json; charset=utf-8' });
    expect(fresh.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(fresh.text)).toMatchObject({ extensions: { responseCache: { hit: true } } });
  });

  it('when the client prefers application/graphql-response+json, then Apollo answers it in that type, reused by the pipeline', async () => {
    const answer = await raw(JSON.stringify({ query: READ, variables: { id } }), {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      'x-request-id': 'trace-pipeline',
    });
    expect(answer.status).toBe(200);
    expect(answer.type).toContain('application/graphql-response+json');
    expect(answer.requestId).toBe('trace-pipeline');
    expect(JSON.parse(answer.text)).toMatchObject({
      data: { contact: { id } },
      extensions: { responseCache: { hit: true }, upstream: { calls: 0 }, rateLimit: {} },
    });
  });

  it('when reuses are served in front of Express and in the pipeline, then each is counted and timed like any operation', async () => {
    const named = `query ReusedRead($id: ID!) { contact(id: $id) { id firstName } }`;
    await warmUntilReused(gateway, named, { id });
    const count = async (): Promise<number> => {
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find((entry) =>
          entry.startsWith(
            'gateway_graphql_operation_duration_seconds_count{operation="ReusedRead",type="query",outcome="ok"}',
          ),
        );
      return Number(line?.split(' ').pop() ?? 0);
    };
    const before = await count();
    const body = JSON.stringify({ query: named, variables: { id } });
    const front = await raw(body, { 'content-type': 'application/json' });
    const pipeline = await raw(body, {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
    });
    for (const answer of [front, pipeline])
      expect(JSON.parse(answer.text)).toMatchObject({ extensions: { responseCache: { hit: true } } });
    expect(await count()).toBe(before + 2);
  });

  it('when the body is not a JSON object, then it is refused 400 BAD_REQUEST as the app refuses it', async () => {
    for (const body of ['{"query": ', '"just a string"']) {
      const answer = await raw(body, { 'content-type': 'application/json' });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toEqual({
        errors: [{ message: 'Bad request: the body must be valid JSON', extensions: { code: 'BAD_REQUEST' } }],
      });
    }
  });

  it('when the body is streamed without a content-length, then the app takes it and the pipeline reuses the answer', async () => {
    const text = JSON.stringify({ query: READ, variables: { id } });
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = request(
        gateway.graphqlUrl,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      outgoing.on('error', reject);
      // Two writes without a length: chunked transfer encoding.
      outgoing.write(text.slice(0, 10));
      outgoing.end(text.slice(10));
    });
    expect(answer.status).toBe(200);
    const parsed = JSON.parse(answer.body) as Body;
    expect(parsed.data).toMatchObject({ contact: { id } });
    expect(parsed.extensions?.responseCache?.hit).toBe(true);
  });
});

describe('whole-response cache with TTLs and settings', () => {
  it('when the values a response was built from pass their TTL, then it is not reused', async () => {
    const gateway = await startGateway(
      baseConfig({
        CACHE_TTLS: JSON.stringify({
          contact: 300,
          tasksOfContact: 300,
          notesOfContact: 300,
          appointmentsOfContact: 300,
        }),
        CACHE_STALE_GRACE_MS: '0',
      }),
      {
        simulator: { rateLimit: { max: 100_000 } },
      },
    );
    try {
      const id = gateway.simulator?.data.listContactIds()[0] ?? '';
      await warmUntilReused(gateway, READ, { id });
      await new Promise((resolve) => setTimeout(resolve, 400));
      const expired = await post(gateway, READ, { id });
      expect(expired.extensions?.responseCache).toBeUndefined();
      expect(expired.extensions?.upstream?.calls).toBeGreaterThan(0);
    } finally {
      await gateway.close();
    }
  });

  it('when RESPONSE_CACHE_MAX_ENTRIES is 0, then every query executes', async () => {
    const gateway = await startGateway(baseConfig({ RESPONSE_CACHE_MAX_ENTRIES: '0' }), {
      simulator: { rateLimit: { max: 100_000 } },
    });
    try {
      const id = gateway.simulator?.data.listContactIds()[0] ?? '';
      for (let attempt = 0; attempt < 4; attempt += 1)
        expect((await post(gateway, READ, { id })).extensions?.responseCache).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });
});

describe('whole-response cache with client auth', () => {
  let dir: string;
  let gateway: Gateway;
  let firstKey: string;
  let secondKey: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-response-cache-'));
    const databaseUrl = `sqlite://${join(dir, 'gateway.db')}`;
    const store = await openStore(databaseUrl);
    firstKey = (
      await createApiKey(storeApiKeyRepository(store), {
        name: 'first',
        locations: [DEFAULT_LOCATION_ID],
        roles: ['read'],
      })
    ).key;
    secondKey = (
      await createApiKey(storeApiKeyRepository(store), {
        name: 'second',
        locations: [DEFAULT_LOCATION_ID],
        roles: ['read'],
      })
    ).key;
    await store.close();
    gateway = await startGateway(baseConfig({ DATABASE_URL: databaseUrl, CLIENT_AUTH: 'required' }), {
      simulator: { rateLimit: { max: 100_000 } },
    });
  });
  afterAll(async () => {
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when one caller warmed a response, then another caller executes its own, and a refused caller is refused', async () => {
    const id = gateway.simulator?.data.listContactIds()[0] ?? '';
    await warmUntilReused(gateway, READ, { id }, { 'x-api-key': firstKey });
    const other = await post(gateway, READ, { id }, { 'x-api-key': secondKey });
    expect(other.extensions?.responseCache).toBeUndefined();
    expect(other.data).toMatchObject({ contact: { id } });
    const refused = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: READ, variables: { id } }),
    });
    expect(refused.status).toBe(401);
  });
});
