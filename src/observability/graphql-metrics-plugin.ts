/**
 * Apollo plugin: per operation, the duration histogram (by name, type, outcome), an error
 * counter by extensions.code, and one log line on a child logger carrying the request id, so
 * the line can be matched to the upstream calls sent with the same x-request-id.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

/** Client-chosen names become labels: past this many distinct ones the rest count as "other". */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export interface GraphQLMetricsOptions {
  metrics: Metrics;
  logger: Logger;
  now?: () => number;
}

function codeOf(error: GraphQLError): string {
  const code = error.extensions['code'];
  return typeof code === 'string' && code !== '' ? code : 'INTERNAL_SERVER_ERROR';
}

export function graphqlMetricsPlugin<Context extends { requestId?: string }>(
  options: GraphQLMetricsOptions,
): ApolloServerPlugin<Context> {
  const now = options.now ?? (() => performance.now());
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
    async requestDidStart({ contextValue }) {
      const started = now();
      const codes: string[] = [];
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) codes.push(codeOf(error));
        },
        async willSendResponse({ operationName, operation, request }) {
          const durationMs = now() - started;
          const name = label(operationName ?? request.operationName);
          const type = operation?.operation ?? 'unknown';
          const outcome = codes.length === 0 ? 'ok' : 'error';
          options.metrics.graphqlOperations.observe({ operation: name, type, outcome }, durationMs / 1000);
          for (const code of codes) options.metrics.graphqlErrors.inc({ operation: name, code });
          const log =
            contextValue.requestId === undefined
              ? options.logger
              : options.logger.child({ requestId: contextValue.requestId });
          const fields = {
            operation: operationName ?? request.operationName ?? null,
            type,
            durationMs: Math.round(durationMs),
            outcome,
            ...(codes.length > 0 ? { errors: codes } : {}),
          };
          if (codes.some((code) => code === 'INTERNAL_SERVER_ERROR')) log.warn(fields, 'graphql operation failed');
          else log.info(fields, 'graphql operation');
        },
      };
    },
  };
}
