/**
 * `cache-control: no-store` on every GraphQL answer: answers are per caller and change with the
 * CRM, so no browser or proxy may keep one (the whole-response cache in src/response-reuse is
 * the gateway's own, checked against the shared cache on every reuse).
 *
 * This is what Apollo's cache-control plugin answered here, since no field declares a cache
 * hint. That plugin is turned off (server.ts) because it wraps every resolver of every request
 * to compute hints nobody sets: about 5% of a warm query's CPU (bench/results/profile-notes.md).
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

export function noStorePlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  const listener = {
    async willSendResponse({ response }: { response: { http: { headers: Map<string, string> } } }) {
      if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
    },
  };
  return {
    // One listener for every request: it holds no per-request state.
    async requestDidStart() {
      return listener;
    },
  };
}
