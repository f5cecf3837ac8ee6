/**
 * Refuses an operation whose static cost (operation-cost.ts: what a router computes from the
 * schema's @cost and @listSize) exceeds GRAPHQL_MAX_COST, with 400 and extensions.code
 * QUERY_TOO_COMPLEX. It runs in didResolveOperation rather than as a validation rule because a
 * rule cannot see the variables, and `first: $n` is the common case. The walk is shared with
 * admission control (costOfRequest): one walk per request, and one per document and variables
 * shape (OperationCostCache).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { costOfRequest, operationCosts } from '../operation-cost.js';
import { limitError } from './limit-error.js';

const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

export function costLimitPlugin<Context extends object>(
  maxCost: number,
  defaultListSize?: number,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          // Apollo has already refused a document without a resolvable operation.
          const { operation, schema, document, request } = requestContext;
          if (operation === undefined) return;
          const { routerCost } = costOfRequest(request, () =>
            operationCosts.estimate(schema, document, operation, request.variables ?? {}, defaultListSize),
          );
          if (routerCost > maxCost) {
            const error = limitError('cost', routerCost, maxCost, 'GRAPHQL_MAX_COST');
            throw new GraphQLError(error.message, {
              extensions: { ...error.extensions, code: QUERY_TOO_COMPLEX, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
