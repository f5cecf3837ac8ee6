import { GraphQLError } from 'graphql';
import {
  GhlBudgetReserveError,
  GhlContractError,
  GhlMissingScopeError,
  GhlNotFoundError,
  GhlRateLimitedError,
  GhlTimeoutError,
  GhlUnauthorizedError,
  GhlUnavailableError,
  GhlValidationError,
} from '../../../src/ghl/errors.js';
import { RoofrTimeoutError, RoofrUnauthorizedError } from '../../../src/roofr/errors.js';
import type { UpstreamError } from '../../../src/upstream/errors.js';
import { createFormatError, extensionsForUpstreamError } from '../../../src/graphql/errors.js';

const E = 'GET /contacts/{contactId}';

/** graphql-js wraps what a resolver throws in a located GraphQLError; Apollo renders it. */
function located(original: Error): {
  formatted: { message: string; path: string[]; extensions: Record<string, unknown> };
  error: GraphQLError;
} {
  const error = new GraphQLError(original.message, { path: ['contact'], originalError: original });
  const extensions =
    original instanceof GraphQLError && typeof original.extensions.code === 'string'
      ? original.extensions
      : { code: 'INTERNAL_SERVER_ERROR' };
  return {
    formatted: {
      message: original.message,
      path: ['contact'],
      extensions: { ...extensions, stacktrace: ['at secret.ts:1'] },
    },
    error,
  };
}

describe('extensionsForUpstreamError', () => {
  const cases: Array<[UpstreamError, Record<string, unknown>]> = [
    [new GhlNotFoundError(E, 'Contact with id x not found'), { code: 'NOT_FOUND' }],
    [new GhlUnauthorizedError(E, 'refused'), { code: 'UNAUTHENTICATED' }],
    [new GhlMissingScopeError(E, 'contacts.readonly'), { code: 'FORBIDDEN', missingScope: 'contacts.readonly' }],
    [new GhlRateLimitedError(E, 1500), { code: 'RATE_LIMITED', retryAfterMs: 1500 }],
    [new GhlBudgetReserveError(E, 60_000, 900, 1000), { code: 'RATE_LIMITED', retryAfterMs: 60_000 }],
    [new GhlUnavailableError(E, 503), { code: 'UPSTREAM_UNAVAILABLE', upstream: 'HighLevel', reason: 'SERVER_ERROR' }],
    [new GhlUnavailableError(E, null), { code: 'UPSTREAM_UNAVAILABLE', upstream: 'HighLevel', reason: 'UNREACHABLE' }],
    [new GhlTimeoutError(E, 15_000), { code: 'UPSTREAM_UNAVAILABLE', upstream: 'HighLevel', reason: 'TIMEOUT' }],
    [
      new RoofrTimeoutError('POST /v1/customers', 5000),
      { code: 'UPSTREAM_UNAVAILABLE', upstream: 'Roofr', reason: 'TIMEOUT' },
    ],
    [
      new RoofrUnauthorizedError('POST /v1/customers', 401),
      { code: 'UPSTREAM_UNAVAILABLE', upstream: 'Roofr', reason: 'UNAUTHORIZED' },
    ],
    [new GhlContractError(E, 'contact.id', 'expected string'), { code: 'UPSTREAM_CONTRACT', upstream: 'HighLevel' }],
    [new GhlValidationError(E, ['email must be an email'], 422), { code: 'BAD_USER_INPUT' }],
  ];
  it.each(cases)('when the client throws %s, then the extensions are %j', (error, expected) => {
    expect(extensionsForUpstreamError(error)).toEqual(expected);
  });
});

describe('formatError', () => {
  const formatError = createFormatError();

  it('when a resolver threw a typed HighLevel error, then the client sees its code and our message, no stack', () => {
    const { formatted, error } = located(new GhlRateLimitedError(E, 2000));
    expect(formatError(formatted, error)).toEqual({
      message: `HighLevel rate limit reached for ${E}; retry in 2000 ms`,
      path: ['contact'],
      extensions: { code: 'RATE_LIMITED', retryAfterMs: 2000 },
    });
  });

  it('when a resolver threw a plain Error, then it is masked as INTERNAL_SERVER_ERROR', () => {
    const { formatted, error } = located(new Error('ECONNRESET while sending Bearer pit-123'));
    expect(formatError(formatted, error)).toEqual({
      message: 'Internal server error',
      path: ['contact'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('when a resolver threw a coded GraphQLError, then its message and extensions pass without the stacktrace', () => {
    const { formatted, error } = located(
      new GraphQLError('first must be between 1 and 500', {
        extensions: { code: 'BAD_USER_INPUT', argumentName: 'first' },
      }),
    );
    expect(formatError(formatted, error)).toEqual({
      message: 'first must be between 1 and 500',
      path: ['contact'],
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'first' },
    });
  });

  it('when a resolver threw a GraphQLError without a code, then it is masked (Apollo marks it INTERNAL_SERVER_ERROR)', () => {
    const { formatted, error } = located(new GraphQLError('Cannot read properties of undefined'));
    expect(formatError(formatted, error).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(formatError(formatted, error).message).toBe('Internal server error');
  });
});
