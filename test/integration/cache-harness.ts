/**
 * Harness of the cache and admission tests: the real simulator over HTTP (one or more
 * locations), the real GhlClient with a rate budget, the shared cache, the server with the
 * admission plugin, and the context factory wiring them; operations run through
 * `server.executeOperation` for any of the simulator's locations.
 */
import type { ApolloServer } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { createCache, type CreateCacheOptions } from '../../src/cache/cache-factory.js';
import type { SharedCache } from '../../src/cache/shared-cache.js';
import { GhlClient, type GhlClientOptions } from '../../src/ghl/client.js';
import type { TokenProvider } from '../../src/ghl/ghl-api.js';
import { InMemoryRateBudget, type RateBudget } from '../../src/ghl/rate-budget.js';
import { createContextFactory, type ContextFactory, type GraphQLContext } from '../../src/graphql/context.js';
import { admissionPlugin } from '../../src/graphql/plugins/admission.js';
import { createGraphQLServer } from '../../src/graphql/server.js';
import { LocationLimiters } from '../../src/loaders/concurrency-limit.js';
import { BatchedReadCapability } from '../../src/loaders/batched-read-capability.js';
import { startGhlSimulator, type GhlSimulator, type GhlSimulatorOptions } from '../../src/simulators/ghl/index.js';
import { recordingLogger } from '../unit/cache/fakes.js';

const SCOPES = ['contacts.readonly', 'contacts.write', 'locations/tasks.readonly', 'calendars/events.readonly'];
export const LOCATION_A = 'SimCacheLocationAAAA';
export const LOCATION_B = 'SimCacheLocationBBBB';

interface CacheHarnessOptions {
  contacts?: number;
  simulator?: Partial<GhlSimulatorOptions>;
  client?: Partial<GhlClientOptions>;
  cacheUrl?: string;
  cache?: Partial<CreateCacheOptions>;
  rateBudget?: RateBudget;
  admissionMaxWaitMs?: number;
}

export interface CacheHarness {
  sim: GhlSimulator;
  cache: SharedCache;
  ghl: GhlClient;
  rateBudget: RateBudget;
  server: ApolloServer<GraphQLContext>;
  createContext: ContextFactory;
  execute(query: string, variables?: Record<string, unknown>, locationId?: string): Promise<FormattedExecutionResult>;
  /** Upstream requests the simulator received so far. */
  upstreamTotal(): number;
  close(): Promise<void>;
}

/** A token per location, as an OAuth install would hold (StaticTokenProvider serves one). */
class PerLocationTokens implements TokenProvider {
  async getToken(locationId: string) {
    return { accessToken: `pit-cache-${locationId}`, scopes: new Set(SCOPES) };
  }
  async onUnauthorized() {
    return false;
  }
}

export async function startCacheHarness(options: CacheHarnessOptions = {}): Promise<CacheHarness> {
  const sim = await startGhlSimulator({
    seed: 11,
    locations: [
      { locationId: LOCATION_A, contacts: options.contacts ?? 30 },
      { locationId: LOCATION_B, contacts: options.contacts ?? 30 },
    ],
    tokens: [LOCATION_A, LOCATION_B].map((locationId) => ({
      token: `pit-cache-${locationId}`,
      locationId,
      scopes: SCOPES,
    })),
    rateLimit: { max: 100_000, dailyMax: 10_000_000 },
    ...options.simulator,
  });
  const rateBudget = options.rateBudget ?? new InMemoryRateBudget({ dailyReserve: 0, interactiveShare: 0.3 });
  const ghl = new GhlClient({
    baseUrl: sim.url,
    tokenProvider: new PerLocationTokens(),
    timeoutMs: 2_000,
    maxRetries: 0,
    maxRateLimitRetries: 0,
    concurrencyPerLocation: 16,
    dailyReserve: 0,
    interactiveShare: 0.3,
    rateBudget,
    ...options.client,
  });
  const cache = await createCache(options.cacheUrl ?? 'memory://', {
    logger: recordingLogger().logger,
    ...options.cache,
  });
  const batchedReads = new BatchedReadCapability(undefined);
  const server = createGraphQLServer({
    plugins: [
      admissionPlugin<GraphQLContext>({
        rateBudget,
        cache,
        batchedReads,
        maxWaitMs: options.admissionMaxWaitMs ?? 500,
      }),
    ],
  });
  await server.start();
  const createContext = createContextFactory({
    ghl,
    locationId: LOCATION_A,
    batchedReads,
    limiters: new LocationLimiters(8),
    cache,
    rateBudget,
  });
  return {
    sim,
    cache,
    ghl,
    rateBudget,
    server,
    createContext,
    async execute(query, variables, locationId) {
      const response = await server.executeOperation(
        { query, variables },
        { contextValue: createContext(locationId === undefined ? {} : { locationId }) },
      );
      if (response.body.kind !== 'single') throw new Error('expected a single (non-incremental) result');
      return response.body.singleResult;
    },
    upstreamTotal: () => sim.log.snapshot().total,
    async close() {
      await server.stop();
      await cache.close();
      await sim.close();
    },
  };
}
