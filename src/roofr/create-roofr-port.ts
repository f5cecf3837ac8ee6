/**
 * Picks the Roofr adapter ROOFR_ADAPTER names. `simulator` is the REST adapter pointed at a Roofr
 * simulator the composition root started (main.ts is the only place that listens), so demo mode
 * exercises the same code path as partner REST access.
 */
import type { Config } from '../config.js';
import { resolveRoofrPaths } from './api-paths.js';
import { RoofrRestAdapter } from './rest-adapter.js';
import type { RoofrRequestEvent } from './rest-transport.js';
import type { RoofrPort } from './roofr-port.js';
import { RoofrZapierAdapter } from './zapier-adapter.js';

type RoofrPortConfig = Pick<
  Config,
  | 'ROOFR_ADAPTER'
  | 'ROOFR_API_BASE_URL'
  | 'ROOFR_API_KEY'
  | 'ROOFR_AUTH_HEADER'
  | 'ROOFR_AUTH_SCHEME'
  | 'ROOFR_API_PATHS'
  | 'ROOFR_REQUEST_TIMEOUT_MS'
  | 'ROOFR_MAX_RETRIES'
  | 'ROOFR_MAX_IN_FLIGHT'
  | 'ROOFR_ZAPIER_HOOK_URL'
>;

interface RoofrPortDeps {
  /** The running simulator (startRoofrSimulator's result fits); required for ROOFR_ADAPTER=simulator. */
  simulator?: { apiBaseUrl: string; apiKey: string; authHeader: string; authScheme: string };
  /** Sees every Roofr HTTP attempt, e.g. for metrics. */
  onRequest?: (event: RoofrRequestEvent) => void;
}

export class RoofrPortConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoofrPortConfigError';
  }
}

export function createRoofrPort(config: RoofrPortConfig, deps: RoofrPortDeps = {}): RoofrPort {
  const common = {
    paths: resolveRoofrPaths(config.ROOFR_API_PATHS),
    timeoutMs: config.ROOFR_REQUEST_TIMEOUT_MS,
    maxRetries: config.ROOFR_MAX_RETRIES,
    maxInFlight: config.ROOFR_MAX_IN_FLIGHT,
    ...(deps.onRequest === undefined ? {} : { onRequest: deps.onRequest }),
  };
  switch (config.ROOFR_ADAPTER) {
    case 'rest': {
      if (config.ROOFR_API_BASE_URL === undefined || config.ROOFR_API_KEY === undefined) {
        throw new RoofrPortConfigError('ROOFR_ADAPTER=rest needs ROOFR_API_BASE_URL and ROOFR_API_KEY');
      }
      return new RoofrRestAdapter({
        ...common,
        adapter: 'rest',
        baseUrl: config.ROOFR_API_BASE_URL,
        apiKey: config.ROOFR_API_KEY,
        authHeader: config.ROOFR_AUTH_HEADER,
        authScheme: config.ROOFR_AUTH_SCHEME,
      });
    }
    case 'zapier': {
      if (config.ROOFR_ZAPIER_HOOK_URL === undefined)
        throw new RoofrPortConfigError('ROOFR_ADAPTER=zapier needs ROOFR_ZAPIER_HOOK_URL');
      return new RoofrZapierAdapter({
        hookUrl: config.ROOFR_ZAPIER_HOOK_URL,
        timeoutMs: config.ROOFR_REQUEST_TIMEOUT_MS,
        maxRetries: config.ROOFR_MAX_RETRIES,
        ...(deps.onRequest === undefined ? {} : { onRequest: deps.onRequest }),
      });
    }
    case 'simulator': {
      if (deps.simulator === undefined) {
        throw new RoofrPortConfigError(
          'ROOFR_ADAPTER=simulator needs a started Roofr simulator: start it with startRoofrSimulator() and pass it as deps.simulator',
        );
      }
      return new RoofrRestAdapter({
        ...common,
        adapter: 'simulator',
        baseUrl: deps.simulator.apiBaseUrl,
        apiKey: deps.simulator.apiKey,
        authHeader: deps.simulator.authHeader,
        authScheme: deps.simulator.authScheme,
      });
    }
  }
}
