/**
 * The gateway's GraphQL server and HTTP server, listening: Apollo with its plugins in pipeline
 * order (trusted documents first, the drain, metrics, hardening and the role guard, admission,
 * response reuse), the per-request context, the Express app, the routes in front of it (Zapier,
 * webhooks, OAuth) and the front door on the server itself (POST /graphql: reuse, else Apollo directly). Registered on the
 * lifecycle last, so it is closed first: readiness turns 503, Apollo's drain stops the listener
 * and waits for requests in flight, then the services under it close.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import express from 'express';
import type { Logger } from 'pino';
import { hasRole } from '../auth/caller-identity.js';
import { apqStore } from '../cache/apq-cache.js';
import type { SharedCache } from '../cache/shared-cache.js';
import type { Config } from '../config.js';
import type { RateBudget } from '../ghl/rate-budget.js';
import { createContextFactory, type GraphQLContext } from '../graphql/context.js';
import { admissionPlugin, rateLimitExtension } from '../graphql/plugins/admission.js';
import type { Resolvers } from '../graphql/resolvers-types.generated.js';
import { createGraphQLServer } from '../graphql/server.js';
import { trustedDocumentsPlugin } from '../graphql/plugins/trusted-documents-plugin.js';
import { trustedDocumentText } from '../graphql/trusted-documents/document-request.js';
import type { TrustedDocument } from '../graphql/trusted-documents/manifest.js';
import { TrustedDocuments } from '../graphql/trusted-documents/trusted-documents.js';
import { apolloDirect } from '../http/apollo-direct.js';
import { createHttpApp, rejectMalformedJson } from '../http/app.js';
import { bodyLimitBytes, graphqlFrontDoor } from '../http/graphql-front-door.js';
import { memoizeContextRequest } from '../http/context-request.js';
import { errorResponses, notFoundResponse } from '../http/error-responses.js';
import { loadGraphiqlAssets } from '../http/graphiql-assets.js';
import { BatchedReadCapability } from '../loaders/batched-read-capability.js';
import { LocationLimiters } from '../loaders/concurrency-limit.js';
import type { StartedNotify } from '../notify/start-notify.js';
import type { GatewayObservability } from '../observability/gateway-observability.js';
import { createResponseReuse } from '../response-reuse/response-reuse.js';
import type { Store } from '../store/open-store.js';
import type { GatewaySync } from '../sync/gateway-sync.js';
import type { HighLevel } from './high-level.js';
import type { Lifecycle } from './lifecycle.js';
import type { HttpSecurity } from './security.js';
import type { StartedWritePath } from './write-path.js';

type GraphqlHttpConfig = Pick<
  Config,
  | 'PORT'
  | 'HOST'
  | 'NODE_ENV'
  | 'PLAYGROUND'
  | 'APQ_TTL_MS'
  | 'SHUTDOWN_TIMEOUT_MS'
  | 'ADMISSION_MAX_WAIT_MS'
  | 'GHL_CONCURRENCY_PER_LOCATION'
  | 'RESPONSE_CACHE_MAX_ENTRIES'
  | 'RESPONSE_CACHE_MAX_BYTES'
  | 'TRUSTED_DOCUMENTS_DEFAULT_MODE'
>;

interface GraphqlHttpDeps {
  logger: Logger;
  observability: GatewayObservability;
  highLevel: HighLevel;
  security: HttpSecurity<GraphQLContext>;
  cache: SharedCache;
  store: Store;
  writePath: StartedWritePath;
  sync: GatewaySync;
  notify: StartedNotify;
  events: Parameters<typeof admissionPlugin>[0]['events'];
  /** Manifest documents read at start-up (TRUSTED_DOCUMENTS). */
  manifestDocuments: readonly TrustedDocument[];
  manifestFiles: readonly string[];
  /** Replaces the loader-backed resolvers (the benchmark's naive set). */
  resolvers?: Resolvers;
  /** false: reused responses are served by the pipeline only (bench/response-cache compares the two). */
  responseCacheInFront?: boolean;
}

interface ServedGraphql {
  /** Base URL a browser can open, e.g. http://127.0.0.1:4000 */
  url: string;
}

/** What a reused response cost (nothing upstream) and the location's budget now, as an executed one reports them. */
function reusedResponseExtensions(rateBudget: RateBudget | null, locationId: string): Record<string, unknown> {
  return {
    upstream: { calls: 0, batches: 0 },
    rateLimit: rateLimitExtension(rateBudget, locationId, { estimated: 0, actual: 0 }),
  };
}

/** 0.0.0.0 / :: are not addresses a browser can open; print loopback instead. */
function browsableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function serveGraphql(
  config: GraphqlHttpConfig,
  lifecycle: Lifecycle,
  deps: GraphqlHttpDeps,
): Promise<ServedGraphql> {
  const { logger, observability, highLevel, security, cache, store, writePath, sync, notify } = deps;
  const httpServer: Server = createServer();
  // Per location: OAuth installs may grant different scopes.
  const batchedReads = new BatchedReadCapability(highLevel.scopesOf);
  const admission = admissionPlugin<GraphQLContext>({
    rateBudget: highLevel.rateBudget,
    cache,
    batchedReads,
    maxWaitMs: config.ADMISSION_MAX_WAIT_MS,
    events: deps.events,
  });
  // Whole responses of cached reads, checked against the shared cache on every reuse.
  const responseReuse = createResponseReuse(cache, {
    maxEntries: config.RESPONSE_CACHE_MAX_ENTRIES,
    maxBytes: config.RESPONSE_CACHE_MAX_BYTES,
    ...(deps.responseCacheInFront === undefined ? {} : { inFront: deps.responseCacheInFront }),
  });
  // Manifest files and CLI-registered documents (the state database, shared by replicas).
  const trustedDocuments = new TrustedDocuments(deps.manifestDocuments, store.trustedDocuments);
  logger.info(
    {
      files: deps.manifestFiles,
      documents: trustedDocuments.fileCount,
      defaultMode: config.TRUSTED_DOCUMENTS_DEFAULT_MODE,
      apq: config.APQ_TTL_MS > 0,
    },
    'trusted documents: manifests read, registered documents looked up in the state database',
  );
  const graphql = createGraphQLServer({
    ...(deps.resolvers ? { resolvers: deps.resolvers } : {}),
    logger: logger.child({ component: 'graphql' }),
    introspection: security.introspection,
    // The router in front (an API key or JWT with the trace role) reports them; nobody else gets them.
    inlineTraces: (context) => context.caller !== null && hasRole(context.caller, 'trace'),
    validationRules: security.validationRules,
    // APQ hashes in the shared cache store, so every replica knows what one learnt.
    persistedQueries:
      config.APQ_TTL_MS === 0
        ? false
        : { cache: apqStore(cache, config.APQ_TTL_MS), ttl: Math.ceil(config.APQ_TTL_MS / 1000) },
    plugins: [
      // First: it decides which text runs before any other plugin sees the operation.
      trustedDocumentsPlugin({ documents: trustedDocuments, defaultMode: config.TRUSTED_DOCUMENTS_DEFAULT_MODE }),
      // The drain force-closes what is still open after half the shutdown budget, leaving the rest for syncs and stores.
      ApolloServerPluginDrainHttpServer({
        httpServer,
        stopGracePeriodMillis: Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2),
      }),
      observability.graphqlPlugin(),
      ...security.plugins,
      admission,
      ...(responseReuse === null ? [] : [responseReuse.plugin]),
    ],
  });
  await lifecycle.start(
    'GraphQL server',
    () => graphql.start(),
    async () => {
      observability.beginDrain();
      // Apollo's drain plugin stops the listener and waits for in-flight requests.
      await graphql.stop();
    },
  );
  const createContext = createContextFactory({
    ghl: highLevel.ghl,
    locationId: highLevel.locationId,
    batchedReads,
    limiters: new LocationLimiters(config.GHL_CONCURRENCY_PER_LOCATION),
    writePath: writePath.writePath,
    sync: sync.service,
    notifications: store.notifications,
    cache,
    reuseResponses: responseReuse !== null,
    ...(highLevel.rateBudget === null ? {} : { rateBudget: highLevel.rateBudget }),
  });
  // One authentication per request, shared by the reuse layer and Apollo's context.
  const contextRequestOf = memoizeContextRequest(security.contextRequest);
  const app = createHttpApp({
    server: graphql,
    createContext,
    logger,
    bodyLimit: security.bodyLimit,
    contextRequestOf,
    readiness: observability.readiness,
    metricsRouter: observability.metricsRouter(),
    // Off in production unless PLAYGROUND=true (src/http/playground.ts).
    playground:
      (config.PLAYGROUND ?? config.NODE_ENV !== 'production')
        ? {
            endpoint: '/graphql',
            introspection: security.introspection,
            credentialsRequired: security.mode === 'required',
            assets: loadGraphiqlAssets(),
          }
        : null,
    health: () => ({
      demo: highLevel.simulator !== null,
      locationId: highLevel.locationId,
      roofr: {
        adapter: writePath.roofr.adapter,
        ...(writePath.roofrSimulator === null ? {} : { simulator: writePath.roofrSimulator.url }),
      },
    }),
  });
  // Webhook routes read the raw body (signatures), so they sit in front of the app's parsers.
  const root = express();
  root.disable('x-powered-by');
  // In front of the signed webhook routes: /zapier/* and Roofr events a Zap sends with an API key.
  root.use(notify.router({ authenticate: security.contextRequest, onRoofrEvent: () => sync.engine.nudge() }));
  root.use(sync.router);
  // GET /oauth/install and /oauth/callback when OAuth installs are configured.
  for (const router of security.routers) root.use(router);
  root.use(app);
  // Whatever no router answered or handled: JSON with a code, never Express's HTML page.
  root.use(notFoundResponse);
  root.use(errorResponses(logger));
  // POST /graphql goes straight to the app: no route of the routers in front of it (webhooks,
  // Zapier, sync, OAuth) answers it, and walking them cost every query ~4% of its CPU.
  const dispatch = (request: IncomingMessage, response: ServerResponse): void => {
    if (request.method === 'POST' && (request.url === '/graphql' || request.url?.startsWith('/graphql?') === true))
      app(request, response);
    else root(request, response);
  };
  // POST /graphql with a JSON body: reused whole responses, else Apollo directly, both in front of Express (src/http/graphql-front-door.ts).
  const reuse =
    responseReuse?.frontStep({
      hitExtensions: (locationId) => reusedResponseExtensions(highLevel.rateBudget, locationId ?? highLevel.locationId),
      contextRequestOf,
      operations: observability.operations,
      // The same decision the plugin takes: a trusted-only caller's reused answer is one of a trusted document.
      documentOf: trustedDocumentText(trustedDocuments, config.TRUSTED_DOCUMENTS_DEFAULT_MODE),
    }) ?? null;
  httpServer.on(
    'request',
    graphqlFrontDoor(
      {
        bodyLimitBytes: bodyLimitBytes(security.bodyLimit),
        rejectMalformedBody: rejectMalformedJson,
        ...(reuse === null ? {} : { reuse }),
        execute: apolloDirect({
          server: graphql,
          context: async (req) => createContext(await contextRequestOf(req)),
          logger,
        }),
      },
      dispatch,
    ),
  );
  httpServer.listen(config.PORT, config.HOST);
  await Promise.race([
    once(httpServer, 'listening'),
    once(httpServer, 'error').then(([error]) => Promise.reject(error)),
  ]);
  const { port } = httpServer.address() as AddressInfo;
  return { url: `http://${browsableHost(config.HOST)}:${port}` };
}
