/**
 * The HTTP pipeline, in GHL's order as far as it is known: faults (latency, reset, hang, 5xx
 * from the edge) → route → Version header → bearer token → rate limit → scope → body → handler.
 * Every answer after authentication carries the X-RateLimit-* headers.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MESSAGES, routeNotFound, SimHttpError, unauthorized } from './errors.js';
import type { Faults, FaultPlan } from './faults.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RequestLog } from './request-log.js';
import type { RouteDefinition, Router, RouteResult, SimServices } from './router.js';
import { KNOWN_VERSIONS } from './router.js';
import type { TokenRecord } from './tokens.js';
import type { Json } from './views.js';

export interface AdminHandler {
  handle(method: string, url: URL, body: unknown): Promise<RouteResult> | RouteResult;
}

interface ServerDeps {
  router: Router;
  services: SimServices;
  log: RequestLog;
  faults: Faults;
  rateLimiter: RateLimiter;
  admin: AdminHandler;
}

/** Shown instead of secrets in the request log. */
const SECRET_FIELDS = new Set(['client_secret', 'refresh_token', 'code']);

/** A Company token on a Location route, or the reverse (wording unverified). */
const AUTH_CLASS_MESSAGE =
  'This authClass type is not allowed to access this scope. Please reach out to the Platform team to get it added.';

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
    // A client that gives up mid-body (or a socket we destroyed) must not leave the handler waiting.
    request.on('close', () => {
      if (!request.complete) reject(new Error('request closed before its body arrived'));
    });
  });
}

function parseBody(kind: RouteDefinition['body'] | 'admin', request: IncomingMessage, raw: Buffer): unknown {
  if (kind === 'none' || raw.length === 0) return undefined;
  const contentType = request.headers['content-type'] ?? '';
  const text = raw.toString('utf8');
  if (contentType.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  if (contentType.includes('json') || kind === 'admin') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new SimHttpError(400, {
        statusCode: 400,
        message: error instanceof Error ? error.message : 'Invalid JSON',
        error: 'Bad Request',
      });
    }
  }
  // NestJS parses only the content types it knows; anything else reaches validation as empty.
  return undefined;
}

function redact(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) => [key, SECRET_FIELDS.has(key) ? '[redacted]' : value]),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class GhlSimServer {
  private readonly server: Server;

  constructor(private readonly deps: ServerDeps) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent)
          this.send(response, { status: 500, body: { statusCode: 500, message: 'Internal server error' } }, {}, false);
        this.deps.log.finish({
          at: new Date(this.deps.services.clock.now()).toISOString(),
          kind: 'request',
          method: request.method ?? 'GET',
          path: request.url ?? '/',
          operation: 'UNHANDLED',
          status: 500,
          error: error instanceof Error ? error.message : String(error),
        });
      });
    });
    this.server.keepAliveTimeout = 5_000;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops listening and drops every connection, hung requests included. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { log, faults, router, services } = this.deps;
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
    const path = url.pathname;

    if (path === '/__admin' || path.startsWith('/__admin/')) {
      let result: RouteResult;
      try {
        result = await this.deps.admin.handle(method, url, parseBody('admin', request, await readBody(request)));
      } catch (error) {
        result =
          error instanceof SimHttpError
            ? { status: error.status, body: error.body }
            : { status: 500, body: { statusCode: 500, message: String(error) } };
      }
      this.send(response, result, {}, false);
      return;
    }

    const match = router.match(method, path);
    const operation = `${method} ${match?.route.template ?? path}`;
    const requestId = request.headers['x-request-id'];
    log.arrive(operation, Array.isArray(requestId) ? requestId[0] : requestId, new Date(services.clock.now()));
    const startedAt = new Date(services.clock.now()).toISOString();
    const plan: FaultPlan = faults.plan(method, path);
    if (plan.latencyMs > 0) await sleep(plan.latencyMs);
    if (plan.action === 'reset' || plan.action === 'hang') {
      log.finish({ at: startedAt, kind: 'request', method, path, operation, status: null, fault: plan.action });
      if (plan.action === 'reset') request.socket.destroy();
      return;
    }

    let raw: Buffer;
    try {
      raw = await readBody(request);
    } catch (error) {
      log.finish({
        at: startedAt,
        kind: 'request',
        method,
        path,
        operation,
        status: null,
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    let rateHeaders: Record<string, string> = {};
    let body: unknown;
    let result: RouteResult;
    try {
      if (plan.action === 'serverError') {
        const status = plan.serverErrorStatus;
        const message =
          status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : 'Internal server error';
        throw new SimHttpError(status, { statusCode: status, message });
      }
      if (!match) throw routeNotFound(method, path);
      const { route, params } = match;
      this.checkVersion(route, request);
      const token = route.auth === 'none' ? null : this.authenticate(route, request);
      if (token) {
        const decision = this.deps.rateLimiter.take(token.rateKey, token.locationId ?? `company:${token.companyId}`);
        rateHeaders = decision.headers;
        const forced = plan.action === 'rateLimit';
        if (!decision.allowed || forced) {
          const retry = forced
            ? this.deps.rateLimiter.peek(token.rateKey, token.locationId ?? `company:${token.companyId}`).retryAfterSec
            : decision.retryAfterSec;
          const headers: Record<string, string> = this.deps.rateLimiter.settings().sendRetryAfter
            ? { 'Retry-After': String(retry) }
            : {};
          throw new SimHttpError(429, { statusCode: 429, message: MESSAGES.tooManyRequests }, headers);
        }
        if (route.scope !== undefined && !token.scopes.has(route.scope)) throw unauthorized(MESSAGES.scope);
      }
      body = parseBody(route.body, request, raw);
      result = await route.handle({
        params,
        query: url.searchParams,
        body,
        token,
        services,
        request,
        baseUrl: url.origin,
      });
    } catch (error) {
      if (!(error instanceof SimHttpError)) throw error;
      result = { status: error.status, body: error.body, headers: error.headers };
    }
    this.send(response, result, rateHeaders, plan.malformed);
    log.finish({
      at: startedAt,
      kind: 'request',
      method,
      path,
      operation,
      status: result.status,
      body: method === 'GET' ? undefined : redact(body),
      fault: plan.malformed ? 'malformed' : plan.action === 'none' ? undefined : plan.action,
    });
  }

  private checkVersion(route: RouteDefinition, request: IncomingMessage): void {
    if (route.versions === null) return;
    const header = request.headers.version;
    const version = Array.isArray(header) ? header[0] : header;
    if (version === undefined || version === '') throw unauthorized(MESSAGES.versionMissing);
    if (!KNOWN_VERSIONS.includes(version) || !route.versions.includes(version))
      throw unauthorized(MESSAGES.versionInvalid);
  }

  private authenticate(route: RouteDefinition, request: IncomingMessage): TokenRecord {
    const header = request.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const token = bearer === undefined ? undefined : this.deps.services.tokens.get(bearer);
    if (!token || token.revoked) throw unauthorized(MESSAGES.invalidToken);
    if (token.expiresAt !== null && token.expiresAt <= this.deps.services.clock.now())
      throw unauthorized(MESSAGES.expiredToken);
    const wanted = route.auth === 'company' ? 'Company' : 'Location';
    if (token.userType !== wanted) throw unauthorized(AUTH_CLASS_MESSAGE);
    return token;
  }

  private send(
    response: ServerResponse,
    result: RouteResult,
    rateHeaders: Record<string, string>,
    malformed: boolean,
  ): void {
    const headers: Record<string, string> = { ...rateHeaders, ...result.headers };
    let payload: Buffer | null = null;
    if (result.body !== null) {
      const json = Buffer.from(JSON.stringify(result.body satisfies Json));
      // A truncated body: valid HTTP, unparseable JSON (what a cut-off upstream answer looks like).
      payload = malformed ? json.subarray(0, Math.max(1, Math.floor(json.length / 2))) : json;
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    headers['content-length'] = String(payload?.length ?? 0);
    response.writeHead(result.status, headers);
    response.end(payload ?? undefined);
  }
}
