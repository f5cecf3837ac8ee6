/**
 * The request loop every upstream shares (docs/style.md rule 5, one mechanism per concern): per attempt
 * it takes the credentials, waits for the upstream's pacing (HighLevel's header-learning rate
 * budget, Roofr's pacer: both plug in as a Pacing), sends through the one transport with a
 * per-attempt timeout, classifies the answer into the one error family, and asks the pure retry
 * policy whether and when to go again.
 *
 * Deadlines: a call may carry `deadlineAt` (the GraphQL operation's, or an inline push's).
 * Every wait counts against it (pacing, backoff) and every attempt gets at most the time left,
 * so a call never outlives its caller's deadline: when too little is left, the caller gets the
 * last failure at once (a rate-limit wait as RateLimited with retryAfterMs, a hang as Timeout).
 * An idempotent read that hangs is cut at `attemptTimeoutMs` (well below an operation's
 * deadline) and retried within the same deadline; a request that will not be repeated after a
 * timeout (a create) may use up to `writeTimeoutMs`.
 */
import { isDependencyUnavailable } from '../domain/dependency-unavailable.js';
import { sleep as defaultSleep } from './sleep.js';
import {
  UpstreamContractError,
  UpstreamRateLimitedError,
  UpstreamTimeoutError,
  UpstreamUnauthorizedError,
  UpstreamUnavailableError,
  isUpstreamError,
  type UpstreamError,
  type UpstreamName,
} from './errors.js';
import { decideRetry, MIN_ATTEMPT_MS, parseRetryAfter, type RetryPolicy } from './retry-policy.js';
import {
  neverSent,
  networkCodeOf,
  TransportBodyTooLargeError,
  TransportTimeoutError,
  type Transport,
  type TransportResponse,
} from './transport.js';

export type ResponseHeaders = TransportResponse['headers'];

/** One HTTP attempt that was sent, for metrics and `extensions.upstream`. */
export interface AttemptEvent {
  method: string;
  /** "GET /contacts/{contactId}" */
  endpoint: string;
  status: number | null;
  durationMs: number;
  attempt: number;
  /** Why the call goes on after this attempt; null when it does not. */
  retryReason: string | null;
}

export interface AttemptObserver {
  onRequest(event: AttemptEvent): void;
}

/** Permission to send one attempt; released with the answer's headers (pacing learns from them). */
export interface PacingSlot {
  release(headers: ResponseHeaders | null): void;
}

/** How an upstream paces its callers; `Scope` is what its limits are kept per (a location, a lane…). */
export interface Pacing<Scope> {
  /**
   * Resolves when an attempt may go out. Rejects at once with UpstreamRateLimitedError (and its
   * retryAfterMs) when the wait would pass `deadlineAt`, and with the signal's reason on abort.
   */
  acquire(
    scope: Scope,
    request: { endpoint: string; deadlineAt: number | null; signal?: AbortSignal },
  ): Promise<PacingSlot>;
  /** A 429 arrived anyway: nobody of this scope sends for `ms`. */
  pause(scope: Scope, ms: number): void;
  /** The wait a 429 without Retry-After asks for (e.g. the learnt window); null: unknown. */
  defaultRetryAfterMs?(scope: Scope): number | null;
}

interface Credentials<Scope> {
  /** The auth headers of one attempt and the credential they carry (to name it when refused). */
  forAttempt(scope: Scope): Promise<{ headers: Record<string, string>; credential: string | null }>;
  /** The upstream refused `credential` (401): true when one retry with a renewed one makes sense. */
  renew?(scope: Scope, credential: string): Promise<boolean>;
}

/** A non-2xx answer, as the upstream's classifier sees it. */
export interface FailedAnswer {
  status: number;
  headers: ResponseHeaders;
  body: string;
  /** Retry-After, else the pacing's default wait, else 1 s. */
  retryAfterMs: number;
}

interface UpstreamLogger {
  debug(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
}

interface UpstreamClientOptions<Scope> {
  upstream: UpstreamName;
  transport: Transport;
  retry: RetryPolicy;
  /** One attempt of a request that may be repeated. */
  attemptTimeoutMs: number;
  /** One attempt of a request that is not repeated after a timeout (a create): it may take longer. */
  writeTimeoutMs: number;
  pacing: Pacing<Scope>;
  credentials?: Credentials<Scope>;
  /** The error of a non-2xx answer (the upstream's quirks live there). */
  classify(answer: FailedAnswer, endpoint: string): UpstreamError;
  /** Sent with every request. */
  baseHeaders?: Record<string, string>;
  /** Sees every attempt sent (metrics), besides the per-call observer. */
  observer?: AttemptObserver;
  logger?: UpstreamLogger;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

interface UpstreamCall<Scope> {
  scope: Scope;
  method: string;
  url: URL;
  /** The operation's name in errors, logs and metrics: never the concrete URL. */
  endpoint: string;
  headers?: Record<string, string>;
  /** JSON text; content-type is set for it. */
  body?: string;
  /** Repeating it cannot repeat its effect (read, PUT, DELETE, an honoured idempotency key). */
  idempotent: boolean;
  /** Epoch ms by which the call must have settled; null / absent: only the attempt timeouts bound it. */
  deadlineAt?: number | null;
  signal?: AbortSignal;
  observer?: AttemptObserver;
  /** Carried into logs. */
  requestId?: string;
  /**
   * The 2xx answer's body must be JSON (an empty body only when `allowEmpty`): one that is not
   * (cut off, a proxy's HTML) counts as a failed attempt, Unavailable with the 2xx status, so an
   * idempotent request is retried and a create is reconciled instead of being reported failed
   * although it was applied. Parsed, it comes back as `json`.
   */
  expectJson?: { allowEmpty: boolean };
}

interface UpstreamAnswer extends TransportResponse {
  /** The parsed body, when the call expected JSON (`{}` for an allowed empty body); else undefined. */
  json?: unknown;
}

export class UpstreamClient<Scope> {
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: UpstreamClientOptions<Scope>) {
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
  }

  get upstream(): UpstreamName {
    return this.options.upstream;
  }

  /** Resolves with the 2xx answer; rejects with an UpstreamError (or the signal's reason). */
  async request(call: UpstreamCall<Scope>): Promise<UpstreamAnswer> {
    const { options } = this;
    const deadlineAt = call.deadlineAt ?? null;
    let attempt = 0;
    let rateLimitRetries = 0;
    let otherRetries = 0;
    let renewed = false;
    let lastError: UpstreamError | null = null;
    for (;;) {
      attempt += 1;
      if (call.signal?.aborted) throw call.signal.reason;
      if (deadlineAt !== null && deadlineAt - this.now() < MIN_ATTEMPT_MS)
        throw lastError ?? this.outOfTime(call, deadlineAt);
      const auth = await this.credentialsFor(call);
      const slot = await options.pacing.acquire(call.scope, {
        endpoint: call.endpoint,
        deadlineAt,
        ...(call.signal === undefined ? {} : { signal: call.signal }),
      });
      const outcome = await this.attempt(call, slot, auth.headers, deadlineAt, attempt);
      if (outcome.ok) {
        this.report(call, outcome.event, null);
        return outcome.response;
      }
      const { error } = outcome;
      lastError = error;
      if (error.kind === 'Unauthorized' && !renewed && auth.credential !== null && options.credentials?.renew) {
        // On a 401 renew the credential (an OAuth refresh) and try once more, uncounted.
        renewed = true;
        if (await options.credentials.renew(call.scope, auth.credential)) {
          this.report(call, outcome.event, 'credential refused: renewed');
          continue;
        }
      }
      const decision = decideRetry(
        {
          error,
          idempotent: call.idempotent,
          neverSent: outcome.neverSent,
          rateLimitRetries,
          otherRetries,
          remainingMs: deadlineAt === null ? null : deadlineAt - this.now(),
          random: this.random(),
        },
        options.retry,
      );
      this.report(call, outcome.event, decision.retry ? decision.reason : null);
      const log = {
        upstream: options.upstream,
        endpoint: call.endpoint,
        requestId: call.requestId,
        attempt,
        kind: error.kind,
        reason: decision.reason,
      };
      if (!decision.retry) {
        // A 429 says the scope is refused for a while even when this call does not wait it out
        // (its deadline is too near): everyone of the scope holds back, and the next caller
        // learns it from the pacing instead of earning another 429.
        if (error instanceof UpstreamRateLimitedError) options.pacing.pause(call.scope, error.retryAfterMs);
        options.logger?.debug(log, 'upstream request failed');
        throw error;
      }
      options.logger?.warn({ ...log, delayMs: decision.delayMs }, 'upstream request will be retried');
      if (decision.pauseAll) {
        // Everyone of this scope waits, not only this caller: the pacing holds them.
        rateLimitRetries += 1;
        options.pacing.pause(call.scope, decision.delayMs);
      } else {
        otherRetries += 1;
        await this.sleep(decision.delayMs, call.signal);
      }
    }
  }

  private async credentialsFor(
    call: UpstreamCall<Scope>,
  ): Promise<{ headers: Record<string, string>; credential: string | null }> {
    if (this.options.credentials === undefined) return { headers: {}, credential: null };
    try {
      return await this.options.credentials.forAttempt(call.scope);
    } catch (error) {
      // Our own state database not answering (where grants are kept) is an outage of ours, not a
      // refused credential: reported as such, a batch resumes once it is back instead of giving up.
      if (isUpstreamError(error) || isDependencyUnavailable(error)) throw error;
      const message = error instanceof Error ? error.message : 'no credential';
      throw new UpstreamUnauthorizedError(
        this.options.upstream,
        call.endpoint,
        `No ${this.options.upstream} credential for ${call.endpoint}: ${message}`,
      );
    }
  }

  private async attempt(
    call: UpstreamCall<Scope>,
    slot: PacingSlot,
    authHeaders: Record<string, string>,
    deadlineAt: number | null,
    attempt: number,
  ): Promise<
    | { ok: true; response: UpstreamAnswer; event: Omit<AttemptEvent, 'retryReason'> }
    | { ok: false; error: UpstreamError; neverSent: boolean; event: Omit<AttemptEvent, 'retryReason'> }
  > {
    const { options } = this;
    const ceiling = call.idempotent ? options.attemptTimeoutMs : options.writeTimeoutMs;
    const left = deadlineAt === null ? Number.POSITIVE_INFINITY : Math.max(MIN_ATTEMPT_MS, deadlineAt - this.now());
    const timeoutMs = Math.floor(Math.min(ceiling, left));
    const headers: Record<string, string> = { ...options.baseHeaders, ...call.headers, ...authHeaders };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.requestId !== undefined) headers['x-request-id'] ??= call.requestId;
    const started = performance.now();
    let released = false;
    const event = (status: number | null): Omit<AttemptEvent, 'retryReason'> => ({
      method: call.method,
      endpoint: call.endpoint,
      status,
      durationMs: performance.now() - started,
      attempt,
    });
    try {
      let response: TransportResponse;
      try {
        response = await options.transport.send({
          url: call.url,
          method: call.method,
          headers,
          timeoutMs,
          ...(call.body === undefined ? {} : { body: call.body }),
          ...(call.signal === undefined ? {} : { signal: call.signal }),
        });
      } catch (error) {
        if (call.signal?.aborted) throw call.signal.reason;
        return { ok: false, ...this.failureOf(call, error, timeoutMs, timeoutMs < ceiling), event: event(null) };
      }
      slot.release(response.headers);
      released = true;
      if (response.status >= 200 && response.status < 300) {
        if (call.expectJson === undefined) return { ok: true, response, event: event(response.status) };
        const json = readJson(response.body, call.expectJson.allowEmpty);
        if (json.ok) return { ok: true, response: { ...response, json: json.value }, event: event(response.status) };
        const error = new UpstreamUnavailableError(
          options.upstream,
          call.endpoint,
          response.status,
          `${options.upstream} answered ${call.endpoint} with ${response.status} but a body that is not JSON (${json.detail}); the request may have been applied`,
        );
        return { ok: false, error, neverSent: false, event: event(response.status) };
      }
      const retryAfterMs =
        parseRetryAfter(response.headers['retry-after'], Date.now()) ??
        options.pacing.defaultRetryAfterMs?.(call.scope) ??
        1000;
      const error = options.classify(
        { status: response.status, headers: response.headers, body: response.body, retryAfterMs },
        call.endpoint,
      );
      return { ok: false, error, neverSent: false, event: event(response.status) };
    } finally {
      if (!released) slot.release(null);
    }
  }

  private failureOf(
    call: UpstreamCall<Scope>,
    error: unknown,
    timeoutMs: number,
    cutByDeadline: boolean,
  ): { error: UpstreamError; neverSent: boolean } {
    const { upstream } = this.options;
    if (error instanceof TransportTimeoutError) {
      const message = cutByDeadline
        ? `${upstream} did not answer ${call.endpoint} within the ${timeoutMs} ms left before the deadline`
        : undefined;
      return {
        error: new UpstreamTimeoutError(upstream, call.endpoint, timeoutMs, {
          cause: error,
          ...(message === undefined ? {} : { message }),
        }),
        neverSent: false,
      };
    }
    if (error instanceof TransportBodyTooLargeError) {
      return { error: new UpstreamContractError(upstream, call.endpoint, '', error.message), neverSent: false };
    }
    const code = networkCodeOf(error);
    return {
      error: new UpstreamUnavailableError(
        upstream,
        call.endpoint,
        null,
        `${upstream} could not be reached for ${call.endpoint} (${code ?? 'network error'})`,
        { cause: error },
      ),
      neverSent: neverSent(error),
    };
  }

  private outOfTime(call: UpstreamCall<Scope>, deadlineAt: number): UpstreamTimeoutError {
    const { upstream } = this.options;
    return new UpstreamTimeoutError(upstream, call.endpoint, 0, {
      message: `no time was left before the deadline to call ${upstream} (${call.endpoint}); ${Math.max(0, deadlineAt - this.now())} ms remained`,
    });
  }

  private report(
    call: UpstreamCall<Scope>,
    event: Omit<AttemptEvent, 'retryReason'>,
    retryReason: string | null,
  ): void {
    const full: AttemptEvent = { ...event, retryReason };
    call.observer?.onRequest(full);
    this.options.observer?.onRequest(full);
    this.options.logger?.debug(
      {
        upstream: this.options.upstream,
        endpoint: call.endpoint,
        requestId: call.requestId,
        status: event.status,
        durationMs: Math.round(event.durationMs),
      },
      'upstream request',
    );
  }
}

/** A 2xx body as JSON; an empty body is `{}` where allowed (deletes may answer nothing). */
function readJson(body: string, allowEmpty: boolean): { ok: true; value: unknown } | { ok: false; detail: string } {
  if (body.trim() === '') return allowEmpty ? { ok: true, value: {} } : { ok: false, detail: 'empty body' };
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : 'unparseable' };
  }
}
