/**
 * The HighLevel side of a process: in demo mode the embedded simulator, the token provider (OAuth
 * installs, the Private Integration Token, or the demo token), the rate budget (shared through
 * Redis when REDIS_URL is set, so the gateway's replicas and the CLIs spend from one budget per
 * location) and the client. Each is registered on the lifecycle as it starts.
 */
import type { Logger } from 'pino';
import { isDemoMode, type Config } from '../config.js';
import type { GatewayEventSink } from '../domain/gateway-events.js';
import { createGhlClient, type GhlClientConfig } from '../ghl/from-config.js';
import type { GhlApi, TokenProvider, UpstreamObserver } from '../ghl/ghl-api.js';
import type { RateBudget } from '../ghl/rate-budget.js';
import { createRateBudget } from '../ghl/rate-budget-factory.js';
import { StaticTokenProvider } from '../ghl/token-provider.js';
import type { GhlSimulator, GhlSimulatorOptions } from '../simulators/ghl/index.js';
import type { Lifecycle } from './lifecycle.js';

type HighLevelConfig = GhlClientConfig &
  Pick<Config, 'GHL_CLIENT_ID' | 'GHL_SIM_PORT' | 'DEMO_SEED' | 'DEMO_CONTACTS' | 'REDIS_URL' | 'GHL_REPLICAS_HINT'>;

export interface HighLevel {
  ghl: GhlApi;
  /** The location served when a request names none; '' with OAuth and no GHL_LOCATION_ID. */
  locationId: string;
  /** The embedded simulator in demo mode; null when talking to real HighLevel. */
  simulator: GhlSimulator | null;
  /** The token's scopes (least privilege for writes); null when unknown. */
  scopesOf: (locationId: string) => Promise<ReadonlySet<string> | null>;
  /** The token provider, for the /readyz "token" check; null when a client was given or no location is served. */
  tokens: TokenProvider | null;
  /** Null only when a client was given without its budget. */
  rateBudget: RateBudget | null;
}

interface HighLevelDeps {
  logger: Logger;
  /** 'cli': demo mode is refused (a CLI would sync a throw-away simulator of its own). */
  role: 'gateway' | 'cli';
  /** The OAuth token provider when GHL_CLIENT_ID is set. */
  oauthTokens: TokenProvider | null;
  observer?: UpstreamObserver;
  events?: GatewayEventSink;
  /** Use this client (tests, benchmarks) instead of building one; needs `locationId`. */
  given?: { ghl: GhlApi; locationId: string; rateBudget?: RateBudget };
  /** Extra or replacing options of the demo simulator (e.g. rateLimit in tests). */
  simulator?: Partial<GhlSimulatorOptions>;
}

class MissingCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingCredentialsError';
  }
}

export async function openHighLevel(
  config: HighLevelConfig,
  lifecycle: Lifecycle,
  deps: HighLevelDeps,
): Promise<HighLevel> {
  if (deps.given !== undefined) {
    const declared = config.GHL_TOKEN_SCOPES === undefined ? null : new Set(config.GHL_TOKEN_SCOPES);
    return {
      ghl: deps.given.ghl,
      locationId: deps.given.locationId,
      simulator: null,
      scopesOf: async () => declared,
      tokens: null,
      rateBudget: deps.given.rateBudget ?? null,
    };
  }
  let simulator: GhlSimulator | null = null;
  let demoScopes: readonly string[] | null = null;
  let baseUrl = config.GHL_API_BASE_URL;
  let token = config.GHL_PRIVATE_INTEGRATION_TOKEN;
  let locationId = config.GHL_LOCATION_ID;
  if (isDemoMode(config)) {
    if (deps.role === 'cli')
      throw new MissingCredentialsError(
        'This command needs HighLevel credentials: GHL_PRIVATE_INTEGRATION_TOKEN and GHL_LOCATION_ID, or OAuth installs (GHL_CLIENT_ID …). For the simulator: npm run simulate, then its token and location.',
      );
    // Imported only in demo mode: a process talking to HighLevel never loads the simulator.
    const { DEMO_SCOPES, startGhlSimulator } = await import('../simulators/ghl/index.js');
    demoScopes = DEMO_SCOPES;
    simulator = await lifecycle.start(
      'HighLevel simulator',
      () =>
        startGhlSimulator({
          port: config.GHL_SIM_PORT,
          seed: config.DEMO_SEED,
          contacts: config.DEMO_CONTACTS,
          ...deps.simulator,
        }),
      (started) => started.close(),
    );
    baseUrl = simulator.url;
    token = simulator.demoToken ?? undefined;
    locationId = simulator.locationId;
  }
  let tokenProvider: TokenProvider;
  if (deps.oauthTokens !== null) {
    // OAuth installs (GHL_CLIENT_ID): tokens per location from the encrypted store, refreshed.
    tokenProvider = deps.oauthTokens;
  } else {
    if (token === undefined || locationId === undefined)
      throw new MissingCredentialsError(
        'No HighLevel credentials: set GHL_PRIVATE_INTEGRATION_TOKEN and GHL_LOCATION_ID, or unset both (and GHL_CLIENT_ID) for demo mode',
      );
    // The embedded simulator's demo token holds DEMO_SCOPES: demo mode can write.
    const scopes = config.GHL_TOKEN_SCOPES ?? (simulator !== null && simulator.demoToken !== null ? demoScopes : null);
    tokenProvider = new StaticTokenProvider(token, locationId, scopes);
  }
  // With OAuth, each request's location comes from its caller; GHL_LOCATION_ID is only a default.
  const servedLocation = locationId ?? '';
  const rateBudget = await lifecycle.start(
    'rate budget',
    () => createRateBudget(config, deps.logger.child({ component: 'rate-budget' })),
    (budget) => budget.close?.(),
  );
  const ghl = await lifecycle.start(
    'HighLevel client',
    () =>
      createGhlClient(config, {
        baseUrl,
        tokenProvider,
        rateBudget,
        logger: deps.logger.child({ component: 'ghl' }),
        ...(deps.observer === undefined ? {} : { observer: deps.observer }),
        ...(deps.events === undefined ? {} : { events: deps.events }),
      }),
    (client) => client.close(),
  );
  return {
    ghl,
    locationId: servedLocation,
    simulator,
    scopesOf: async (forLocation) => (await tokenProvider.getToken(forLocation)).scopes,
    tokens: servedLocation === '' ? null : tokenProvider,
    rateBudget,
  };
}
