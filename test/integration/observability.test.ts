/**
 * Observability of a running gateway over real HTTP: request ids from the caller (or made up)
 * echoed, sent to HighLevel and written on the log lines; /metrics after real traffic (upstream
 * requests and latency by endpoint and status, 429s, the rate budget, GraphQL operations and
 * errors, outbox and sync state from the store); /healthz and /readyz with their checks.
 * HighLevel is the simulator behind a small recording proxy, so the headers it got are visible.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createApiKey } from '../../src/auth/api-keys.js';
import { ROLES } from '../../src/auth/caller-identity.js';
import { storeApiKeyRepository } from '../../src/auth/store-adapters.js';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createHealthRouter } from '../../src/http/health-routes.js';
import { createLogger, withRequestId } from '../../src/observability/logger.js';
import { redisCheck } from '../../src/observability/readiness-checks.js';
import { DEMO_SCOPES, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';

interface RecordingProxy {
  url: string;
  seen: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** Forwards to the simulator and records each request's headers. */
async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const seen: RecordingProxy['seen'] = [];
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Collects pino's JSON lines. */
class LogLines extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n'))
      if (line.trim() !== '') this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

/** With HighLevel credentials configured every caller needs a key: made once the gateway runs. */
const apiKeys = new WeakMap<Gateway, string>();

async function graphql(
  gateway: Gateway,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; requestId: string | null; json: Record<string, unknown> }> {
  const key = apiKeys.get(gateway);
  const response = await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-api-key': key }), ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    json: (await response.json()) as Record<string, unknown>,
  };
}

async function scrape(gateway: Gateway): Promise<string> {
  const response = await fetch(`${gateway.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of the sample whose labels include all of `labels`, or null. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

describe('gateway observability over HTTP', () => {
  let sim: GhlSimulator;
  let proxy: RecordingProxy;
  let gateway: Gateway;
  const logs = new LogLines();

  beforeAll(async () => {
    sim = await startGhlSimulator({ contacts: 5, rateLimit: { max: 100, intervalMs: 200 } });
    proxy = await startRecordingProxy(sim.url);
    const config = parseConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_URL: 'sqlite::memory:',
      GHL_API_BASE_URL: proxy.url,
      GHL_PRIVATE_INTEGRATION_TOKEN: sim.demoToken ?? 'missing',
      GHL_LOCATION_ID: sim.locationId,
      GHL_TOKEN_SCOPES: DEMO_SCOPES.join(' '),
      GHL_MAX_RETRIES: '2',
      SYNC_SCHEDULE: 'off',
    });
    gateway = await startGateway(config, { logger: createLogger({ level: 'info', destination: logs }) });
    const { key } = await createApiKey(storeApiKeyRepository(gateway.writePath.store), {
      name: 'observability',
      locations: [sim.locationId],
      roles: [...ROLES],
    });
    apiKeys.set(gateway, key);
  }, 30_000);

  afterAll(async () => {
    await gateway.close();
    await proxy.close();
    await sim.close();
  });

  it('when a query carries x-request-id, then the response echoes it, HighLevel receives it and the log line carries it', async () => {
    const answer = await graphql(
      gateway,
      { query: 'query ObsContacts { contacts(first: 2) { totalCount } }', operationName: 'ObsContacts' },
      { 'x-request-id': 'obs-test-1' },
    );
    expect(answer.status).toBe(200);
    expect(answer.json['errors']).toBeUndefined();
    expect(answer.requestId).toBe('obs-test-1');
    const upstream = proxy.seen.filter((entry) => entry.headers['x-request-id'] === 'obs-test-1');
    expect(upstream.length).toBeGreaterThan(0);
    const line = logs.lines.find(
      (entry) => entry['requestId'] === 'obs-test-1' && entry['msg'] === 'graphql operation',
    );
    expect(line).toMatchObject({ operation: 'ObsContacts', type: 'query', outcome: 'ok' });
  });

  it('when a query carries no (or a malformed) x-request-id, then a fresh one is made up and used upstream', async () => {
    const answer = await graphql(
      gateway,
      { query: '{ contacts(first: 1) { totalCount } }' },
      { 'x-request-id': 'bad id with spaces' },
    );
    expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(proxy.seen.some((entry) => entry.headers['x-request-id'] === answer.requestId)).toBe(true);
  });

  it('when traffic went upstream, then /metrics counts it by upstream, endpoint and status, with latency and the rate budget', async () => {
    await graphql(gateway, { query: 'query ObsAgain { contacts(first: 2) { totalCount } }' });
    const text = await scrape(gateway);
    expect(
      sample(text, 'gateway_upstream_requests_total', {
        upstream: 'ghl',
        endpoint: 'POST /contacts/search',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(text, 'gateway_upstream_request_duration_seconds_count', {
        upstream: 'ghl',
        endpoint: 'POST /contacts/search',
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'gateway_rate_budget_remaining', { location: sim.locationId, window: 'burst' })).toEqual(
      expect.any(Number),
    );
    expect(
      sample(text, 'gateway_rate_budget_remaining', { location: sim.locationId, window: 'daily' }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'gateway_graphql_operation_duration_seconds_count', {
        operation: 'ObsAgain',
        type: 'query',
        outcome: 'ok',
      }),
    ).toBe(1);
    // Default process metrics come from the same (per-gateway) registry.
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('when HighLevel answers 429, then gateway_upstream_429_total counts it and the request still succeeds after the pause', async () => {
    const before = sample(await scrape(gateway), 'gateway_upstream_429_total', { upstream: 'ghl' }) ?? 0;
    // A contact no other case reads: not in the shared cache, so the read goes upstream.
    const id = sim.data.listContactIds(sim.locationId)[3];
    sim.faults.rateLimitNext(1, { method: 'GET', path: '/contacts/*' });
    const answer = await graphql(gateway, { query: 'query($id: ID!) { contact(id: $id) { id } }', variables: { id } });
    expect(answer.json['errors']).toBeUndefined();
    const text = await scrape(gateway);
    expect(sample(text, 'gateway_upstream_429_total', { upstream: 'ghl' })).toBe(before + 1);
    expect(
      sample(text, 'gateway_upstream_requests_total', {
        upstream: 'ghl',
        endpoint: 'GET /contacts/{contactId}',
        status: '429',
      }),
    ).toBe(1);
  });

  it('when a mutation writes to Roofr, then /metrics counts the Roofr requests by endpoint and status', async () => {
    const answer = await graphql(gateway, {
      query:
        'mutation ObsCreate($input: CreateContactInput!) { createContact(input: $input) { contact { id } roofrSync { status } } }',
      variables: { input: { firstName: 'Obs', lastName: 'Erver', email: 'obs@example.com' } },
    });
    expect(answer.json['errors']).toBeUndefined();
    const text = await scrape(gateway);
    const roofrLines = text
      .split('\n')
      .filter((line) => line.startsWith('gateway_upstream_requests_total{') && line.includes('upstream="roofr"'));
    expect(roofrLines.length).toBeGreaterThan(0);
    expect(roofrLines.some((line) => /status="2\d\d"/.test(line))).toBe(true);
  });

  it('when an operation fails, then the error counter names the operation and the code', async () => {
    await graphql(gateway, { query: 'query ObsBroken { noSuchField }', operationName: 'ObsBroken' });
    const text = await scrape(gateway);
    expect(
      sample(text, 'gateway_graphql_errors_total', { operation: 'ObsBroken', code: 'GRAPHQL_VALIDATION_FAILED' }),
    ).toBe(1);
    expect(
      sample(text, 'gateway_graphql_operation_duration_seconds_count', { operation: 'ObsBroken', outcome: 'error' }),
    ).toBe(1);
  });

  it('when HighLevel knows no such contact, then the error counts as NOT_FOUND from the client, never INTERNAL_SERVER_ERROR, and logs at info', async () => {
    const answer = await graphql(gateway, {
      query: 'query ObsMissing { contact(id: "noSuchContact000000000") { id } }',
      operationName: 'ObsMissing',
    });
    expect((answer.json['errors'] as Array<{ extensions: { code: string } }>)[0]?.extensions.code).toBe('NOT_FOUND');
    const text = await scrape(gateway);
    expect(
      sample(text, 'gateway_graphql_errors_total', { operation: 'ObsMissing', code: 'NOT_FOUND', source: 'client' }),
    ).toBe(1);
    expect(
      sample(text, 'gateway_graphql_errors_total', { operation: 'ObsMissing', code: 'INTERNAL_SERVER_ERROR' }),
    ).toBeNull();
    const line = logs.lines.find(
      (entry) => entry['requestId'] === answer.requestId && entry['operation'] === 'ObsMissing',
    );
    expect(line).toMatchObject({ level: 30, errors: ['NOT_FOUND'] });
  });

  it('when HighLevel keeps failing, then the error counts as UPSTREAM_UNAVAILABLE from upstream and logs at warn', async () => {
    const [, second] = sim.data.listContactIds(sim.locationId);
    sim.faults.failNext(3, 503, { path: `/contacts/${second ?? ''}` });
    const answer = await graphql(gateway, {
      query: 'query ObsDown($id: ID!) { contact(id: $id) { id } }',
      operationName: 'ObsDown',
      variables: { id: second },
    });
    expect((answer.json['errors'] as Array<{ extensions: { code: string } }>)[0]?.extensions.code).toBe(
      'UPSTREAM_UNAVAILABLE',
    );
    const text = await scrape(gateway);
    expect(
      sample(text, 'gateway_graphql_errors_total', {
        operation: 'ObsDown',
        code: 'UPSTREAM_UNAVAILABLE',
        source: 'upstream',
      }),
    ).toBe(1);
    const line = logs.lines.find(
      (entry) => entry['requestId'] === answer.requestId && entry['operation'] === 'ObsDown',
    );
    expect(line).toMatchObject({ level: 40, errors: ['UPSTREAM_UNAVAILABLE'] });
  });

  it('when the whole-response cache answers a repeated query, then it is counted and logged like any operation, with its request id', async () => {
    const [, , third] = sim.data.listContactIds(sim.locationId);
    const query = {
      query: 'query ObsRepeat($id: ID!) { contact(id: $id) { id name } }',
      operationName: 'ObsRepeat',
      variables: { id: third },
    };
    // Loaded upstream, then built from the entity cache (and kept whole), then reused whole.
    await graphql(gateway, query);
    await graphql(gateway, query);
    const reused = await graphql(gateway, query, { 'x-request-id': 'obs-reused-1' });
    expect((reused.json['extensions'] as { responseCache?: { hit: boolean } }).responseCache?.hit).toBe(true);
    const text = await scrape(gateway);
    expect(
      sample(text, 'gateway_graphql_operation_duration_seconds_count', { operation: 'ObsRepeat', outcome: 'ok' }),
    ).toBe(3);
    const line = logs.lines.find((entry) => entry['requestId'] === 'obs-reused-1');
    expect(line).toMatchObject({
      level: 30,
      operation: 'ObsRepeat',
      type: 'query',
      outcome: 'ok',
      servedBy: 'response-cache',
    });
    expect(line?.['durationMs']).toEqual(expect.any(Number));
  });

  it('when scraped, then outbox depth, dead letters and sync runs come from the store', async () => {
    await gateway.writePath.store.syncRuns.start({ trigger: 'manual', locationId: sim.locationId, mode: 'FULL' });
    const text = await scrape(gateway);
    expect(sample(text, 'gateway_outbox_depth')).toBe(0);
    expect(sample(text, 'gateway_dead_letters')).toBe(0);
    expect(sample(text, 'gateway_webhook_queue_depth')).toBe(0);
    expect(
      sample(text, 'gateway_sync_runs', { trigger: 'manual', kind: 'sync', status: 'running' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'gateway_sync_records', { outcome: 'read' })).toEqual(expect.any(Number));
  });

  it('when a dry run finishes, then it is counted as a dry_run and its would-be writes are not counted as records written', async () => {
    const store = gateway.writePath.store;
    const before = sample(await scrape(gateway), 'gateway_sync_records', { outcome: 'created' }) ?? 0;
    const run = await store.syncRuns.start({
      trigger: 'manual',
      kind: 'dry_run',
      locationId: sim.locationId,
      mode: 'FULL',
    });
    await store.syncRuns.finish(run.id, { status: 'succeeded', counts: { read: 7, created: 7 } });
    const text = await scrape(gateway);
    expect(sample(text, 'gateway_sync_runs', { trigger: 'manual', kind: 'dry_run', status: 'succeeded' })).toBe(1);
    expect(sample(text, 'gateway_sync_records', { outcome: 'created' })).toBe(before);
  });

  it('when the same contact is read twice, then /metrics counts a cache miss and then a hit', async () => {
    const [id] = sim.data.listContactIds(sim.locationId);
    const query = { query: 'query($id: ID!) { contact(id: $id) { id name } }', variables: { id } };
    const before = await scrape(gateway);
    await graphql(gateway, query);
    await graphql(gateway, query);
    const after = await scrape(gateway);
    const hits = (text: string): number =>
      sample(text, 'gateway_cache_events_total', { outcome: 'hit', entity: 'contact' }) ?? 0;
    const misses = (text: string): number =>
      sample(text, 'gateway_cache_events_total', { outcome: 'miss', entity: 'contact' }) ?? 0;
    expect(misses(after) - misses(before)).toBe(1);
    expect(hits(after) - hits(before)).toBe(1);
  });

  it('when the database and the token are usable, then /healthz and /readyz answer 200 with the checks', async () => {
    const health = await fetch(`${gateway.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', locationId: sim.locationId });
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: expect.objectContaining({ database: 'ok', token: 'ok' }),
    });
  });
});

describe('readiness when a dependency fails', () => {
  let gateway: Gateway | null = null;
  let server: Server | null = null;
  afterEach(async () => {
    await gateway?.close();
    gateway = null;
    if (server !== null) await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = null;
  });

  it('when the state database is gone, then /readyz answers 503 naming "database" while /healthz stays 200', async () => {
    const config = parseConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: 'sqlite::memory:',
      GHL_SIM_PORT: '0',
      DEMO_CONTACTS: '3',
      SYNC_SCHEDULE: 'off',
    });
    gateway = await startGateway(config);
    await gateway.writePath.store.close();
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { failed: string[]; checks: Record<string, string> };
    expect(body.failed).toEqual(['database']);
    expect(body.checks['database']).toMatch(/^failed: /);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it('when Redis does not answer PING, then the readiness check names "redis"', async () => {
    const redis = redisCheck('redis://127.0.0.1:1');
    const app = express();
    app.use(createHealthRouter({ checks: { redis: redis.check, always: async () => undefined } }));
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    await redis.close();
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not_ready', failed: ['redis'], checks: { always: 'ok' } });
  });

  it('when shutdown began, then /readyz answers 503 "draining"', async () => {
    const app = express();
    app.use(createHealthRouter({ checks: {}, draining: () => true }));
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ failed: ['draining'] });
  });
});

const describeRedis = process.env.REDIS_URL ? describe : describe.skip;
if (!process.env.REDIS_URL)
  console.warn(
    'observability.test.ts: the Redis readiness case is skipped; set REDIS_URL (e.g. redis://127.0.0.1:6379) to run it',
  );

describeRedis('readiness with Redis', () => {
  it('when Redis answers PING, then the check passes', async () => {
    const redis = redisCheck(process.env.REDIS_URL ?? '');
    await expect(redis.check()).resolves.toBeUndefined();
    await redis.close();
  });
});

describe('log lines', () => {
  it('when secrets are logged by any of the known shapes, then the line carries [redacted] instead, and the request id stays', () => {
    const sink = new LogLines();
    const logger = withRequestId(createLogger({ level: 'info', destination: sink }), 'req-redact-1');
    logger.info(
      {
        token: 'pit-secret-1',
        oauth: { refresh_token: 'refresh-secret-2', client_secret: 'client-secret-3' },
        req: {
          headers: { authorization: 'Bearer secret-4', 'x-api-key': 'key-secret-5', 'x-request-id': 'req-redact-1' },
        },
        headers: { 'x-ghl-signature': 'sig-secret-6' },
      },
      'something happened',
    );
    const [line] = sink.lines;
    const text = JSON.stringify(line);
    for (const secret of [
      'pit-secret-1',
      'refresh-secret-2',
      'client-secret-3',
      'secret-4',
      'key-secret-5',
      'sig-secret-6',
    ])
      expect(text).not.toContain(secret);
    expect(line).toMatchObject({
      requestId: 'req-redact-1',
      token: '[redacted]',
      level: 30,
      msg: 'something happened',
    });
    expect(typeof line?.['time']).toBe('string');
  });
});
