/**
 * One record per GraphQL operation, whichever layer answered it (Apollo, or the whole-response
 * cache in front of it): the duration histogram (by name, type, outcome), an error counter by
 * the `extensions.code` the client received and where the failure came from, and one log line
 * on a child logger carrying the request id, so the line can be matched to the upstream calls
 * sent with the same x-request-id.
 *
 * Errors are read from the response as formatted for the client (after formatError), so a
 * HighLevel 404 counts as NOT_FOUND, never as the INTERNAL_SERVER_ERROR it is before mapping.
 * Log levels follow who must act: a caller's mistake (NOT_FOUND, BAD_USER_INPUT…) and flow
 * control (RATE_LIMITED) are info like any answer; an upstream failure (UPSTREAM_*, a dead
 * HighLevel grant) is warn; our own failure (INTERNAL_SERVER_ERROR) is error.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

/** Client-chosen names become labels: past this many distinct ones the rest count as "other". */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/** Who has to act on an error: the caller, an upstream (or its operator), or us. */
type ErrorSource = 'client' | 'upstream' | 'gateway';

const UPSTREAM_CODES: ReadonlySet<string> = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_CONTRACT', 'RATE_LIMITED']);
const GATEWAY_CODES: ReadonlySet<string> = new Set([
  'INTERNAL_SERVER_ERROR',
  'OPERATION_TIMEOUT',
  'UNAVAILABLE_DEPENDENCY',
]);

interface AnsweredError {
  code: string;
  source: ErrorSource;
}

/** The code a client received and its source; a dead HighLevel grant (UNAUTHENTICATED with installUrl) is upstream's. */
function answeredError(error: GraphQLFormattedError): AnsweredError {
  const raw = error.extensions?.['code'];
  const code = typeof raw === 'string' && raw !== '' ? raw : 'INTERNAL_SERVER_ERROR';
  if (GATEWAY_CODES.has(code)) return { code, source: 'gateway' };
  if (UPSTREAM_CODES.has(code)) return { code, source: 'upstream' };
  if (code === 'UNAUTHENTICATED' && typeof error.extensions?.['installUrl'] === 'string')
    return { code, source: 'upstream' };
  return { code, source: 'client' };
}

export interface OperationRecord {
  /** The operation's name as the client sent it (null: anonymous). */
  operationName: string | null;
  /** query, mutation, subscription; unknown when the document did not parse. */
  type: string;
  durationMs: number;
  errors: readonly AnsweredError[];
  requestId?: string;
  /** Set when the whole-response cache answered without executing. */
  servedBy?: 'response-cache';
}

export interface OperationRecorder {
  record(operation: OperationRecord): void;
}

interface GraphQLMetricsOptions {
  metrics: Metrics;
  logger: Logger;
}

export function createOperationRecorder(options: GraphQLMetricsOptions): OperationRecorder {
  const seenNames = new Set<string>();
  const label = (name: string | null | undefined): string => {
    if (name === null || name === undefined || name === '') return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (seenNames.has(name)) return name;
    if (seenNames.size >= MAX_OPERATION_NAMES) return 'other';
    seenNames.add(name);
    return name;
  };
  return {
    record(operation) {
      const name = label(operation.operationName);
      const outcome = operation.errors.length === 0 ? 'ok' : 'error';
      options.metrics.graphqlOperations.observe(
        { operation: name, type: operation.type, outcome },
        operation.durationMs / 1000,
      );
      for (const error of operation.errors)
        options.metrics.graphqlErrors.inc({ operation: name, code: error.code, source: error.source });
      const log =
        operation.requestId === undefined ? options.logger : options.logger.child({ requestId: operation.requestId });
      const fields = {
        operation: operation.operationName,
        type: operation.type,
        durationMs: Math.round(operation.durationMs),
        outcome,
        ...(operation.errors.length > 0 ? { errors: operation.errors.map((error) => error.code) } : {}),
        ...(operation.servedBy === undefined ? {} : { servedBy: operation.servedBy }),
      };
      if (operation.errors.some((error) => error.source === 'gateway' && error.code === 'INTERNAL_SERVER_ERROR'))
        log.error(fields, 'graphql operation failed');
      else if (operation.errors.some((error) => error.source !== 'client'))
        log.warn(fields, 'graphql operation met an upstream or dependency failure');
      else log.info(fields, 'graphql operation');
    },
  };
}

export function graphqlMetricsPlugin<Context extends { requestId?: string }>(
  recorder: OperationRecorder,
  now: () => number = () => performance.now(),
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const started = now();
      return {
        async willSendResponse({ operationName, operation, request, response }) {
          const single = response.body.kind === 'single' ? response.body.singleResult : null;
          const formatted = single?.errors ?? [];
          // A reuse the pipeline served (src/response-reuse/reuse-plugin.ts) is logged as one, like the front layer's.
          const reused = (single?.extensions?.['responseCache'] as { hit?: unknown } | undefined)?.hit === true;
          recorder.record({
            operationName: operationName ?? request.operationName ?? null,
            type: operation?.operation ?? 'unknown',
            durationMs: now() - started,
            errors: formatted.map(answeredError),
            ...(contextValue.requestId === undefined ? {} : { requestId: contextValue.requestId }),
            ...(reused ? { servedBy: 'response-cache' as const } : {}),
          });
        },
      };
    },
  };
}
