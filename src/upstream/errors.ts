/**
 * The one error family of every upstream (HighLevel, Roofr). Retry decisions, serve-stale,
 * the outbox and the GraphQL error mapping branch on `kind` (and `upstream` where it matters),
 * never on which client threw. HighLevel and Roofr name their errors (GhlNotFoundError,
 * RoofrTimeoutError…: ghl/errors.ts, roofr/errors.ts) as subclasses that only fix `upstream`.
 *
 * None carries an upstream body that could leak to a client: only our own words and the
 * upstream's validation messages, which name fields.
 */
export type UpstreamName = 'HighLevel' | 'Roofr';

type UpstreamErrorKind =
  | 'NotFound'
  | 'Unauthorized'
  | 'MissingScope'
  | 'RateLimited'
  | 'Unavailable'
  | 'Validation'
  | 'Timeout'
  | 'ContractError'
  | 'BudgetReserve';

export abstract class UpstreamError extends Error {
  abstract readonly kind: UpstreamErrorKind;
  /** "GET /contacts/{contactId}": the operation, never the concrete URL with ids or keys. */
  readonly endpoint: string;
  constructor(
    readonly upstream: UpstreamName,
    endpoint: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.endpoint = endpoint;
    this.name = new.target.name;
  }
}

export class UpstreamNotFoundError extends UpstreamError {
  readonly kind = 'NotFound' as const;
}

export class UpstreamUnauthorizedError extends UpstreamError {
  readonly kind = 'Unauthorized' as const;
}

export class UpstreamMissingScopeError extends UpstreamError {
  readonly kind = 'MissingScope' as const;
  constructor(
    upstream: UpstreamName,
    endpoint: string,
    readonly scope: string | null,
    message?: string,
  ) {
    super(upstream, endpoint, message ?? `The token is not authorized for ${scope ?? 'this scope'} (${endpoint})`);
  }
}

export class UpstreamRateLimitedError extends UpstreamError {
  readonly kind = 'RateLimited' as const;
  constructor(
    upstream: UpstreamName,
    endpoint: string,
    readonly retryAfterMs: number,
    message?: string,
  ) {
    super(upstream, endpoint, message ?? `${upstream} rate limit reached for ${endpoint}; retry in ${retryAfterMs} ms`);
  }
}

/** A daily budget's configured reserve would be spent: refused before sending. */
export class UpstreamBudgetReserveError extends UpstreamError {
  readonly kind = 'BudgetReserve' as const;
  constructor(
    upstream: UpstreamName,
    endpoint: string,
    readonly retryAfterMs: number,
    readonly dailyRemaining: number,
    readonly reserve: number,
    message?: string,
  ) {
    super(
      upstream,
      endpoint,
      message ??
        `Refusing ${endpoint}: only ${dailyRemaining} ${upstream} requests remain today and ${reserve} are reserved`,
    );
  }
}

/** Why an upstream could not serve: what an operator (and `extensions.reason`) reads. */
type UnavailableReason = 'SERVER_ERROR' | 'UNREACHABLE' | 'TIMEOUT';

export class UpstreamUnavailableError extends UpstreamError {
  readonly kind = 'Unavailable' as const;
  constructor(
    upstream: UpstreamName,
    endpoint: string,
    readonly status: number | null,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(
      upstream,
      endpoint,
      message ?? `${upstream} is unavailable (${status ?? 'network error'}) for ${endpoint}`,
      options,
    );
  }

  get reason(): UnavailableReason {
    if (this.status === null) return 'UNREACHABLE';
    // A 2xx whose body could not be read (cut off): the answer was lost on the way.
    return this.status < 300 ? 'UNREACHABLE' : 'SERVER_ERROR';
  }
}

export class UpstreamValidationError extends UpstreamError {
  readonly kind = 'Validation' as const;
  constructor(
    upstream: UpstreamName,
    endpoint: string,
    readonly messages: string[],
    readonly status: number,
  ) {
    super(upstream, endpoint, `${upstream} rejected the request to ${endpoint}: ${messages.join('; ')}`);
  }
}

/**
 * No answer in time: one attempt ran past its timeout, or the caller's deadline (the GraphQL
 * operation's, or an inline push's) left no time for another attempt.
 */
export class UpstreamTimeoutError extends UpstreamError {
  readonly kind = 'Timeout' as const;
  constructor(
    upstream: UpstreamName,
    endpoint: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown; message?: string },
  ) {
    super(
      upstream,
      endpoint,
      options?.message ?? `${upstream} did not answer ${endpoint} within ${timeoutMs} ms`,
      options,
    );
  }

  get reason(): UnavailableReason {
    return 'TIMEOUT';
  }
}

/** The response did not match what we rely on: names the endpoint and the field path. */
export class UpstreamContractError extends UpstreamError {
  readonly kind = 'ContractError' as const;
  constructor(
    upstream: UpstreamName,
    endpoint: string,
    readonly fieldPath: string,
    detail: string,
  ) {
    super(
      upstream,
      endpoint,
      `${upstream} response of ${endpoint} broke the contract at ${fieldPath || '(root)'}: ${detail}`,
    );
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError;
}

/** Failures that say "try later", not "no": retried, queued, or answered with a stale copy. */
const TRANSIENT_KINDS: ReadonlySet<UpstreamErrorKind> = new Set([
  'RateLimited',
  'Unavailable',
  'Timeout',
  'BudgetReserve',
]);

export function isTransientUpstreamFailure(error: unknown): error is UpstreamError {
  return isUpstreamError(error) && TRANSIENT_KINDS.has(error.kind);
}
