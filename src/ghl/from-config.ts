/**
 * Builds the GhlClient from its slice of the configuration, for the composition root
 * (src/wiring/high-level.ts) and tests. Demo mode passes the simulator's URL and a token
 * provider; real mode takes the Private Integration Token, or the OAuth token provider.
 */
import type { Config } from '../config.js';
import type { GatewayEventSink } from '../domain/gateway-events.js';
import { GhlClient, type GhlLogger } from './client.js';
import type { TokenProvider, UpstreamObserver } from './ghl-api.js';
import type { RateBudget } from './rate-budget.js';
import { StaticTokenProvider } from './token-provider.js';

export type GhlClientConfig = Pick<
  Config,
  | 'GHL_API_BASE_URL'
  | 'GHL_PRIVATE_INTEGRATION_TOKEN'
  | 'GHL_LOCATION_ID'
  | 'GHL_TOKEN_SCOPES'
  | 'GHL_REQUEST_TIMEOUT_MS'
  | 'GHL_WRITE_TIMEOUT_MS'
  | 'GHL_MAX_RETRIES'
  | 'GHL_CONCURRENCY_PER_LOCATION'
  | 'GHL_DAILY_RESERVE'
  | 'GHL_INTERACTIVE_SHARE'
>;

interface GhlClientDeps {
  /** Overrides GHL_API_BASE_URL (demo mode: the embedded simulator). */
  baseUrl?: string;
  /** Defaults to the Private Integration Token of GHL_PRIVATE_INTEGRATION_TOKEN / GHL_LOCATION_ID. */
  tokenProvider?: TokenProvider;
  rateBudget?: RateBudget;
  logger?: GhlLogger;
  /** Every HTTP attempt (metrics). */
  observer?: UpstreamObserver;
  /** Refused credentials, the daily reserve, answers again (notifications). */
  events?: GatewayEventSink;
}

export function createGhlClient(config: GhlClientConfig, deps: GhlClientDeps = {}): GhlClient {
  return new GhlClient({
    baseUrl: deps.baseUrl ?? config.GHL_API_BASE_URL,
    tokenProvider: deps.tokenProvider ?? staticTokenProviderFrom(config),
    timeoutMs: config.GHL_REQUEST_TIMEOUT_MS,
    writeTimeoutMs: config.GHL_WRITE_TIMEOUT_MS,
    maxRetries: config.GHL_MAX_RETRIES,
    concurrencyPerLocation: config.GHL_CONCURRENCY_PER_LOCATION,
    dailyReserve: config.GHL_DAILY_RESERVE,
    interactiveShare: config.GHL_INTERACTIVE_SHARE,
    ...(deps.rateBudget === undefined ? {} : { rateBudget: deps.rateBudget }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(deps.observer === undefined ? {} : { observer: deps.observer }),
    ...(deps.events === undefined ? {} : { events: deps.events }),
  });
}

export function staticTokenProviderFrom(
  config: Pick<Config, 'GHL_PRIVATE_INTEGRATION_TOKEN' | 'GHL_LOCATION_ID' | 'GHL_TOKEN_SCOPES'>,
): StaticTokenProvider {
  const token = config.GHL_PRIVATE_INTEGRATION_TOKEN;
  const locationId = config.GHL_LOCATION_ID;
  if (token === undefined || locationId === undefined) {
    throw new Error(
      'No HighLevel token: set GHL_PRIVATE_INTEGRATION_TOKEN and GHL_LOCATION_ID, or pass a token provider (demo mode)',
    );
  }
  return new StaticTokenProvider(token, locationId, config.GHL_TOKEN_SCOPES ?? null);
}
