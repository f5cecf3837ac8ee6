/**
 * The Roofr simulator: a node:http server implementing the REST shape the Roofr REST adapter
 * assumes (docs/roofr-api.md), with API-key auth, idempotency keys, its own rate limit, fault
 * injection, a request log, a Zapier catch hook that runs "Create Job and Customer", and signed
 * outbound webhooks. Used by demo mode (`npm run simulate`) and the tests.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ZapierJobAndCustomerSchema, type ZapierJobAndCustomer } from '../../roofr/zapier-payload.js';
import { createRoofrAdmin } from './admin.js';
import { apiRoutes, compileRoute, matchRoute, type RouteResult } from './api-routes.js';
import { RoofrSimEvents } from './events.js';
import { RoofrFaults, type FaultAction } from './faults.js';
import { IdempotencyStore } from './idempotency.js';
import { FixedWindowLimiter, type RateLimitSettings } from './rate-limit.js';
import { RoofrRequestLog } from './request-log.js';
import { RoofrSimStore } from './store.js';
import { RoofrWebhookSender, type WebhookTarget } from './webhooks.js';

export { RoofrSimStore } from './store.js';
export { RoofrFaults } from './faults.js';
export { RoofrRequestLog } from './request-log.js';
export { RoofrWebhookSender } from './webhooks.js';
export { RoofrSimEvents } from './events.js';

interface RoofrSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  apiKey?: string;
  /** Must match the adapter's ROOFR_AUTH_HEADER / ROOFR_AUTH_SCHEME. */
  authHeader?: string;
  authScheme?: string;
  /** Default 100 requests per 10 s per API key. */
  rateLimit?: Partial<RateLimitSettings>;
  webhook?: WebhookTarget;
  /** Seed of the fault generator (errorRate). */
  seed?: number;
}

export interface ZapierReceipt {
  requestId: string;
  hookPath: string;
  body: unknown;
  /** What the emulated Zap did: created ids, or why the step failed. */
  outcome: { customerId: string; jobId: string } | { error: string };
}

export interface RoofrSimulator {
  /** Origin, e.g. http://127.0.0.1:4020 */
  url: string;
  /** ROOFR_API_BASE_URL for the REST adapter: `${url}/v1`. */
  apiBaseUrl: string;
  /** ROOFR_ZAPIER_HOOK_URL for the Zapier adapter. */
  zapierHookUrl: string;
  port: number;
  apiKey: string;
  authHeader: string;
  authScheme: string;
  faults: RoofrFaults;
  log: RoofrRequestLog;
  data: RoofrSimStore;
  webhooks: RoofrWebhookSender;
  /** Scripted Roofr happenings that change data and fire their webhook (lead, stage, proposal). */
  events: RoofrSimEvents;
  rateLimit: FixedWindowLimiter;
  idempotency: IdempotencyStore;
  zapier: { received: ZapierReceipt[] };
  close(): Promise<void>;
}

const API_BASE = '/v1';
const ZAPIER_HOOK = '/hooks/catch/{accountId}/{hookId}';
const MAX_BODY_BYTES = 1_000_000;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function startRoofrSimulator(options: RoofrSimulatorOptions = {}): Promise<RoofrSimulator> {
  const host = options.host ?? '127.0.0.1';
  const apiKey = options.apiKey ?? 'roofr-sim-key';
  const authHeader = (options.authHeader ?? 'Authorization').toLowerCase();
  const authScheme = options.authScheme ?? 'Bearer';
  const expectedAuth = authScheme === '' ? apiKey : `${authScheme} ${apiKey}`;

  const data = new RoofrSimStore();
  const log = new RoofrRequestLog();
  const idempotency = new IdempotencyStore();
  const limiter = new FixedWindowLimiter({
    limit: options.rateLimit?.limit ?? 100,
    windowMs: options.rateLimit?.windowMs ?? 10_000,
  });
  const webhooks = new RoofrWebhookSender();
  if (options.webhook) webhooks.configure(options.webhook);
  data.onChange((event) => webhooks.onStoreEvent(event));
  const zapier = { received: [] as ZapierReceipt[] };

  const routes = apiRoutes(data, API_BASE);
  const zapierRoute = compileRoute('POST', ZAPIER_HOOK, () => ({ status: 200, body: null }));
  const sockets = new Set<Socket>();
  let down = false;
  let port = options.port ?? 0;

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        send(response, 500, { message: error instanceof Error ? error.message : 'internal error' });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const faults: RoofrFaults = new RoofrFaults(options.seed ?? 7, {
    async down() {
      if (down) return;
      down = true;
      await closeServer();
    },
    async up() {
      if (!down) return;
      await listen(port);
      down = false;
    },
    isDown: () => down,
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? `${host}:${port}`}`);
    const raw = await readBody(request);
    if (url.pathname.startsWith('/__admin/')) {
      const answer = await admin(method, url, raw);
      return send(response, answer.status, answer.body);
    }

    const zapierMatch = matchRoute([zapierRoute], method, url.pathname);
    const apiMatch = zapierMatch ? null : matchRoute(routes, method, url.pathname);
    const routeName = zapierMatch
      ? `POST ${ZAPIER_HOOK}`
      : apiMatch
        ? `${apiMatch.route.method} ${apiMatch.route.template}`
        : 'unmatched';
    const idempotencyKey = headerValue(request, 'idempotency-key');
    const entry = {
      at: new Date().toISOString(),
      method,
      path: url.pathname,
      route: routeName,
      idempotencyKey,
      replayed: false,
      fault: null as string | null,
    };

    const { latencyMs } = faults.settings;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    const fault = await applyFault(faults.next(), request, response);
    if (fault !== null) {
      log.record({ ...entry, status: fault.status, fault: fault.name });
      return;
    }

    if (zapierMatch) {
      const receipt = runZap(url.pathname, raw);
      zapier.received.push(receipt);
      log.record({ ...entry, status: 200 });
      send(response, 200, {
        status: 'success',
        attempt: receipt.requestId,
        id: receipt.requestId,
        request_id: receipt.requestId,
      });
      return;
    }

    if (headerValue(request, authHeader) !== expectedAuth) {
      log.record({ ...entry, status: 401 });
      send(response, 401, { message: 'Unauthenticated.' });
      return;
    }
    const rate = limiter.take(apiKey);
    for (const [name, value] of Object.entries(rate.headers)) response.setHeader(name, value);
    if (!rate.allowed) {
      log.record({ ...entry, status: 429 });
      response.setHeader('retry-after', String(rate.retryAfterSeconds));
      send(response, 429, { message: 'Too Many Attempts.' });
      return;
    }
    if (!apiMatch) {
      log.record({ ...entry, status: 404 });
      send(response, 404, { message: `No route for ${method} ${url.pathname}` });
      return;
    }

    let body: unknown = undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        log.record({ ...entry, status: 400 });
        send(response, 400, { message: 'The body is not valid JSON.' });
        return;
      }
    }

    const useKey = idempotencyKey !== null && WRITE_METHODS.has(method);
    const fingerprint = IdempotencyStore.fingerprint(method, url.pathname, raw);
    if (useKey) {
      const seen = idempotency.lookup(apiKey, idempotencyKey, fingerprint);
      if (seen.kind === 'replay') {
        log.record({ ...entry, status: seen.response.status, replayed: true });
        response.setHeader('idempotent-replayed', 'true');
        send(response, seen.response.status, seen.response.body);
        return;
      }
      if (seen.kind === 'conflict') {
        log.record({ ...entry, status: 409 });
        send(response, 409, { message: 'Idempotency-Key was already used for a different request.' });
        return;
      }
    }
    const result: RouteResult = apiMatch.route.handle({
      params: apiMatch.params,
      query: url.searchParams,
      body,
      selfUrl: `${url.origin}${url.pathname}`,
    });
    if (useKey && result.status < 500) idempotency.remember(apiKey, idempotencyKey, fingerprint, result);
    log.record({ ...entry, status: result.status });
    send(response, result.status, result.body);
  }

  /** Emulates the Zap: catch hook → Roofr "Create Job and Customer". */
  function runZap(hookPath: string, raw: string): ZapierReceipt {
    const requestId = randomUUID();
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return { requestId, hookPath, body: raw, outcome: { error: 'the body is not JSON' } };
    }
    const parsed = ZapierJobAndCustomerSchema.safeParse(json);
    if (!parsed.success)
      return {
        requestId,
        hookPath,
        body: json,
        outcome: { error: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') },
      };
    const payload: ZapierJobAndCustomer = parsed.data;
    const customer = data.createCustomer(payload.customer);
    const job = data.createJob(customer.id, payload.job);
    return { requestId, hookPath, body: json, outcome: { customerId: customer.id, jobId: job.id } };
  }

  function listen(onPort: number): Promise<void> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(onPort, host, () => {
        server.off('error', reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  function closeServer(): Promise<void> {
    return new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  }

  const events = new RoofrSimEvents(data, webhooks);
  const admin = createRoofrAdmin({ data, faults, log, webhooks, events, seed: options.seed ?? 7 });

  await listen(port);
  const origin = `http://${host}:${port}`;
  return {
    url: origin,
    apiBaseUrl: `${origin}${API_BASE}`,
    zapierHookUrl: `${origin}/hooks/catch/1000/roofr`,
    port,
    apiKey,
    authHeader,
    authScheme,
    faults,
    log,
    data,
    webhooks,
    events,
    rateLimit: limiter,
    idempotency,
    zapier,
    async close() {
      await webhooks.settle();
      if (!down) await closeServer();
    },
  };
}

/** Applies a fault; returns what it did, or null to go on normally. */
async function applyFault(
  action: FaultAction,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<{ name: string; status: number | null } | null> {
  switch (action.kind) {
    case 'none':
      return null;
    case 'hang':
      // Keep the socket open and never answer; close() destroys it.
      return { name: 'hang', status: null };
    case 'reset':
      request.socket.destroy();
      return { name: 'reset', status: null };
    case 'rate-limit':
      response.setHeader('retry-after', String(action.retryAfterSeconds));
      send(response, 429, { message: 'Too Many Attempts.' });
      return { name: 'rate-limit', status: 429 };
    case 'error':
      send(response, action.status, { message: 'Simulated server error.' });
      return { name: 'error', status: action.status };
  }
}

function headerValue(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name.toLowerCase()];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (status === 204 || body === null) {
    response.writeHead(status);
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
