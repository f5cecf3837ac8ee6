/**
 * Roofr's side of the upstream layer (docs/style.md rule 5): the API key on every request, Roofr's
 * pacing (the header-driven RatePacer: rate-pacer.ts), Roofr's error classification and retry
 * numbers, plugged into the one request loop (src/upstream/upstream-client.ts) over the one
 * transport. Callers name an endpoint (api-paths.ts); the concrete URL never reaches an error
 * message or a log. A call's `deadlineAt` (an inline push's) bounds every wait and attempt.
 */
import { createUndiciTransport, type Transport } from '../upstream/transport.js';
import { UpstreamClient, type AttemptEvent, type FailedAnswer, type Pacing } from '../upstream/upstream-client.js';
import { fillTemplate, type HttpMethod, type RoofrEndpointName, type RoofrPaths } from './api-paths.js';
import {
  RoofrContractError,
  RoofrNotFoundError,
  RoofrRateLimitedError,
  RoofrUnauthorizedError,
  RoofrUnavailableError,
  RoofrValidationError,
  type RoofrError,
} from './errors.js';
import { RatePacer, readRateHeaders, type RateSnapshot } from './rate-pacer.js';
import { RoofrErrorBodySchema } from './rest-schemas.js';

/** One Roofr HTTP attempt, for metrics. */
export type RoofrRequestEvent = AttemptEvent;

export interface RoofrTransportOptions {
  baseUrl: string;
  apiKey: string;
  /** Header carrying the key, e.g. `Authorization` or `X-Api-Key`. */
  authHeader: string;
  /** Prefix of the key in that header, e.g. `Bearer`; empty sends the bare key. */
  authScheme: string;
  paths: RoofrPaths;
  /** ROOFR_REQUEST_TIMEOUT_MS: one attempt. */
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
  /** Largest response body read (default 4 MiB). */
  maxBodyBytes?: number;
  /** Default: an undici transport of its own. */
  transport?: Transport;
}

interface RoofrRequest {
  endpoint: RoofrEndpointName;
  params?: Readonly<Record<string, string>>;
  query?: Readonly<Record<string, string | number | undefined>>;
  body?: unknown;
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** Epoch ms by which the call must have settled (an inline push's budget). */
  deadlineAt?: number;
  /** An absolute `links.next` URL from a previous page, used instead of the endpoint's path. */
  nextUrl?: string;
}

interface RoofrResponse {
  status: number;
  body: unknown;
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Roofr has one pacer for the whole adapter: its limits are per API key. */
function roofrPacing(pacer: RatePacer): Pacing<null> {
  return {
    async acquire(_scope, request) {
      await pacer.acquire(request);
      let done = false;
      return {
        release(headers) {
          if (done) return;
          done = true;
          pacer.release(headers === null ? null : readRateHeaders(headers));
        },
      };
    },
    pause(_scope, ms) {
      pacer.block(ms);
    },
  };
}

/** Roofr's own validation words (field names and rules), never the raw body. */
function validationMessages(body: string, status: number): string[] {
  let parsed: unknown = null;
  try {
    parsed = body === '' ? null : JSON.parse(body);
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

function classifyRoofr(answer: FailedAnswer, endpoint: string): RoofrError {
  const { status } = answer;
  if (status === 401 || status === 403) return new RoofrUnauthorizedError(endpoint, status);
  if (status === 404) return new RoofrNotFoundError(endpoint, `Roofr has no such record (${endpoint})`);
  if (status === 429) return new RoofrRateLimitedError(endpoint, answer.retryAfterMs);
  if (status >= 400 && status < 500)
    return new RoofrValidationError(endpoint, validationMessages(answer.body, status), status);
  if (status >= 500) return new RoofrUnavailableError(endpoint, status);
  // 1xx/3xx: a redirect or protocol surprise we do not follow.
  return new RoofrContractError(endpoint, '', `unexpected HTTP status ${status}`);
}

export class RoofrTransport {
  private readonly http: UpstreamClient<null>;
  private readonly transport: Transport;
  private readonly pacer: RatePacer;
  private readonly base: URL;

  constructor(private readonly options: RoofrTransportOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.pacer = new RatePacer(options.maxInFlight ?? 4);
    this.transport =
      options.transport ?? createUndiciTransport({ maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES });
    const authValue = options.authScheme === '' ? options.apiKey : `${options.authScheme} ${options.apiKey}`;
    this.http = new UpstreamClient<null>({
      upstream: 'Roofr',
      transport: this.transport,
      retry: {
        maxRetries: options.maxRetries,
        // 429s are paced from Retry-After; the same cap as other failures keeps a write's total bounded.
        maxRateLimitRetries: options.maxRetries,
        baseDelayMs: options.retryBaseDelayMs ?? 250,
        maxDelayMs: 30_000,
        maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      },
      // Roofr writes carry idempotency keys, so every attempt may be repeated: one timeout for all.
      attemptTimeoutMs: options.timeoutMs,
      writeTimeoutMs: options.timeoutMs,
      pacing: roofrPacing(this.pacer),
      classify: classifyRoofr,
      baseHeaders: {
        accept: 'application/json',
        'user-agent': 'ghl-roofr-gateway',
        ...(options.apiKey === '' ? {} : { [options.authHeader.toLowerCase()]: authValue }),
      },
      ...(options.onRequest === undefined ? {} : { observer: { onRequest: options.onRequest } }),
      ...(options.random === undefined ? {} : { random: options.random }),
    });
  }

  /** Closes the idle kept-alive connections (they never hold the process open). */
  close(): void {
    void this.transport.close();
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
    options: { idempotencyKey?: string; signal?: AbortSignal; deadlineAt?: number } = {},
  ): Promise<RoofrResponse> {
    return this.send(new URL(url), 'POST', label, { body, ...options });
  }

  private async send(
    url: URL,
    method: HttpMethod,
    label: string,
    request: Omit<RoofrRequest, 'endpoint'>,
  ): Promise<RoofrResponse> {
    const honoured = this.options.honoursIdempotencyKey ?? true;
    const keyed = honoured && request.idempotencyKey !== undefined;
    const response = await this.http.request({
      scope: null,
      method,
      url,
      endpoint: label,
      headers: request.idempotencyKey === undefined ? {} : { 'idempotency-key': request.idempotencyKey },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      // A write Roofr dedupes by its key cannot be applied twice, so it may be repeated.
      idempotent: method === 'GET' || method === 'PUT' || method === 'DELETE' || keyed,
      deadlineAt: request.deadlineAt ?? null,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      // Roofr answers some writes (deletes) with an empty body.
      expectJson: { allowEmpty: true },
    });
    return { status: response.status, body: response.json ?? null };
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
}
