/**
 * Starts the whole gateway in this process: in demo mode the embedded HighLevel simulator
 * first, then the GHL client, the GraphQL server and the HTTP app, listening. main.ts calls it
 * with the parsed config; tests and e2e call it on port 0. It never exits the process.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Logger } from 'pino';
import { cacheOptionsFromConfig, createCache } from './cache/cache-factory.js';
import { invalidateForEntityChange } from './cache/change-invalidation.js';
import { isDemoMode, type Config } from './config.js';
import { GhlClient } from './ghl/client.js';
import { GhlReinstallRequiredError } from './ghl/oauth-errors.js';
import type { GhlApi, TokenProvider } from './ghl/ghl-api.js';
import type { RateBudget } from './ghl/rate-budget.js';
import { createRateBudget } from './ghl/rate-budget-factory.js';
import { StaticTokenProvider } from './ghl/token-provider.js';
import { createContextFactory, type GraphQLContext } from './graphql/context.js';
import { admissionPlugin, rateLimitExtension } from './graphql/plugins/admission.js';
import type { Resolvers } from './graphql/resolvers-types.generated.js';
import { createGraphQLServer } from './graphql/server.js';
import { trustedDocumentsPlugin } from './graphql/plugins/trusted-documents-plugin.js';
import { trustedDocumentText } from './graphql/trusted-documents/document-request.js';
import { loadManifests } from './graphql/trusted-documents/manifest-files.js';
import { TrustedDocuments } from './graphql/trusted-documents/trusted-documents.js';
import { apqStore } from './cache/apq-cache.js';
import express from 'express';
import { createHttpApp, rejectMalformedJson } from './http/app.js';
import { loadGraphiqlAssets } from './http/graphiql-assets.js';
import { bodyLimitBytes } from './response-reuse/front-layer.js';
import { createResponseReuse } from './response-reuse/response-reuse.js';
import { errorResponses, notFoundResponse } from './http/error-responses.js';
import { memoizeContextRequest } from './http/context-request.js';
import { invalidateForGhlEvent } from './cache/webhook-invalidation.js';
import { loadConfiguredMapping } from './roofr/mapping-file.js';
import { startGatewaySync, type GatewaySync } from './sync/gateway-sync.js';
import { startWritePath, type StartedWritePath, type WritePathOverrides } from './gateway-write-path.js';
import { openGatewaySecurity } from './gateway-security.js';
import type { ClientAuthMode } from './auth/client-auth-policy.js';
import { hasRole } from './auth/caller-identity.js';
import { withStoredRoofrCredentials } from './auth/stored-roofr-credentials.js';
import { releaseLeasesOfDeadLocalWorkers } from './store/lease-owners.js';
import { openStore } from './store/open-store.js';
import { GatewayEventHub } from './notify/event-hub.js';
import { startNotify, type StartedNotify } from './notify/start-notify.js';
import { LocationLimiters } from './loaders/concurrency-limit.js';
import { BatchedReadCapability } from './loaders/batched-read-capability.js';
import { createGatewayObservability, type GatewayObservability } from './observability/gateway-observability.js';
import { silentLogger } from './observability/logger.js';
import { oauthInstallsCheck, tokenCheck } from './observability/readiness-checks.js';
import { DEMO_SCOPES, startGhlSimulator, type GhlSimulator, type GhlSimulatorOptions } from './simulators/ghl/index.js';

export interface GatewayOverrides {
  logger?: Logger;
  /** Use this client instead of building a GhlClient (needs `locationId`). */
  ghl?: GhlApi;
  locationId?: string;
  /** Extra or replacing options of the demo simulator (e.g. rateLimit in tests). */
  simulator?: Partial<GhlSimulatorOptions>;
  /** Replaces the loader-backed resolvers (the benchmark's naive set). */
  resolvers?: Resolvers;
  /** Store, Roofr port / simulator, mapping, scopes and cache hook of the write path (mutations, outbox). */
  writePath?: WritePathOverrides;
  /** The rate budget of a given `ghl` client (admission control and the `rateLimit` query use it). */
  rateBudget?: RateBudget;
  /** false: reused responses are served by the pipeline only (bench/response-cache compares the two). */
  responseCacheInFront?: boolean;
}

export interface Gateway {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  graphqlUrl: string;
  playgroundUrl: string;
  /** The embedded simulator in demo mode; null when talking to real HighLevel. */
  simulator: GhlSimulator | null;
  locationId: string;
  /** Mutations' services: the store, the Roofr port (and simulator), the outbox worker. */
  writePath: StartedWritePath;
  /** Metrics registry (served at /metrics) and readiness checks (/readyz). */
  observability: GatewayObservability;
  /** How callers authenticate (CLIENT_AUTH resolved) and the start-up sentence saying so. */
  clientAuth: { mode: ClientAuthMode; notice: string };
  /** OAuth installs: GET /oauth/install and whether any location is installed yet; null without OAuth. */
  oauth: { installUrl: string; installed(): Promise<boolean> } | null;
  /** Notifications and Zapier hooks (src/notify/). */
  notify: StartedNotify;
  /** Stops accepting connections, drains in-flight requests, then stops the simulator. */
  close(): Promise<void>;
}

interface Upstream {
  ghl: GhlApi;
  locationId: string;
  simulator: GhlSimulator | null;
  /** The token's scopes (least privilege for writes); null when unknown. */
  scopesOf: (locationId: string) => Promise<ReadonlySet<string> | null>;
  /** The token provider, for the /readyz "token" check; null when a client was given. */
  tokens: TokenProvider | null;
  /** Shared by every replica when REDIS_URL is set; null when a client was given without one. */
  rateBudget: RateBudget | null;
  /** Closes the budget's Redis connection, if any. */
  closeRateBudget: () => Promise<void>;
}

async function connectUpstream(
  config: Config,
  overrides: GatewayOverrides,
  logger: Logger,
  observability: GatewayObservability,
  oauthTokens: TokenProvider | null,
  events: GatewayEventHub,
): Promise<Upstream> {
  if (overrides.ghl) {
    if (overrides.locationId === undefined) throw new Error('startGateway: overrides.ghl needs overrides.locationId');
    const declared = config.GHL_TOKEN_SCOPES === undefined ? null : new Set(config.GHL_TOKEN_SCOPES);
    return {
      ghl: overrides.ghl,
      locationId: overrides.locationId,
      simulator: null,
      scopesOf: async () => declared,
      tokens: null,
      rateBudget: overrides.rateBudget ?? null,
      closeRateBudget: async () => undefined,
    };
  }
  let simulator: GhlSimulator | null = null;
  let baseUrl = config.GHL_API_BASE_URL;
  let token = config.GHL_PRIVATE_INTEGRATION_TOKEN;
  let locationId = config.GHL_LOCATION_ID;
  if (isDemoMode(config)) {
    simulator = await startGhlSimulator({
      port: config.GHL_SIM_PORT,
      seed: config.DEMO_SEED,
      contacts: config.DEMO_CONTACTS,
      ...overrides.simulator,
    });
    baseUrl = simulator.url;
    token = simulator.demoToken ?? undefined;
    locationId = simulator.locationId;
  }
  let tokenProvider: TokenProvider;
  if (oauthTokens !== null) {
    // OAuth installs (GHL_CLIENT_ID): tokens per location from the encrypted store, refreshed.
    tokenProvider = oauthTokens;
  } else {
    if (token === undefined || locationId === undefined) {
      await simulator?.close();
      throw new Error(
        'No HighLevel credentials: set GHL_PRIVATE_INTEGRATION_TOKEN and GHL_LOCATION_ID, or unset both (and GHL_CLIENT_ID) for demo mode',
      );
    }
    // The embedded simulator's demo token holds DEMO_SCOPES: demo mode can write.
    const scopes = config.GHL_TOKEN_SCOPES ?? (simulator !== null && simulator.demoToken !== null ? DEMO_SCOPES : null);
    tokenProvider = new StaticTokenProvider(token, locationId, scopes);
  }
  // With OAuth, each request's location comes from its caller; GHL_LOCATION_ID is only a default.
  const servedLocation = locationId ?? '';
  // REDIS_URL: one budget for every replica (a 429 met by one pauses all); else this process's own.
  const rateBudget = createRateBudget(config, logger.child({ component: 'rate-budget' }));
  const ghl = new GhlClient({
    rateBudget,
    baseUrl,
    tokenProvider,
    timeoutMs: config.GHL_REQUEST_TIMEOUT_MS,
    writeTimeoutMs: config.GHL_WRITE_TIMEOUT_MS,
    maxRetries: config.GHL_MAX_RETRIES,
    concurrencyPerLocation: config.GHL_CONCURRENCY_PER_LOCATION,
    dailyReserve: config.GHL_DAILY_RESERVE,
    interactiveShare: config.GHL_INTERACTIVE_SHARE,
    logger: logger.child({ component: 'ghl' }),
    observer: observability.ghlObserver,
    events,
  });
  observability.attachRateBudget(ghl.rateBudget, () => (servedLocation === '' ? [] : [servedLocation]));
  return {
    ghl,
    locationId: servedLocation,
    simulator,
    scopesOf: async (forLocation) => (await tokenProvider.getToken(forLocation)).scopes,
    tokens: servedLocation === '' ? null : tokenProvider,
    rateBudget,
    closeRateBudget: async () => rateBudget.close?.(),
  };
}

/** What a reused response cost (nothing upstream) and the location's budget now, as an executed one reports them. */
function reusedResponseExtensions(rateBudget: RateBudget | null, locationId: string): Record<string, unknown> {
  return {
    upstream: { calls: 0, batches: 0 },
    rateLimit: rateLimitExtension(rateBudget, locationId, { estimated: 0, actual: 0 }),
  };
}

export async function startGateway(config: Config, overrides: GatewayOverrides = {}): Promise<Gateway> {
  const logger = overrides.logger ?? silentLogger();
  // Read before anything opens: a manifest that cannot be read stops start-up naming the file.
  const manifests =
    config.TRUSTED_DOCUMENTS === undefined
      ? { documents: [], files: [] }
      : await loadManifests(config.TRUSTED_DOCUMENTS);
  const observability = createGatewayObservability(config, logger);
  // The one stream of operational events: the store, the clients and the sync report into it.
  const events = new GatewayEventHub((error) => logger.warn({ err: error }, 'a gateway event listener failed'));
  // Opened before the client: OAuth tokens, API keys and secrets live in the store (encrypted).
  const ownsStore = overrides.writePath?.store === undefined;
  const store =
    overrides.writePath?.store ??
    (await openStore(config.DATABASE_URL, {
      outboxMaxAttempts: config.OUTBOX_MAX_ATTEMPTS,
      hookDeliveryMaxAttempts: config.NOTIFY_MAX_ATTEMPTS,
      events,
      postgres: { timeoutMs: config.DEPENDENCY_TIMEOUT_MS },
    }));
  const closeOwnStore = async () => {
    if (ownsStore) await store.close();
  };
  // A restart on this machine resumes its previous incarnation's work now, not a lease later.
  const released = await releaseLeasesOfDeadLocalWorkers(store).catch(() => 0);
  if (released > 0) logger.info({ released }, 'took back the leased work of a dead worker of this host');
  let upstream: Upstream;
  let security;
  let httpSecurity;
  try {
    security = await openGatewaySecurity(config, store, logger);
    config = await withStoredRoofrCredentials(config, security.vaults?.secrets ?? null);
    upstream = await connectUpstream(config, overrides, logger, observability, security.tokenProvider, events);
  } catch (error) {
    await closeOwnStore();
    throw error;
  }
  try {
    httpSecurity = await security.finish<GraphQLContext>({
      demoLocationId: upstream.simulator !== null ? upstream.locationId : config.GHL_LOCATION_ID,
      callerOf: (context) => context.caller,
      onOperationStart: (context, signal, upstreamDeadlineAt) => {
        context.callOptions.signal = signal;
        context.callOptions.deadlineAt = upstreamDeadlineAt;
      },
    });
  } catch (error) {
    await upstream.closeRateBudget();
    await upstream.simulator?.close();
    await closeOwnStore();
    throw error;
  }
  if (upstream.tokens !== null)
    observability.addReadinessCheck(
      'token',
      tokenCheck(upstream.tokens, upstream.locationId, (error) =>
        error instanceof GhlReinstallRequiredError ? error.message : null,
      ),
    );
  // OAuth without a default location: ready while any install is usable (not needs_reinstall).
  else if (security.tokenProvider !== null) observability.addReadinessCheck('token', oauthInstallsCheck(store.tokens));
  // The shared cache under the loaders; a mutation evicts what it changed before any other hook runs.
  const cache = await createCache(
    config.CACHE_URL,
    cacheOptionsFromConfig(config, logger.child({ component: 'cache' })),
  );
  observability.attachCache(cache.stats);
  const ownHook = overrides.writePath?.onEntityChanged;
  const writePathOverrides: WritePathOverrides = {
    ...overrides.writePath,
    store,
    onEntityChanged: async (change) => {
      await invalidateForEntityChange(cache, change);
      await ownHook?.(change);
    },
  };
  let writePath: StartedWritePath;
  try {
    writePath = await startWritePath(
      config,
      { ghl: upstream.ghl, scopesOf: upstream.scopesOf, logger, onRoofrRequest: observability.onRoofrRequest, events },
      writePathOverrides,
    );
  } catch (error) {
    await cache.close();
    await upstream.closeRateBudget();
    await upstream.simulator?.close();
    await closeOwnStore();
    throw error;
  }
  observability.attachStore(writePath.store);
  // The sync engine: webhook routes and worker, sync jobs, the nightly schedule.
  let sync: GatewaySync;
  try {
    sync = await startGatewaySync(config, {
      ghl: upstream.ghl,
      locationId: upstream.locationId,
      store: writePath.store,
      roofr: writePath.roofr,
      push: writePath.writePath.push,
      mapping: overrides.writePath?.mapping ?? (await loadConfiguredMapping(config)),
      nudgeOutbox: () => writePath.outboxWorker.nudge(),
      logger,
      ...(upstream.simulator ? { demoWebhookKeys: upstream.simulator.webhooks.publicKeys } : {}),
      ...(security.installs ? { installs: security.installs } : {}),
      ...(security.vaults ? { installRegistry: security.vaults.tokens } : {}),
      invalidate: async (event) => {
        await invalidateForGhlEvent(cache, event);
      },
    });
  } catch (error) {
    await writePath.stop();
    await cache.close();
    await upstream.closeRateBudget();
    await upstream.simulator?.close();
    await closeOwnStore();
    throw error;
  }
  const notify = startNotify(config, { events, store: writePath.store, metrics: observability.metrics, logger });
  const httpServer: Server = createServer();
  // Per location: OAuth installs may grant different scopes.
  const batchedReads = new BatchedReadCapability(upstream.scopesOf);
  const admission = admissionPlugin<GraphQLContext>({
    rateBudget: upstream.rateBudget,
    cache,
    batchedReads,
    maxWaitMs: config.ADMISSION_MAX_WAIT_MS,
    events,
  });
  // Whole responses of cached reads, checked against the shared cache on every reuse.
  const responseReuse = createResponseReuse(cache, {
    maxEntries: config.RESPONSE_CACHE_MAX_ENTRIES,
    maxBytes: config.RESPONSE_CACHE_MAX_BYTES,
    ...(overrides.responseCacheInFront === undefined ? {} : { inFront: overrides.responseCacheInFront }),
  });
  // Manifest files and CLI-registered documents (the state database, shared by replicas).
  const trustedDocuments = new TrustedDocuments(manifests.documents, store.trustedDocuments);
  logger.info(
    {
      files: manifests.files,
      documents: trustedDocuments.fileCount,
      defaultMode: config.TRUSTED_DOCUMENTS_DEFAULT_MODE,
      apq: config.APQ_TTL_MS > 0,
    },
    'trusted documents: manifests read, registered documents looked up in the state database',
  );
  const graphql = createGraphQLServer({
    ...(overrides.resolvers ? { resolvers: overrides.resolvers } : {}),
    logger: logger.child({ component: 'graphql' }),
    introspection: httpSecurity.introspection,
    // The router in front (an API key or JWT with the trace role) reports them; nobody else gets them.
    inlineTraces: (context) => context.caller !== null && hasRole(context.caller, 'trace'),
    validationRules: httpSecurity.validationRules,
    // APQ hashes in the shared cache store, so every replica knows what one learnt.
    persistedQueries:
      config.APQ_TTL_MS === 0
        ? false
        : { cache: apqStore(cache, config.APQ_TTL_MS), ttl: Math.ceil(config.APQ_TTL_MS / 1000) },
    // The drain force-closes what is still open after half the shutdown budget, leaving the rest for syncs and stores.
    plugins: [
      // First: it decides which text runs before any other plugin sees the operation.
      trustedDocumentsPlugin({ documents: trustedDocuments, defaultMode: config.TRUSTED_DOCUMENTS_DEFAULT_MODE }),
      ApolloServerPluginDrainHttpServer({
        httpServer,
        stopGracePeriodMillis: Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2),
      }),
      observability.graphqlPlugin(),
      ...httpSecurity.plugins,
      admission,
      ...(responseReuse === null ? [] : [responseReuse.plugin]),
    ],
  });
  try {
    await graphql.start();
    const createContext = createContextFactory({
      ghl: upstream.ghl,
      locationId: upstream.locationId,
      batchedReads,
      limiters: new LocationLimiters(config.GHL_CONCURRENCY_PER_LOCATION),
      writePath: writePath.writePath,
      sync: sync.service,
      notifications: writePath.store.notifications,
      cache,
      reuseResponses: responseReuse !== null,
      ...(upstream.rateBudget === null ? {} : { rateBudget: upstream.rateBudget }),
    });
    // One authentication per request, shared by the fast path and Apollo's context.
    const contextRequestOf = memoizeContextRequest(httpSecurity.contextRequest);
    const app = createHttpApp({
      server: graphql,
      createContext,
      logger,
      bodyLimit: httpSecurity.bodyLimit,
      contextRequestOf,
      readiness: observability.readiness,
      metricsRouter: observability.metricsRouter(),
      // Off in production unless PLAYGROUND=true (src/http/playground.ts).
      playground:
        (config.PLAYGROUND ?? config.NODE_ENV !== 'production')
          ? {
              endpoint: '/graphql',
              introspection: httpSecurity.introspection,
              credentialsRequired: httpSecurity.mode === 'required',
              assets: loadGraphiqlAssets(),
            }
          : null,
      health: () => ({
        demo: upstream.simulator !== null,
        locationId: upstream.locationId,
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
    root.use(notify.router({ authenticate: httpSecurity.contextRequest, onRoofrEvent: () => sync.engine.nudge() }));
    root.use(sync.router);
    // GET /oauth/install and /oauth/callback when OAuth installs are configured.
    for (const router of httpSecurity.routers) root.use(router);
    root.use(app);
    // Whatever no router answered or handled: JSON with a code, never Express's HTML page.
    root.use(notFoundResponse);
    root.use(errorResponses(logger));
    // Reused whole responses: the commonest request shape is answered in front of Express (src/response-reuse/).
    httpServer.on(
      'request',
      responseReuse === null
        ? root
        : responseReuse.handler(root, {
            hitExtensions: (locationId) =>
              reusedResponseExtensions(upstream.rateBudget, locationId ?? upstream.locationId),
            contextRequestOf,
            bodyLimitBytes: bodyLimitBytes(httpSecurity.bodyLimit),
            rejectMalformedBody: rejectMalformedJson,
            operations: observability.operations,
            // The same decision the plugin takes: a trusted-only caller's reused answer is one of a trusted document.
            documentOf: trustedDocumentText(trustedDocuments, config.TRUSTED_DOCUMENTS_DEFAULT_MODE),
          }),
    );
    httpServer.listen(config.PORT, config.HOST);
    await Promise.race([
      once(httpServer, 'listening'),
      once(httpServer, 'error').then(([error]) => Promise.reject(error)),
    ]);
  } catch (error) {
    await graphql.stop().catch(() => undefined);
    await notify.stop();
    await sync.stop();
    await writePath.stop();
    await cache.close();
    await upstream.closeRateBudget();
    await upstream.simulator?.close();
    await closeOwnStore();
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  // 0.0.0.0 / :: are not addresses a browser can open; print loopback instead.
  const host =
    config.HOST === '0.0.0.0' || config.HOST === '::'
      ? '127.0.0.1'
      : config.HOST.includes(':')
        ? `[${config.HOST}]`
        : config.HOST;
  const url = `http://${host}:${port}`;
  // Demo mode: the embedded simulators deliver their signed webhooks here, so sync is live both ways.
  upstream.simulator?.webhooks.setTarget(`${url}/webhooks/ghl`);
  if (config.ROOFR_WEBHOOK_SECRET !== undefined)
    writePath.roofrSimulator?.webhooks.configure({
      url: `${url}/webhooks/roofr`,
      secret: config.ROOFR_WEBHOOK_SECRET,
      autoEmit: true,
    });
  let closing: Promise<void> | null = null;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    playgroundUrl: `${url}/playground`,
    simulator: upstream.simulator,
    locationId: upstream.locationId,
    writePath,
    observability,
    clientAuth: { mode: httpSecurity.mode, notice: httpSecurity.notice },
    oauth: httpSecurity.oauth,
    notify,
    close: () => {
      closing ??= (async () => {
        observability.beginDrain();
        // Apollo's drain plugin stops the listener and waits for in-flight requests.
        await graphql.stop();
        await sync.stop();
        // After the drain: no mutation can enqueue any more; the worker finishes its delivery.
        await writePath.stop();
        // What the stopped workers reported is recorded; deliveries in progress finish.
        await notify.stop();
        await closeOwnStore();
        await cache.close();
        await upstream.closeRateBudget();
        await upstream.ghl.close?.();
        await upstream.simulator?.close();
        await observability.close();
      })();
      return closing;
    },
  };
}
