/**
 * Apollo inline traces (`extensions.ftv1`, asked for with `apollo-federation-include-trace: ftv1`)
 * describe every resolver of an operation with its timing: the router in front reports them to
 * GraphOS, but to anyone else they are a map of the schema and of the gateway's latencies.
 * Apollo adds its inline-trace plugin to every subgraph for every caller; the server factory
 * disables that one and installs this wrapper, which runs Apollo's own plugin (errors masked)
 * only for requests whose context `allowed` says may have them.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';

export function inlineTracePlugin<Context extends object>(
  allowed: (context: Context) => boolean,
): ApolloServerPlugin<Context> {
  const inner = ApolloServerPluginInlineTrace({ includeErrors: { masked: true } }) as ApolloServerPlugin<Context>;
  return {
    serverWillStart: async (service) => {
      await inner.serverWillStart?.(service);
    },
    requestDidStart: async (requestContext) =>
      allowed(requestContext.contextValue) ? inner.requestDidStart?.(requestContext) : undefined,
  };
}
