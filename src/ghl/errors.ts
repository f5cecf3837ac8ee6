/**
 * HighLevel's errors: the upstream error family (src/upstream/errors.ts) with `upstream` fixed
 * to HighLevel, so retry, serve-stale and the GraphQL mapping treat them like every other
 * upstream's while code that speaks HighLevel can still name them. None carries an upstream
 * body (only our words and GHL's validation messages, which name fields).
 */
import {
  UpstreamBudgetReserveError,
  UpstreamContractError,
  UpstreamMissingScopeError,
  UpstreamNotFoundError,
  UpstreamRateLimitedError,
  UpstreamTimeoutError,
  UpstreamUnauthorizedError,
  UpstreamUnavailableError,
  UpstreamValidationError,
  isUpstreamError,
  type UpstreamError,
} from '../upstream/errors.js';

export type GhlError = UpstreamError;

const GHL = 'HighLevel' as const;

export class GhlNotFoundError extends UpstreamNotFoundError {
  constructor(endpoint: string, message: string, options?: { cause?: unknown }) {
    super(GHL, endpoint, message, options);
  }
}

export class GhlUnauthorizedError extends UpstreamUnauthorizedError {
  /** The 401/403 HighLevel answered; undefined when we refused before sending (no token, no install). */
  readonly status: number | undefined;
  constructor(endpoint: string, message: string, options?: { cause?: unknown; status?: number }) {
    super(GHL, endpoint, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }

  /** HighLevel itself refused the token (as opposed to a location this gateway holds no token for). */
  get answeredByHighLevel(): boolean {
    return this.status !== undefined;
  }
}

export class GhlMissingScopeError extends UpstreamMissingScopeError {
  constructor(endpoint: string, scope: string | null, message?: string) {
    super(GHL, endpoint, scope, message);
  }
}

export class GhlRateLimitedError extends UpstreamRateLimitedError {
  constructor(endpoint: string, retryAfterMs: number, message?: string) {
    super(GHL, endpoint, retryAfterMs, message);
  }
}

/** The daily budget's configured reserve would be spent: refused before sending. */
export class GhlBudgetReserveError extends UpstreamBudgetReserveError {
  constructor(endpoint: string, retryAfterMs: number, dailyRemaining: number, reserve: number) {
    super(
      GHL,
      endpoint,
      retryAfterMs,
      dailyRemaining,
      reserve,
      `Refusing ${endpoint}: only ${dailyRemaining} HighLevel requests remain today and ${reserve} are reserved (GHL_DAILY_RESERVE)`,
    );
  }
}

export class GhlUnavailableError extends UpstreamUnavailableError {
  constructor(endpoint: string, status: number | null, message?: string, options?: { cause?: unknown }) {
    super(GHL, endpoint, status, message, options);
  }
}

export class GhlValidationError extends UpstreamValidationError {
  constructor(endpoint: string, messages: string[], status: number) {
    super(GHL, endpoint, messages, status);
  }
}

export class GhlTimeoutError extends UpstreamTimeoutError {
  constructor(endpoint: string, timeoutMs: number, options?: { cause?: unknown; message?: string }) {
    super(GHL, endpoint, timeoutMs, options);
  }
}

/** The response did not match what we rely on: names the endpoint and the field path. */
export class GhlContractError extends UpstreamContractError {
  constructor(endpoint: string, fieldPath: string, detail: string) {
    super(GHL, endpoint, fieldPath, detail);
  }
}

/** An error of the HighLevel client (any kind). */
export function isGhlError(error: unknown): error is UpstreamError {
  return isUpstreamError(error) && error.upstream === GHL;
}
