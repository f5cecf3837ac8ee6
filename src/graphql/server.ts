/**
 * The Apollo Server factory: schema (a federation subgraph), error masking, the upstream-cost
 * extension, and no CDN-loaded landing page (our own playground is served by src/http/).
 * Inline traces (ftv1) only for callers `inlineTraces` allows (none by default), and no schema
 * hints in errors where introspection is off. The server knows nothing of HTTP or of how the
 * context is built; src/http/ wires both.
 */
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { ValidationRule } from 'graphql';
import type { Logger } from 'pino';
import type { GraphQLContext } from './context.js';
import { silentLogger } from '../observability/logger.js';
import { createDocumentStore } from './document-store.js';
import { createFormatError } from './errors.js';
import { hideSchemaHintsPlugin } from './hardening/schema-hints.js';
import { literalPathsRule } from './literal-paths.js';
import { inlineTracePlugin } from './plugins/inline-trace.js';
import { noStorePlugin } from './plugins/no-store.js';
import { upstreamExtensionsPlugin } from './plugins/upstream-extensions.js';
import { resolvers as defaultResolvers } from './resolvers/index.js';
import type { Resolvers } from './resolvers-types.generated.js';
import { buildGatewaySchema } from './schema.js';

interface GraphQLServerOptions {
  /** Defaults to the loader-backed resolvers; the benchmark passes the naive set. */
  resolvers?: Resolvers;
  logger?: Logger;
  /** Default true; GRAPHQL_INTROSPECTION turns it off, and with it every schema hint in errors. */
  introspection?: boolean;
  /** Which requests may receive Apollo inline traces (ftv1); default none. */
  inlineTraces?: (context: GraphQLContext) => boolean;
  /** Automatic persisted queries: where hashes are kept (shared by replicas) and for how long (s); false: off. Default: Apollo's per-process cache. */
  persistedQueries?: ApolloServerOptions<GraphQLContext>['persistedQueries'];
  /** Extra plugins, e.g. ApolloServerPluginDrainHttpServer, limits, metrics. */
  plugins?: ApolloServerPlugin<GraphQLContext>[];
  /** Extra validation rules, e.g. depth and cost limits. */
  validationRules?: ValidationRule[];
}

export function createGraphQLServer(options: GraphQLServerOptions = {}): ApolloServer<GraphQLContext> {
  const introspection = options.introspection ?? true;
  return new ApolloServer<GraphQLContext>({
    schema: buildGatewaySchema(options.resolvers ?? defaultResolvers),
    // Parsed documents bounded by their heap size, not their JSON (document-store.ts).
    documentStore: createDocumentStore(),
    // Apollo's own notices (e.g. inline tracing for federation) go to our logger, not console.
    logger: options.logger ?? silentLogger(),
    formatError: createFormatError(options.logger),
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT; Apollo's own handler would race it and re-raise the signal.
    stopOnTerminationSignals: false,
    introspection,
    ...(options.persistedQueries === undefined ? {} : { persistedQueries: options.persistedQueries }),
    // literalPathsRule first of ours: scalar literal errors name their field (literal-paths.ts).
    validationRules: [literalPathsRule, ...(options.validationRules ?? [])],
    // Without introspection, "Did you mean …?" would answer what introspection refuses to.
    hideSchemaDetailsFromClientErrors: !introspection,
    validationOptions: { hideSuggestions: !introspection },
    plugins: [
      upstreamExtensionsPlugin(),
      ApolloServerPluginLandingPageDisabled(),
      // No field sets a cache hint; its per-field wrapper cost ~5% of a warm query (plugins/no-store.ts).
      ApolloServerPluginCacheControlDisabled(),
      noStorePlugin<GraphQLContext>(),
      // Apollo would trace every subgraph request that asks; the wrapper asks the caller first.
      ApolloServerPluginInlineTraceDisabled(),
      inlineTracePlugin(options.inlineTraces ?? (() => false)),
      ...(introspection ? [] : [hideSchemaHintsPlugin<GraphQLContext>()]),
      ...(options.plugins ?? []),
    ],
  });
}
