/**
 * The one place that decides what a client sees of a failure (docs/style.md rule 7). Typed client
 * errors become coded GraphQL errors (`extensions.code`); anything unknown is masked as
 * INTERNAL_SERVER_ERROR with no stack and no upstream body, and logged in full instead.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { isDependencyUnavailable } from '../domain/dependency-unavailable.js';
import { GhlReinstallRequiredError } from '../ghl/oauth-errors.js';
import { isUpstreamError, type UpstreamError } from '../upstream/errors.js';

export const ErrorCode = {
  NotFound: 'NOT_FOUND',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  RateLimited: 'RATE_LIMITED',
  UpstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
  UpstreamContract: 'UPSTREAM_CONTRACT',
  BadUserInput: 'BAD_USER_INPUT',
  /** The state database or the job queue's Redis did not answer in time (`dependency` names it). */
  UnavailableDependency: 'UNAVAILABLE_DEPENDENCY',
  Internal: 'INTERNAL_SERVER_ERROR',
  /** A trusted-only client sent a document it did not ship (src/graphql/trusted-documents/). */
  PersistedQueryNotAllowed: 'PERSISTED_QUERY_NOT_ALLOWED',
  /** No trusted (or automatically persisted) document has this id; Apollo's own code for APQ. */
  PersistedQueryNotFound: 'PERSISTED_QUERY_NOT_FOUND',
  /** A dependency the answer needs (e.g. the state database behind trusted documents) does not answer: retry. */
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
} as const;

type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * `extensions` (code first) an upstream error maps to. A refused credential is the caller's
 * concern only for HighLevel (the location's grant); Roofr refusing our key is an outage to them.
 */
export function extensionsForUpstreamError(error: UpstreamError): { code: ErrorCodeValue } & Record<string, unknown> {
  switch (error.kind) {
    case 'NotFound':
      return { code: ErrorCode.NotFound };
    case 'Unauthorized':
      if (error.upstream !== 'HighLevel')
        return { code: ErrorCode.UpstreamUnavailable, upstream: error.upstream, reason: 'UNAUTHORIZED' };
      // A dead or missing OAuth grant: tell the client where an admin installs the app again.
      return error instanceof GhlReinstallRequiredError
        ? { ...error.extensions, code: ErrorCode.Unauthenticated }
        : { code: ErrorCode.Unauthenticated };
    case 'MissingScope':
      // Same key as the write path's scope check (write-path.ts), so clients read one name.
      return { code: ErrorCode.Forbidden, missingScope: 'scope' in error ? error.scope : null };
    case 'RateLimited':
    case 'BudgetReserve':
      return { code: ErrorCode.RateLimited, retryAfterMs: 'retryAfterMs' in error ? error.retryAfterMs : null };
    case 'Unavailable':
    case 'Timeout':
      return {
        code: ErrorCode.UpstreamUnavailable,
        upstream: error.upstream,
        reason: 'reason' in error ? error.reason : 'UNREACHABLE',
      };
    case 'ContractError':
      return { code: ErrorCode.UpstreamContract, upstream: error.upstream };
    case 'Validation':
      return { code: ErrorCode.BadUserInput };
  }
}

/** A coded error for a resolver to throw (e.g. a bad cursor), never for upstream failures. */
export function userInputError(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code: ErrorCode.BadUserInput } });
}

/** What the client reads instead of the message of an error we did not expect. */
const MASKED_MESSAGE = 'Internal server error';

/**
 * Apollo `formatError`. `error` is what was thrown (wrapped by graphql-js with its path);
 * `formatted` is Apollo's rendering. We rebuild the rendering rather than editing it so no
 * field we did not choose (stacktrace, an upstream body) can slip through.
 */
export function createFormatError(
  logger?: Logger,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    const where = {
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    };
    if (isUpstreamError(original)) {
      const extensions = extensionsForUpstreamError(original);
      if (extensions.code === ErrorCode.UpstreamContract)
        logger?.warn({ err: original }, `${original.upstream} broke the response contract`);
      return { message: original.message, ...where, extensions };
    }
    if (isDependencyUnavailable(original))
      return {
        message: original.message,
        ...where,
        extensions: {
          code: ErrorCode.UnavailableDependency,
          dependency: original.dependency,
          retryAfterMs: original.retryAfterMs,
        },
      };
    // A GraphQLError carrying a code was raised on purpose (by our resolvers, plugins or Apollo
    // itself: parse, validation, variables); its message was written for the client. Apollo
    // gives everything else INTERNAL_SERVER_ERROR.
    const code = formatted.extensions?.code;
    if (original instanceof GraphQLError && typeof code === 'string' && code !== ErrorCode.Internal) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { message: formatted.message, ...where, extensions };
    }
    logger?.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL operation');
    return { message: MASKED_MESSAGE, ...where, extensions: { code: ErrorCode.Internal } };
  };
}
