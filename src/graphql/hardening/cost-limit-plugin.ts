/**
 * Refuses an operation whose cost (query-cost.ts) exceeds the limit, with 400 and
 * extensions.code QUERY_TOO_COMPLEX. It runs in didResolveOperation rather than as a
 * validation rule because a rule cannot see the variables, and `first: $n` is the common case.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { limitError } from './limit-error.js';
import { DEFAULT_COST_SETTINGS, operationCost, type CostSettings } from './query-cost.js';

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

export function costLimitPlugin<Context extends object>(
  maxCost: number,
  settings: CostSettings = DEFAULT_COST_SETTINGS,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          // Apollo has already refused a document without a resolvable operation.
          if (requestContext.operation === undefined) return;
          const cost = operationCost(
            requestContext.schema,
            requestContext.document,
            requestContext.operation,
            requestContext.request.variables ?? {},
            settings,
          );
          if (cost > maxCost) {
            const error = limitError('cost', cost, maxCost, 'GRAPHQL_MAX_COST');
            throw new GraphQLError(error.message, {
              extensions: { ...error.extensions, code: QUERY_TOO_COMPLEX, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
