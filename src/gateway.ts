/**
 * Starts the whole gateway in this process, one module after another on one lifecycle
 * (src/wiring/lifecycle.ts): observability, the shared cache, the event hub, the state database,
 * security (vaults, Roofr credentials, OAuth), HighLevel (in demo mode its embedded simulator
 * first), notifications, the write path (Roofr port, push, outbox worker), the sync engine, then
 * GraphQL and HTTP, listening. Closing, or a module failing to start, closes what was started in
 * reverse. main.ts calls it with the parsed config; tests and e2e call it on port 0. It never
 * exits the process.
 */
import { applyHeapGrowth } from './observability/heap-growth.js';
import type { Logger } from 'pino';
import { cacheOptionsFromConfig, createCache } from './cache/cache-factory.js';
import { invalidateForEntityChange } from './cache/change-invalidation.js';
import { invalidateForGhlEvent } from './cache/webhook-invalidation.js';
import type { Config } from './config.js';
import type { GhlApi } from './ghl/ghl-api.js';
import { GhlReinstallRequiredError } from './ghl/oauth-errors.js';
import type { RateBudget } from './ghl/rate-budget.js';
import type { GraphQLContext } from './graphql/context.js';
import type { Resolvers } from './graphql/resolvers-types.generated.js';
import { loadManifests } from './graphql/trusted-documents/manifest-files.js';
import type { ClientAuthMode } from './auth/client-auth-policy.js';
import { GatewayEventHub } from './notify/event-hub.js';
import { startNotify, type StartedNotify } from './notify/start-notify.js';
import { createGatewayObservability, type GatewayObservability } from './observability/gateway-observability.js';
import { silentLogger } from './observability/logger.js';
import { oauthInstallsCheck, tokenCheck } from './observability/readiness-checks.js';
import type { GhlSimulator, GhlSimulatorOptions } from './simulators/ghl/index.js';
import { startGatewaySync } from './sync/gateway-sync.js';
import { serveGraphql } from './wiring/graphql-http.js';
import { openHighLevel } from './wiring/high-level.js';
import { composed } from './wiring/lifecycle.js';
import { openSecurity } from './wiring/security.js';
import { openStateStore } from './wiring/state-store.js';
import { syncEngineDeps } from './wiring/sync-engine-deps.js';
import { openWritePath, type StartedWritePath, type WritePathOverrides } from './wiring/write-path.js';

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

export async function startGateway(config: Config, overrides: GatewayOverrides = {}): Promise<Gateway> {
  const logger = overrides.logger ?? silentLogger();
  applyHeapGrowth(config.HEAP_GROWING_PERCENT);
  // Read before anything opens: a manifest that cannot be read stops start-up naming the file.
  const manifests =
    config.TRUSTED_DOCUMENTS === undefined
      ? { documents: [], files: [] }
      : await loadManifests(config.TRUSTED_DOCUMENTS);
  return composed(logger, async (lifecycle) => {
    const observability = await lifecycle.start(
      'observability',
      () => createGatewayObservability(config, logger),
      (started) => started.close(),
    );
    // The shared cache under the loaders; a mutation evicts what it changed before any other hook runs.
    const cache = await lifecycle.start(
      'shared cache',
      () => createCache(config.CACHE_URL, cacheOptionsFromConfig(config, logger.child({ component: 'cache' }))),
      (started) => started.close(),
    );
    observability.attachCache(cache.stats);
    // The one stream of operational events: the store, the clients and the sync report into it.
    const events = new GatewayEventHub((error) => logger.warn({ err: error }, 'a gateway event listener failed'));
    // Opened before the client: OAuth tokens, API keys and secrets live in the store (encrypted).
    const store = await openStateStore(config, lifecycle, {
      logger,
      events,
      ...(overrides.writePath?.store === undefined ? {} : { given: overrides.writePath.store }),
    });
    observability.attachStore(store);
    const security = await openSecurity(config, store, logger, lifecycle);
    const highLevel = await openHighLevel(config, lifecycle, {
      logger,
      role: 'gateway',
      oauthTokens: security.tokenProvider,
      observer: observability.ghlObserver,
      events,
      ...(overrides.ghl === undefined
        ? {}
        : {
            given: {
              ghl: overrides.ghl,
              locationId: requiredLocation(overrides.locationId),
              ...(overrides.rateBudget === undefined ? {} : { rateBudget: overrides.rateBudget }),
            },
          }),
      ...(overrides.simulator === undefined ? {} : { simulator: overrides.simulator }),
    });
    if (overrides.ghl !== undefined) lifecycle.onClose('given HighLevel client', () => overrides.ghl?.close?.());
    if (highLevel.rateBudget !== null && overrides.ghl === undefined)
      observability.attachRateBudget(highLevel.rateBudget, () =>
        highLevel.locationId === '' ? [] : [highLevel.locationId],
      );
    const httpSecurity = await security.finish<GraphQLContext>({
      demoLocationId: highLevel.simulator !== null ? highLevel.locationId : config.GHL_LOCATION_ID,
      callerOf: (context) => context.caller,
      onOperationStart: (context, signal, upstreamDeadlineAt) => {
        context.callOptions.signal = signal;
        context.callOptions.deadlineAt = upstreamDeadlineAt;
      },
    });
    if (highLevel.tokens !== null)
      observability.addReadinessCheck(
        'token',
        tokenCheck(highLevel.tokens, highLevel.locationId, (error) =>
          error instanceof GhlReinstallRequiredError ? error.message : null,
        ),
      );
    // OAuth without a default location: ready while any install is usable (not needs_reinstall).
    else if (security.tokenProvider !== null)
      observability.addReadinessCheck('token', oauthInstallsCheck(store.tokens));
    // Started before the workers that report into it, so it closes after them: what they report while stopping is sent.
    const notify = await lifecycle.start(
      'notifications',
      () => startNotify(config, { events, store, metrics: observability.metrics, logger }),
      (started) => started.stop(),
    );
    const ownHook = overrides.writePath?.onEntityChanged;
    const writePath = await openWritePath(
      config,
      lifecycle,
      {
        store,
        ghl: highLevel.ghl,
        scopesOf: highLevel.scopesOf,
        roofrCredentials: security.roofrCredentials,
        logger,
        role: 'gateway',
        onRoofrRequest: observability.onRoofrRequest,
        events,
      },
      {
        ...overrides.writePath,
        onEntityChanged: async (change) => {
          await invalidateForEntityChange(cache, change);
          await ownHook?.(change);
        },
      },
    );
    // The sync engine: webhook routes and worker, sync jobs, the nightly schedule.
    const sync = await lifecycle.start(
      'sync engine',
      () =>
        startGatewaySync(config, {
          ...syncEngineDeps({
            ghl: highLevel.ghl,
            locationId: highLevel.locationId,
            store,
            writePath,
            logger,
            installRegistry: security.vaults?.tokens,
          }),
          roofrWebhookSecret: security.roofrCredentials.ROOFR_WEBHOOK_SECRET,
          ...(highLevel.simulator ? { demoWebhookKeys: highLevel.simulator.webhooks.publicKeys } : {}),
          ...(security.installs ? { installs: security.installs } : {}),
          invalidate: async (event) => {
            await invalidateForGhlEvent(cache, event);
          },
        }),
      (started) => started.stop(),
    );
    const { url } = await serveGraphql(config, lifecycle, {
      logger,
      observability,
      highLevel,
      security: httpSecurity,
      cache,
      store,
      writePath,
      sync,
      notify,
      events,
      manifestDocuments: manifests.documents,
      manifestFiles: manifests.files,
      ...(overrides.resolvers === undefined ? {} : { resolvers: overrides.resolvers }),
      ...(overrides.responseCacheInFront === undefined ? {} : { responseCacheInFront: overrides.responseCacheInFront }),
    });
    // Demo mode: the embedded simulators deliver their signed webhooks here, so sync is live both ways.
    highLevel.simulator?.webhooks.setTarget(`${url}/webhooks/ghl`);
    const roofrWebhookSecret = security.roofrCredentials.ROOFR_WEBHOOK_SECRET;
    if (roofrWebhookSecret !== undefined)
      writePath.roofrSimulator?.webhooks.configure({
        url: `${url}/webhooks/roofr`,
        secret: roofrWebhookSecret,
        autoEmit: true,
      });
    logger.debug({ modules: lifecycle.started }, 'gateway started');
    return {
      url,
      graphqlUrl: `${url}/graphql`,
      playgroundUrl: `${url}/playground`,
      simulator: highLevel.simulator,
      locationId: highLevel.locationId,
      writePath,
      observability,
      clientAuth: { mode: httpSecurity.mode, notice: httpSecurity.notice },
      oauth: httpSecurity.oauth,
      notify,
      close: () => lifecycle.close(),
    };
  });
}

function requiredLocation(locationId: string | undefined): string {
  if (locationId === undefined) throw new Error('startGateway: overrides.ghl needs overrides.locationId');
  return locationId;
}
