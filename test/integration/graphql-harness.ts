/**
 * Integration harness of the GraphQL layer: the real HighLevel simulator over HTTP, the real
 * GhlClient, the real server factory and context; operations run through
 * `server.executeOperation`. Each harness owns its simulator; close() stops both.
 */
import type { ApolloServer, GraphQLRequest } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { GhlClient, type GhlClientOptions } from '../../src/ghl/client.js';
import { StaticTokenProvider } from '../../src/ghl/token-provider.js';
import { createContextFactory, type ContextFactory, type GraphQLContext } from '../../src/graphql/context.js';
import { createGraphQLServer } from '../../src/graphql/server.js';
import { LocationLimiters } from '../../src/loaders/concurrency-limit.js';
import { BatchedReadCapability } from '../../src/loaders/batched-read-capability.js';
import { startGhlSimulator, type GhlSimulator, type GhlSimulatorOptions } from '../../src/simulators/ghl/index.js';

const ALL_SCOPES = ['contacts.readonly', 'contacts.write', 'locations/tasks.readonly', 'calendars/events.readonly'];
export const SCOPES_WITHOUT_TASK_SEARCH = ALL_SCOPES.filter((scope) => scope !== 'locations/tasks.readonly');

interface HarnessOptions {
  contacts?: number;
  seed?: number;
  /** Scopes of the simulator's token (default: all). */
  tokenScopes?: string[];
  /** GHL_TOKEN_SCOPES as the gateway declares them; undefined = learn them. */
  declaredScopes?: string[];
  simulator?: Partial<GhlSimulatorOptions>;
  client?: Partial<GhlClientOptions>;
}

export interface Harness {
  sim: GhlSimulator;
  server: ApolloServer<GraphQLContext>;
  createContext: ContextFactory;
  execute(query: string, variables?: GraphQLRequest['variables']): Promise<FormattedExecutionResult>;
  close(): Promise<void>;
}

export const TOKEN = 'pit-graphql-test-token';

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startGhlSimulator({
    contacts: options.contacts ?? 60,
    seed: options.seed ?? 7,
    // High enough that no test waits for a burst window; rate limit tests force 429s with faults.
    rateLimit: { max: 100_000, dailyMax: 10_000_000 },
    tokens: [{ token: TOKEN, locationId: 'SimDemoLocation00001', scopes: options.tokenScopes ?? ALL_SCOPES }],
    ...options.simulator,
  });
  const ghl = new GhlClient({
    baseUrl: sim.url,
    tokenProvider: new StaticTokenProvider(TOKEN, sim.locationId, options.declaredScopes ?? null),
    timeoutMs: 1_000,
    maxRetries: 1,
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 20,
    maxRateLimitRetries: 0,
    concurrencyPerLocation: 16,
    dailyReserve: 0,
    interactiveShare: 0.3,
    ...options.client,
  });
  const server = createGraphQLServer();
  await server.start();
  const createContext = createContextFactory({
    ghl,
    locationId: sim.locationId,
    batchedReads: new BatchedReadCapability(options.declaredScopes),
    limiters: new LocationLimiters(8),
  });
  return {
    sim,
    server,
    createContext,
    async execute(query, variables) {
      const response = await server.executeOperation({ query, variables }, { contextValue: createContext() });
      if (response.body.kind !== 'single') throw new Error('expected a single (non-incremental) result');
      return response.body.singleResult;
    },
    async close() {
      await server.stop();
      await sim.close();
    },
  };
}
