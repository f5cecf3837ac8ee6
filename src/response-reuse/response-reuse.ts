/**
 * Whole-response reuse as one component: the store (src/cache/response-cache.ts, checked against
 * the shared cache on every reuse), the Apollo plugin that keeps answers and serves reuses inside
 * the pipeline (reuse-plugin.ts), and the layer that serves the commonest request shape in front
 * of Apollo (front-layer.ts). Both serving paths use one key, one authentication (the app's
 * memoized `contextRequestOf`), one request id and one operations recorder (metrics, log line),
 * so a reused answer is counted and logged like any other. docs/architecture.md step 2.
 */
import { ResponseCache } from '../cache/response-cache.js';
import type { SharedCache } from '../cache/shared-cache.js';
import { reusedAnswers, type FastPathOptions } from './front-layer.js';
import { responseCachePlugin } from './reuse-plugin.js';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from '../graphql/context.js';

interface ResponseReuseSettings {
  /** RESPONSE_CACHE_MAX_ENTRIES; 0 turns reuse off. */
  maxEntries: number;
  /** RESPONSE_CACHE_MAX_BYTES. */
  maxBytes: number;
  /** false: reuses are served by the pipeline only (bench/response-cache compares the two). */
  inFront?: boolean;
}

interface ResponseReuse {
  store: ResponseCache;
  /** Goes into Apollo's plugins after admission: keeps answers, serves reuses in the pipeline. */
  plugin: ApolloServerPlugin<GraphQLContext>;
  /** The front door's reuse step (src/http/graphql-front-door.ts); null: reuses are served by the pipeline only. */
  frontStep(options: Omit<FastPathOptions, 'cache'>): ReturnType<typeof reusedAnswers> | null;
}

/** Null when RESPONSE_CACHE_MAX_ENTRIES is 0: every operation executes. */
export function createResponseReuse(cache: SharedCache, settings: ResponseReuseSettings): ResponseReuse | null {
  if (settings.maxEntries === 0) return null;
  const store = new ResponseCache(cache, { maxEntries: settings.maxEntries, maxBytes: settings.maxBytes });
  return {
    store,
    plugin: responseCachePlugin(store),
    frontStep: (options) => (settings.inFront === false ? null : reusedAnswers({ ...options, cache: store })),
  };
}
