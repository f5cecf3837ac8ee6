/**
 * A backing service the gateway cannot work without (the state database, the Redis of the job
 * queue) did not answer in time or refused the connection. Thrown by the store and the job
 * queue instead of waiting: a GraphQL operation answers it as UNAVAILABLE_DEPENDENCY naming the
 * dependency (src/graphql/errors.ts), webhook intake as 503 with Retry-After. Plain: it imports
 * nothing, so every layer may throw and recognise it.
 */

type Dependency = 'postgres' | 'redis';

export class DependencyUnavailableError extends Error {
  readonly dependency: Dependency;
  /** When a retry may succeed, in ms (a hint for Retry-After). */
  readonly retryAfterMs: number;

  constructor(dependency: Dependency, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DependencyUnavailableError';
    this.dependency = dependency;
    this.retryAfterMs = options?.retryAfterMs ?? 5000;
  }
}

export function isDependencyUnavailable(error: unknown): error is DependencyUnavailableError {
  return error instanceof DependencyUnavailableError;
}
