/**
 * Roofr's errors: the upstream error family (src/upstream/errors.ts) with `upstream` fixed to
 * Roofr, shaped exactly like HighLevel's, so the sync and GraphQL layers branch on `kind`. None
 * carries an upstream body that could leak to a client (only our words and Roofr's validation
 * messages, which name fields).
 */
import {
  UpstreamContractError,
  UpstreamNotFoundError,
  UpstreamRateLimitedError,
  UpstreamTimeoutError,
  UpstreamUnauthorizedError,
  UpstreamUnavailableError,
  UpstreamValidationError,
  isUpstreamError,
  type UpstreamError,
} from '../upstream/errors.js';

export type RoofrError = UpstreamError;

const ROOFR = 'Roofr' as const;

export class RoofrNotFoundError extends UpstreamNotFoundError {
  constructor(endpoint: string, message: string, options?: { cause?: unknown }) {
    super(ROOFR, endpoint, message, options);
  }
}

export class RoofrUnauthorizedError extends UpstreamUnauthorizedError {
  constructor(
    endpoint: string,
    readonly status: number,
  ) {
    super(
      ROOFR,
      endpoint,
      `Roofr rejected the API key for ${endpoint} (${status}); check ROOFR_API_KEY, ROOFR_AUTH_HEADER and ROOFR_AUTH_SCHEME`,
    );
  }
}

export class RoofrRateLimitedError extends UpstreamRateLimitedError {
  constructor(endpoint: string, retryAfterMs: number, message?: string) {
    super(ROOFR, endpoint, retryAfterMs, message);
  }
}

export class RoofrUnavailableError extends UpstreamUnavailableError {
  constructor(endpoint: string, status: number | null, message?: string, options?: { cause?: unknown }) {
    super(ROOFR, endpoint, status, message, options);
  }
}

export class RoofrValidationError extends UpstreamValidationError {
  constructor(endpoint: string, messages: string[], status: number) {
    super(ROOFR, endpoint, messages, status);
  }
}

export class RoofrTimeoutError extends UpstreamTimeoutError {
  constructor(endpoint: string, timeoutMs: number, options?: { cause?: unknown; message?: string }) {
    super(ROOFR, endpoint, timeoutMs, options);
  }
}

/** The response did not match docs/roofr-api.md: names the endpoint and the field path. */
export class RoofrContractError extends UpstreamContractError {
  constructor(endpoint: string, fieldPath: string, detail: string) {
    super(ROOFR, endpoint, fieldPath, detail);
  }
}

/** An error of a Roofr adapter (any kind). */
export function isRoofrError(error: unknown): error is UpstreamError {
  return isUpstreamError(error) && error.upstream === ROOFR;
}
