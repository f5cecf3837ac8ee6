/**
 * Adds `extensions.upstream = { calls, batches }` to every response: what this one operation
 * cost HighLevel (HTTP requests including retries, and DataLoader batch invocations). Makes an
 * N+1 regression visible to whoever runs the query, and lets tests and the benchmark read it.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from '../context.js';

export function upstreamExtensionsPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, upstream: contextValue.upstream.snapshot() };
        },
      };
    },
  };
}
