/**
 * The one module that sends HTTP to Roofr's REST API (STYLE rule 5): requests over keep-alive
 * node:http (http-exchange.ts; got's per-request overhead was the sync's largest HTTP cost) with
 * a timeout, the API key on every request, pacing from the rate-limit headers, retries decided
 * by retry-policy.ts, and every failure turned into a typed RoofrError. Callers name an endpoint
 * (api-paths.ts); the concrete URL never reaches an error message or a log.
 */
import { fillTemplate, type HttpMethod, type RoofrEndpointName, type RoofrPaths } from './api-paths.js';
import {
  createHttpExchange,
  ExchangeTimeoutError,
  networkCodeOf,
  type ExchangeResponse,
  type HttpExchange,
} from './http-exchange.js';
import {
  RoofrContractError,
  RoofrNotFoundError,
  RoofrRateLimitedError,
  RoofrTimeoutError,
  RoofrUnauthorizedError,
  RoofrUnavailableError,
  RoofrValidationError,
} from './errors.js';
import type { RoofrError } from './errors.js';
import { pacerSleep, RatePacer, readRateHeaders, type RateSnapshot } from './rate-pacer.js';
import { RoofrErrorBodySchema } from './rest-schemas.js';
import { decideRetry, parseRetryAfterMs, type AttemptResult } from './retry-policy.js';

export interface RoofrRequestEvent {
  method: string;
  /** "GET /jobs/{jobId}" */
  endpoint: string;
  status: number | null;
  durationMs: number;
  attempt: number;
  retryReason: string | null;
}

export interface RoofrTransportOptions {
  baseUrl: string;
  apiKey: string;
  /** Header carrying the key, e.g. `Authorization` or `X-Api-Key`. */
  authHeader: string;
  /** Prefix of the key in that header, e.g. `Bearer`; empty sends the bare key. */
  authScheme: string;
  paths: RoofrPaths;
  timeoutMs: number;
  maxRetries: number;
  /** First retry backoff; doubles per retry. */
  retryBaseDelayMs?: number;
  /** A longer Retry-After is not waited out. */
  maxRetryAfterMs?: number;
  maxInFlight?: number;
  onRequest?: (event: RoofrRequestEvent) => void;
  random?: () => number;
  /**
   * Whether the upstream dedupes on Idempotency-Key (Roofr's REST shape does; a Zapier catch hook
   * does not). When false, writes are retried only where nothing was processed (429, refused).
   */
  honoursIdempotencyKey?: boolean;
}

export interface RoofrRequest {
  endpoint: RoofrEndpointName;
  params?: Readonly<Record<string, string>>;
  query?: Readonly<Record<string, string | number | undefined>>;
  body?: unknown;
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** An absolute `links.next` URL from a previous page, used instead of the endpoint's path. */
  nextUrl?: string;
}

export interface RoofrResponse {
  status: number;
  body: unknown;
}

export class RoofrTransport {
  private readonly http: HttpExchange;
  private readonly pacer: RatePacer;
  private readonly base: URL;
  /** Sent with every request; redirects are not followed (a 3xx is final, like any status). */
  private readonly baseHeaders: Readonly<Record<string, string>>;

  constructor(private readonly options: RoofrTransportOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.pacer = new RatePacer(options.maxInFlight ?? 4);
    this.http = createHttpExchange();
    const authValue = options.authScheme === '' ? options.apiKey : `${options.authScheme} ${options.apiKey}`;
    this.baseHeaders = {
      accept: 'application/json',
      'user-agent': 'ghl-roofr-gateway',
      ...(options.apiKey === '' ? {} : { [options.authHeader.toLowerCase()]: authValue }),
    };
  }

  /** Closes the idle kept-alive connections (they never hold the process open). */
  close(): void {
    this.http.close();
  }

  rateSnapshot(): RateSnapshot {
    return this.pacer.snapshot();
  }

  async request(request: RoofrRequest): Promise<RoofrResponse> {
    const endpoint = this.options.paths[request.endpoint];
    const label = `${endpoint.method} ${endpoint.template}`;
    return this.send(this.urlFor(request, endpoint.template, label), endpoint.method, label, request);
  }

  /**
   * POSTs JSON to an absolute URL (the Zapier catch hook), with the same timeout, pacing, retry
   * and error discipline. `label` stands in for the URL in errors: a hook URL is a secret.
   */
  async postTo(
    url: string,
    label: string,
    body: unknown,
    options: { idempotencyKey?: string; signal?: AbortSignal } = {},
  ): Promise<RoofrResponse> {
    return this.send(new URL(url), 'POST', label, { body, ...options });
  }

  private async send(
    url: URL,
    method: HttpMethod,
    label: string,
    request: Omit<RoofrRequest, 'endpoint'>,
  ): Promise<RoofrResponse> {
    const random = this.options.random ?? Math.random;
    const headers: Record<string, string> = { ...this.baseHeaders };
    if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const honoured = this.options.honoursIdempotencyKey ?? true;

    for (let retriesSoFar = 0; ; retriesSoFar += 1) {
      await this.pacer.acquire(request.signal);
      const started = Date.now();
      let result: AttemptResult;
      let response: ExchangeResponse | null = null;
      let failure: unknown = null;
      try {
        response = await this.http.send({
          url,
          method,
          headers,
          timeoutMs: this.options.timeoutMs,
          ...(body === undefined ? {} : { body }),
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        });
        const retryAfterHeader = response.headers['retry-after'];
        result = {
          kind: 'response',
          status: response.statusCode,
          retryAfterMs: parseRetryAfterMs(
            Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader,
            Date.now(),
          ),
        };
      } catch (error) {
        if (request.signal?.aborted) {
          this.pacer.release(null);
          // The caller's reason, as when the abort lands while pacing or backing off.
          throw request.signal.reason ?? error;
        }
        failure = error;
        result =
          error instanceof ExchangeTimeoutError ? { kind: 'timeout' } : { kind: 'network', code: networkCodeOf(error) };
      }
      this.pacer.release(response === null ? null : readRateHeaders(response.headers));
      if (result.kind === 'response' && result.status === 429) this.pacer.block(result.retryAfterMs ?? 1000);

      const ok = result.kind === 'response' && result.status >= 200 && result.status < 300;
      const decision = ok
        ? null
        : decideRetry({
            method,
            hasIdempotencyKey: honoured && request.idempotencyKey !== undefined,
            result,
            retriesSoFar,
            maxRetries: this.options.maxRetries,
            baseDelayMs: this.options.retryBaseDelayMs ?? 250,
            maxRetryAfterMs: this.options.maxRetryAfterMs ?? 60_000,
            random: random(),
          });
      this.options.onRequest?.({
        method,
        endpoint: label,
        status: result.kind === 'response' ? result.status : null,
        durationMs: Date.now() - started,
        attempt: retriesSoFar + 1,
        retryReason: decision?.retry ? decision.reason : null,
      });

      if (response !== null && ok) return { status: response.statusCode, body: parseJson(response.body, label) };
      if (decision?.retry) {
        await pacerSleep(decision.delayMs, request.signal);
        continue;
      }
      throw this.toError(label, result, response?.body ?? null, failure);
    }
  }

  private urlFor(request: RoofrRequest, template: string, label: string): URL {
    if (request.nextUrl !== undefined) {
      const next = new URL(request.nextUrl, this.base);
      // The API key goes only to Roofr's own origin, whatever a response says.
      if (next.origin !== this.base.origin)
        throw new RoofrContractError(label, 'links.next', `points to another origin (${next.origin})`);
      return next;
    }
    const url = new URL(fillTemplate(template, request.params ?? {}).replace(/^\//, ''), this.base);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  private toError(label: string, result: AttemptResult, body: string | null, cause: unknown): RoofrError {
    if (result.kind === 'timeout') return new RoofrTimeoutError(label, this.options.timeoutMs, { cause });
    if (result.kind === 'network')
      return new RoofrUnavailableError(
        label,
        null,
        `Roofr could not be reached for ${label} (${result.code ?? 'network error'})`,
        { cause },
      );
    const { status } = result;
    if (status === 401 || status === 403) return new RoofrUnauthorizedError(label, status);
    if (status === 404) return new RoofrNotFoundError(label, `Roofr has no such record (${label})`);
    if (status === 429) return new RoofrRateLimitedError(label, result.retryAfterMs ?? 1000);
    if (status >= 400 && status < 500) return new RoofrValidationError(label, validationMessages(body, status), status);
    return new RoofrUnavailableError(label, status);
  }
}

function parseJson(body: string, label: string): unknown {
  if (body.trim() === '') return null;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new RoofrContractError(label, '', 'the body is not JSON');
  }
}

/** Roofr's own validation words (field names and rules), never the raw body. */
function validationMessages(body: string | null, status: number): string[] {
  let parsed: unknown = null;
  try {
    parsed = body === null || body === '' ? null : JSON.parse(body);
  } catch {
    parsed = null;
  }
  const result = RoofrErrorBodySchema.safeParse(parsed);
  if (!result.success) return [`status ${status}`];
  const fieldMessages = Object.entries(result.data.errors ?? {}).flatMap(([field, messages]) =>
    messages.map((message) => `${field}: ${message}`),
  );
  if (fieldMessages.length > 0) return fieldMessages;
  return [result.data.message ?? `status ${status}`];
}
