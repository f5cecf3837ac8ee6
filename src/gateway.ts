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
import { ResponseCache } from './cache/response-cache.js';
import { isDemoMode, type Config } from './config.js';
import { GhlClient } from './ghl/client.js';
import type { GhlApi, TokenProvider } from './ghl/ghl-api.js';
import type { RateBudget } from './ghl/rate-budget.js';
import { createRateBudget } from './ghl/rate-budget-factory.js';
import { StaticTokenProvider } from './ghl/token-provider.js';
import { createContextFactory, type GraphQLContext } from './graphql/context.js';
import { admissionPlugin, rateLimitExtension } from './graphql/plugins/admission.js';
import { responseCachePlugin } from './graphql/plugins/response-cache-plugin.js';
import type { Resolvers } from './graphql/resolvers-types.generated.js';
import { createGraphQLServer } from './graphql/server.js';
import express from 'express';
import { createHttpApp, rejectMalformedJson } from './http/app.js';
import { bodyLimitBytes, cachedResponseFastPath } from './http/cached-response.js';
import { memoizeContextRequest } from './http/context-request.js';
import { invalidateForGhlEvent } from './cache/webhook-invalidation.js';
import { loadConfiguredMapping } from './roofr/mapping-file.js';
import { startGatewaySync, type GatewaySync } from './sync/gateway-sync.js';
import { startWritePath, type StartedWritePath, type WritePathOverrides } from './gateway-write-path.js';
import { openGatewaySecurity } from './gateway-security.js';
import { withStoredRoofrCredentials } from './auth/stored-roofr-credentials.js';
import { openStore } from './store/open-store.js';
import { LocationLimiters } from './loaders/concurrency-limit.js';
import { TaskSearchCapability } from './loaders/task-search-capability.js';
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
  const observability = createGatewayObservability(config, logger);
  // Opened before the client: OAuth tokens, API keys and secrets live in the store (encrypted).
  const ownsStore = overrides.writePath?.store === undefined;
  const store =
    overrides.writePath?.store ??
    (await openStore(config.DATABASE_URL, {
      outboxMaxAttempts: config.OUTBOX_MAX_ATTEMPTS,
      postgres: { timeoutMs: config.DEPENDENCY_TIMEOUT_MS },
    }));
  const closeOwnStore = async () => {
    if (ownsStore) await store.close();
  };
  let upstream: Upstream;
  let security;
  let httpSecurity;
  try {
    security = await openGatewaySecurity(config, store, logger);
    config = await withStoredRoofrCredentials(config, security.vaults?.secrets ?? null);
    upstream = await connectUpstream(config, overrides, logger, observability, security.tokenProvider);
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
    observability.addReadinessCheck('token', tokenCheck(upstream.tokens, upstream.locationId));
  // OAuth without a default location: ready while any install is usable (not needs_reinstall).
  else if (security.tokenProvider !== null) observability.addReadinessCheck('token', oauthInstallsCheck(store.db));
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
      { ghl: upstream.ghl, scopesOf: upstream.scopesOf, logger, onRoofrRequest: observability.onRoofrRequest },
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
  const httpServer: Server = createServer();
  // Per location: OAuth installs may grant different scopes.
  const taskSearch = new TaskSearchCapability(upstream.scopesOf);
  const admission = admissionPlugin<GraphQLContext>({
    rateBudget: upstream.rateBudget,
    cache,
    taskSearchBatched: async (locationId) => (await taskSearch.modeFor(locationId)) === 'batched',
    maxWaitMs: config.ADMISSION_MAX_WAIT_MS,
  });
  // Whole responses of cached reads, checked against the shared cache on every reuse.
  const responseCache =
    config.RESPONSE_CACHE_MAX_ENTRIES === 0
      ? null
      : new ResponseCache(cache, {
          maxEntries: config.RESPONSE_CACHE_MAX_ENTRIES,
          maxBytes: config.RESPONSE_CACHE_MAX_BYTES,
        });
  const graphql = createGraphQLServer({
    ...(overrides.resolvers ? { resolvers: overrides.resolvers } : {}),
    logger: logger.child({ component: 'graphql' }),
    introspection: httpSecurity.introspection,
    validationRules: httpSecurity.validationRules,
    // The drain force-closes what is still open after half the shutdown budget, leaving the rest for syncs and stores.
    plugins: [
      ApolloServerPluginDrainHttpServer({
        httpServer,
        stopGracePeriodMillis: Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2),
      }),
      observability.graphqlPlugin(),
      ...httpSecurity.plugins,
      admission,
      ...(responseCache === null ? [] : [responseCachePlugin(responseCache)]),
    ],
  });
  try {
    await graphql.start();
    const createContext = createContextFactory({
      ghl: upstream.ghl,
      locationId: upstream.locationId,
      taskSearch,
      limiters: new LocationLimiters(config.GHL_CONCURRENCY_PER_LOCATION),
      writePath: writePath.writePath,
      sync: sync.service,
      cache,
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
    root.use(sync.router);
    // GET /oauth/install and /oauth/callback when OAuth installs are configured.
    for (const router of httpSecurity.routers) root.use(router);
    root.use(app);
    // Reused whole responses are answered in front of Express (src/http/cached-response.ts).
    httpServer.on(
      'request',
      responseCache === null
        ? root
        : cachedResponseFastPath(
            {
              cache: responseCache,
              hitExtensions: (locationId) =>
                reusedResponseExtensions(upstream.rateBudget, locationId ?? upstream.locationId),
              contextRequestOf,
              bodyLimitBytes: bodyLimitBytes(httpSecurity.bodyLimit),
              rejectMalformedBody: rejectMalformedJson,
              operations: observability.operations,
            },
            root,
          ),
    );
    httpServer.listen(config.PORT, config.HOST);
    await Promise.race([
      once(httpServer, 'listening'),
      once(httpServer, 'error').then(([error]) => Promise.reject(error)),
    ]);
  } catch (error) {
    await graphql.stop().catch(() => undefined);
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
    close: () => {
      closing ??= (async () => {
        observability.beginDrain();
        // Apollo's drain plugin stops the listener and waits for in-flight requests.
        await graphql.stop();
        await sync.stop();
        // After the drain: no mutation can enqueue any more; the worker finishes its delivery.
        await writePath.stop();
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
