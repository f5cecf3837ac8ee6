/**
 * Typed errors of the HighLevel client. The GraphQL layer maps each to an `extensions.code`;
 * none of them carries an upstream body that could leak to a client (only our own words and
 * GHL's validation messages, which name fields and are safe to show).
 */
export type GhlErrorKind =
  | 'NotFound'
  | 'Unauthorized'
  | 'MissingScope'
  | 'RateLimited'
  | 'Unavailable'
  | 'Validation'
  | 'Timeout'
  | 'ContractError'
  | 'BudgetReserve';

export abstract class GhlError extends Error {
  abstract readonly kind: GhlErrorKind;
  /** "GET /contacts/{contactId}": the operation, never the concrete URL with ids or tokens. */
  readonly endpoint: string;
  constructor(endpoint: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.endpoint = endpoint;
    this.name = new.target.name;
  }
}

export class GhlNotFoundError extends GhlError {
  readonly kind = 'NotFound' as const;
}

export class GhlUnauthorizedError extends GhlError {
  readonly kind = 'Unauthorized' as const;
}

export class GhlMissingScopeError extends GhlError {
  readonly kind = 'MissingScope' as const;
  constructor(
    endpoint: string,
    readonly scope: string | null,
    message?: string,
  ) {
    super(endpoint, message ?? `The token is not authorized for ${scope ?? 'this scope'} (${endpoint})`);
  }
}

export class GhlRateLimitedError extends GhlError {
  readonly kind = 'RateLimited' as const;
  constructor(
    endpoint: string,
    readonly retryAfterMs: number,
    message?: string,
  ) {
    super(endpoint, message ?? `HighLevel rate limit reached for ${endpoint}; retry in ${retryAfterMs} ms`);
  }
}

/** The daily budget's configured reserve would be spent: refused before sending. */
export class GhlBudgetReserveError extends GhlError {
  readonly kind = 'BudgetReserve' as const;
  constructor(
    endpoint: string,
    readonly retryAfterMs: number,
    readonly dailyRemaining: number,
    readonly reserve: number,
  ) {
    super(
      endpoint,
      `Refusing ${endpoint}: only ${dailyRemaining} HighLevel requests remain today and ${reserve} are reserved (GHL_DAILY_RESERVE)`,
    );
  }
}

export class GhlUnavailableError extends GhlError {
  readonly kind = 'Unavailable' as const;
  constructor(
    endpoint: string,
    readonly status: number | null,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(endpoint, message ?? `HighLevel is unavailable (${status ?? 'network error'}) for ${endpoint}`, options);
  }
}

export class GhlValidationError extends GhlError {
  readonly kind = 'Validation' as const;
  constructor(
    endpoint: string,
    readonly messages: string[],
    readonly status: number,
  ) {
    super(endpoint, `HighLevel rejected the request to ${endpoint}: ${messages.join('; ')}`);
  }
}

export class GhlTimeoutError extends GhlError {
  readonly kind = 'Timeout' as const;
  constructor(
    endpoint: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(endpoint, `HighLevel did not answer ${endpoint} within ${timeoutMs} ms`, options);
  }
}

/** The response did not match what we rely on: names the endpoint and the field path. */
export class GhlContractError extends GhlError {
  readonly kind = 'ContractError' as const;
  constructor(
    endpoint: string,
    readonly fieldPath: string,
    detail: string,
  ) {
    super(endpoint, `HighLevel response of ${endpoint} broke the contract at ${fieldPath || '(root)'}: ${detail}`);
  }
}

export function isGhlError(error: unknown): error is GhlError {
  return error instanceof GhlError;
}
