/**
 * Typed errors of the Roofr adapters, shaped like the HighLevel client's (src/ghl/errors.ts):
 * the GraphQL and sync layers branch on `kind`; none carries an upstream body that could leak to
 * a client (only our words and Roofr's validation messages, which name fields).
 */
export type RoofrErrorKind =
  'NotFound' | 'Unauthorized' | 'RateLimited' | 'Unavailable' | 'Validation' | 'Timeout' | 'ContractError';

export abstract class RoofrError extends Error {
  abstract readonly kind: RoofrErrorKind;
  /** "GET /jobs/{jobId}": the operation, never the concrete URL with ids or keys. */
  readonly endpoint: string;
  constructor(endpoint: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.endpoint = endpoint;
    this.name = new.target.name;
  }
}

export class RoofrNotFoundError extends RoofrError {
  readonly kind = 'NotFound' as const;
}

export class RoofrUnauthorizedError extends RoofrError {
  readonly kind = 'Unauthorized' as const;
  constructor(
    endpoint: string,
    readonly status: number,
  ) {
    super(
      endpoint,
      `Roofr rejected the API key for ${endpoint} (${status}); check ROOFR_API_KEY, ROOFR_AUTH_HEADER and ROOFR_AUTH_SCHEME`,
    );
  }
}

export class RoofrRateLimitedError extends RoofrError {
  readonly kind = 'RateLimited' as const;
  constructor(
    endpoint: string,
    readonly retryAfterMs: number,
    message?: string,
  ) {
    super(endpoint, message ?? `Roofr rate limit reached for ${endpoint}; retry in ${retryAfterMs} ms`);
  }
}

export class RoofrUnavailableError extends RoofrError {
  readonly kind = 'Unavailable' as const;
  constructor(
    endpoint: string,
    readonly status: number | null,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(endpoint, message ?? `Roofr is unavailable (${status ?? 'network error'}) for ${endpoint}`, options);
  }
}

export class RoofrValidationError extends RoofrError {
  readonly kind = 'Validation' as const;
  constructor(
    endpoint: string,
    readonly messages: string[],
    readonly status: number,
  ) {
    super(endpoint, `Roofr rejected the request to ${endpoint}: ${messages.join('; ')}`);
  }
}

export class RoofrTimeoutError extends RoofrError {
  readonly kind = 'Timeout' as const;
  constructor(
    endpoint: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(endpoint, `Roofr did not answer ${endpoint} within ${timeoutMs} ms`, options);
  }
}

/** The response did not match docs/roofr-api.md: names the endpoint and the field path. */
export class RoofrContractError extends RoofrError {
  readonly kind = 'ContractError' as const;
  constructor(
    endpoint: string,
    readonly fieldPath: string,
    detail: string,
  ) {
    super(endpoint, `Roofr response of ${endpoint} broke the contract at ${fieldPath || '(root)'}: ${detail}`);
  }
}

export function isRoofrError(error: unknown): error is RoofrError {
  return error instanceof RoofrError;
}
