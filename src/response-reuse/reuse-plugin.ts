/**
 * The whole-response cache (src/cache/response-cache.ts) as one component of Apollo's pipeline.
 *
 * It keeps a response whole for identical requests when reusing it later is exactly as good as
 * executing again: a query whose root fields all read through the shared cache, answered without
 * errors, without upstream calls and without stale values, from values the request recorded
 * (ResponseDependencies). Anything else (mutations, sync and dead-letter queries, the rate
 * budget, introspection) always executes.
 *
 * It answers a reuse in `responseForOperation`: after the request id, authentication, trusted
 * documents, hardening, the role guard and admission have run, and before execution; the
 * response then goes through willSendResponse like any other (metrics, log line, extensions).
 * front-layer.ts answers the commonest shape of the same requests earlier, from
 * the same cache under the same key; this plugin is what stores every entry, and what serves
 * every request that layer does not take.
 */
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { responseKey, type ResponseCache } from '../cache/response-cache.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { QueryResolvers } from '../graphql/resolvers-types.generated.js';

/**
 * Root fields answered only from the shared entity cache (or upstream, which spoils reuse).
 * Typed by the schema's Query fields: a renamed field fails to compile. A field left out is
 * only never reused; one wrongly listed would be reused stale, so each is listed on purpose.
 */
const REUSABLE_ROOT_FIELDS: ReadonlySet<string> = new Set<keyof QueryResolvers | '_entities' | '__typename'>([
  'contact',
  'contacts',
  'contactsByBusiness',
  'task',
  'note',
  '_entities',
  '__typename',
]);

function onlyReusableRootFields(operation: OperationDefinitionNode): boolean {
  // Fragments at the root could hide any field: such operations simply always execute.
  return operation.selectionSet.selections.every(
    (selection) => selection.kind === Kind.FIELD && REUSABLE_ROOT_FIELDS.has(selection.name.value),
  );
}

/** The request's key: the text that runs (trusted documents already decided), who asks, for which location. */
function keyOf(requestContext: GraphQLRequestContext<GraphQLContext>): string | null {
  const { source, request, contextValue } = requestContext;
  if (source === undefined) return null;
  const caller = contextValue.caller;
  return responseKey({
    locationId: contextValue.locationId,
    caller: caller === null ? null : { subject: caller.subject, kind: caller.kind, roles: caller.roles },
    operationName: request.operationName ?? null,
    query: source,
    variables: request.variables ?? null,
  });
}

export function responseCachePlugin(cache: ResponseCache): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      let key: string | null = null;
      let reused = false;
      return {
        async responseForOperation(requestContext) {
          const { operation, contextValue } = requestContext;
          if (contextValue.responseCache === undefined) return null;
          if (operation.operation !== 'query' || !onlyReusableRootFields(operation)) return null;
          key = keyOf(requestContext);
          if (key === null) return null;
          const hit = await cache.lookup(key);
          if (hit === null) return null;
          reused = true;
          return {
            http: { status: undefined, headers: new HeaderMap() },
            body: {
              kind: 'single',
              singleResult: {
                data: JSON.parse(hit.dataJson) as Record<string, unknown>,
                extensions: { responseCache: { hit: true, ageMs: hit.ageMs } },
              },
            },
          };
        },
        async willSendResponse({ response, contextValue, operationName }) {
          const reuse = contextValue.responseCache;
          if (reused || key === null || reuse === undefined || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if ((result.errors?.length ?? 0) > 0 || result.data == null) return;
          if (response.http.status !== undefined && response.http.status !== 200) return;
          const { admission, upstream } = contextValue;
          // Admission mode does not matter here: without errors, stale values or upstream calls,
          // a cache-only or partial answer is exactly what a normal one would have been.
          if (admission.stale.count > 0 || upstream.snapshot().calls > 0) return;
          const dependencies = reuse.dependencies.list();
          if (dependencies !== null) cache.store(key, result.data, dependencies, operationName ?? null);
        },
      };
    },
  };
}
