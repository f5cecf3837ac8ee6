/**
 * Builds the GhlClient from the parsed configuration, for the composition root. Demo mode passes
 * the simulator's URL and a token provider; real mode takes the Private Integration Token.
 */
import type { Config } from '../config.js';
import { GhlClient, type GhlLogger } from './client.js';
import type { TokenProvider } from './ghl-api.js';
import type { RateBudget } from './rate-budget.js';
import { StaticTokenProvider } from './token-provider.js';

interface GhlClientDeps {
  /** Overrides GHL_API_BASE_URL (demo mode: the embedded simulator). */
  baseUrl?: string;
  /** Defaults to the Private Integration Token of GHL_PRIVATE_INTEGRATION_TOKEN / GHL_LOCATION_ID. */
  tokenProvider?: TokenProvider;
  rateBudget?: RateBudget;
  logger?: GhlLogger;
}

export function createGhlClient(config: Config, deps: GhlClientDeps = {}): GhlClient {
  return new GhlClient({
    baseUrl: deps.baseUrl ?? config.GHL_API_BASE_URL,
    tokenProvider: deps.tokenProvider ?? staticTokenProviderFrom(config),
    timeoutMs: config.GHL_REQUEST_TIMEOUT_MS,
    writeTimeoutMs: config.GHL_WRITE_TIMEOUT_MS,
    maxRetries: config.GHL_MAX_RETRIES,
    concurrencyPerLocation: config.GHL_CONCURRENCY_PER_LOCATION,
    dailyReserve: config.GHL_DAILY_RESERVE,
    interactiveShare: config.GHL_INTERACTIVE_SHARE,
    rateBudget: deps.rateBudget,
    logger: deps.logger,
  });
}

export function staticTokenProviderFrom(config: Config): StaticTokenProvider {
  const token = config.GHL_PRIVATE_INTEGRATION_TOKEN;
  const locationId = config.GHL_LOCATION_ID;
  if (token === undefined || locationId === undefined) {
    throw new Error(
      'No HighLevel token: set GHL_PRIVATE_INTEGRATION_TOKEN and GHL_LOCATION_ID, or pass a token provider (demo mode)',
    );
  }
  return new StaticTokenProvider(token, locationId, config.GHL_TOKEN_SCOPES ?? null);
}
