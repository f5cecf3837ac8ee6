/**
 * Keeps a response whole for identical requests (src/cache/response-cache.ts) when reusing it
 * later is exactly as good as executing again: a query whose root fields all read through the
 * shared cache, answered without errors, without upstream calls and without stale values, from
 * values the request recorded (ResponseDependencies). Anything
 * else (mutations, sync and dead-letter queries, the rate budget, introspection) always executes.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { ResponseCache } from '../../cache/response-cache.js';
import type { GraphQLContext } from '../context.js';

/** Root fields answered only from the shared entity cache (or upstream, which spoils reuse). */
const REUSABLE_ROOT_FIELDS: ReadonlySet<string> = new Set([
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

export function responseCachePlugin(cache: ResponseCache): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operation, operationName }) {
          const reuse = contextValue.responseCache;
          if (reuse === undefined || response.body.kind !== 'single' || operation === undefined) return;
          if (operation.operation !== 'query' || !onlyReusableRootFields(operation)) return;
          const result = response.body.singleResult;
          if ((result.errors?.length ?? 0) > 0 || result.data == null) return;
          if (response.http.status !== undefined && response.http.status !== 200) return;
          const { admission, upstream } = contextValue;
          // Admission mode does not matter here: without errors, stale values or upstream calls,
          // a cache-only or partial answer is exactly what a normal one would have been.
          if (admission.stale.count > 0 || upstream.snapshot().calls > 0) return;
          const dependencies = reuse.dependencies.list();
          if (dependencies !== null) cache.store(reuse.key, result.data, dependencies, operationName ?? null);
        },
      };
    },
  };
}
