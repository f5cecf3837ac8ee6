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
import { isDemoMode, type Config } from './config.js';
import { GhlClient } from './ghl/client.js';
import type { GhlApi } from './ghl/ghl-api.js';
import { StaticTokenProvider } from './ghl/token-provider.js';
import { createContextFactory } from './graphql/context.js';
import type { Resolvers } from './graphql/resolvers-types.generated.js';
import { createGraphQLServer } from './graphql/server.js';
import { createHttpApp } from './http/app.js';
import { startWritePath, type StartedWritePath, type WritePathOverrides } from './gateway-write-path.js';
import { LocationLimiters } from './loaders/concurrency-limit.js';
import { TaskSearchCapability } from './loaders/task-search-capability.js';
import { silentLogger } from './observability/logger.js';
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
  /** Stops accepting connections, drains in-flight requests, then stops the simulator. */
  close(): Promise<void>;
}

interface Upstream {
  ghl: GhlApi;
  locationId: string;
  simulator: GhlSimulator | null;
  /** The token's scopes (least privilege for writes); null when unknown. */
  scopesOf: (locationId: string) => Promise<ReadonlySet<string> | null>;
}

async function connectUpstream(config: Config, overrides: GatewayOverrides, logger: Logger): Promise<Upstream> {
  if (overrides.ghl) {
    if (overrides.locationId === undefined) throw new Error('startGateway: overrides.ghl needs overrides.locationId');
    const declared = config.GHL_TOKEN_SCOPES === undefined ? null : new Set(config.GHL_TOKEN_SCOPES);
    return { ghl: overrides.ghl, locationId: overrides.locationId, simulator: null, scopesOf: async () => declared };
  }
  let simulator: GhlSimulator | null = null;
  let baseUrl = config.GHL_API_BASE_URL;
  let token = config.GHL_PRIVATE_INTEGRATION_TOKEN;
  let locationId = config.GHL_LOCATION_ID;
  if (isDemoMode(config)) {
    simulator = await startGhlSimulator({ port: config.GHL_SIM_PORT, seed: config.DEMO_SEED, contacts: config.DEMO_CONTACTS, ...overrides.simulator });
    baseUrl = simulator.url;
    token = simulator.demoToken ?? undefined;
    locationId = simulator.locationId;
  }
  if (token === undefined || locationId === undefined) {
    await simulator?.close();
    throw new Error(
      'No HighLevel credentials: set GHL_PRIVATE_INTEGRATION_TOKEN and GHL_LOCATION_ID, or unset both (and GHL_CLIENT_ID) for demo mode',
    );
  }
  // The embedded simulator's demo token holds DEMO_SCOPES: demo mode can write.
  const scopes = config.GHL_TOKEN_SCOPES ?? (simulator !== null && simulator.demoToken !== null ? DEMO_SCOPES : null);
  const tokenProvider = new StaticTokenProvider(token, locationId, scopes);
  const ghl = new GhlClient({
    baseUrl,
    tokenProvider,
    timeoutMs: config.GHL_REQUEST_TIMEOUT_MS,
    maxRetries: config.GHL_MAX_RETRIES,
    concurrencyPerLocation: config.GHL_CONCURRENCY_PER_LOCATION,
    dailyReserve: config.GHL_DAILY_RESERVE,
    interactiveShare: config.GHL_INTERACTIVE_SHARE,
    logger: logger.child({ component: 'ghl' }),
  });
  return { ghl, locationId, simulator, scopesOf: async (forLocation) => (await tokenProvider.getToken(forLocation)).scopes };
}

export async function startGateway(config: Config, overrides: GatewayOverrides = {}): Promise<Gateway> {
  const logger = overrides.logger ?? silentLogger();
  const upstream = await connectUpstream(config, overrides, logger);
  let writePath: StartedWritePath;
  try {
    writePath = await startWritePath(config, { ghl: upstream.ghl, scopesOf: upstream.scopesOf, logger }, overrides.writePath);
  } catch (error) {
    await upstream.simulator?.close();
    throw error;
  }
  const httpServer: Server = createServer();
  const graphql = createGraphQLServer({
    ...(overrides.resolvers ? { resolvers: overrides.resolvers } : {}),
    logger: logger.child({ component: 'graphql' }),
    introspection: config.GRAPHQL_INTROSPECTION ?? config.NODE_ENV !== 'production',
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  try {
    await graphql.start();
    const createContext = createContextFactory({
      ghl: upstream.ghl,
      locationId: upstream.locationId,
      taskSearch: new TaskSearchCapability(config.GHL_TOKEN_SCOPES),
      limiters: new LocationLimiters(config.GHL_CONCURRENCY_PER_LOCATION),
      writePath: writePath.writePath,
    });
    const app = createHttpApp({
      server: graphql,
      createContext,
      logger,
      bodyLimit: config.GRAPHQL_BODY_LIMIT,
      health: () => ({ demo: upstream.simulator !== null, locationId: upstream.locationId }),
    });
    httpServer.on('request', app);
    httpServer.listen(config.PORT, config.HOST);
    await Promise.race([once(httpServer, 'listening'), once(httpServer, 'error').then(([error]) => Promise.reject(error))]);
  } catch (error) {
    await graphql.stop().catch(() => undefined);
    await writePath.stop();
    await upstream.simulator?.close();
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  // 0.0.0.0 / :: are not addresses a browser can open; print loopback instead.
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  const url = `http://${host}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    playgroundUrl: `${url}/playground`,
    simulator: upstream.simulator,
    locationId: upstream.locationId,
    writePath,
    close: () => {
      closing ??= (async () => {
        // Apollo's drain plugin stops the listener and waits for in-flight requests.
        await graphql.stop();
        // After the drain: no mutation can enqueue any more; the worker finishes its delivery.
        await writePath.stop();
        await upstream.simulator?.close();
      })();
      return closing;
    },
  };
}
