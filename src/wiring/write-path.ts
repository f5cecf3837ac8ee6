/**
 * The write path of a process: the field mapping, the Roofr port (for ROOFR_ADAPTER=simulator an
 * embedded Roofr simulator in the gateway, the standalone one at ROOFR_SIM_PORT for a CLI, unless
 * one is given), the Roofr push service and the outbox worker that delivers queued writes (Roofr
 * writes and a verify's HighLevel repairs). Each is registered on the lifecycle as it starts: the
 * worker stops (finishing the delivery in progress) before the simulator closes.
 */
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import type { Logger } from 'pino';
import type { RoofrCredentials } from '../auth/stored-roofr-credentials.js';
import type { Config } from '../config.js';
import type { GatewayEventSink } from '../domain/gateway-events.js';
import type { Mapping } from '../domain/mapping/mapping-schema.js';
import type { GhlApi } from '../ghl/ghl-api.js';
import type { EntityChange, WritePath } from '../graphql/write-path.js';
import { createRoofrPort } from '../roofr/create-roofr-port.js';
import { loadConfiguredMapping } from '../roofr/mapping-file.js';
import type { RoofrPort } from '../roofr/roofr-port.js';
import type { RoofrRequestEvent } from '../roofr/rest-transport.js';
import type { RoofrSimulator } from '../simulators/roofr/index.js';
import { newLeaseOwner } from '../store/lease-owners.js';
import type { Store } from '../store/open-store.js';
import { createOutboxDelivery } from '../sync/outbox-delivery.js';
import { createOutboxWorker, type OutboxWorker } from '../sync/outbox-worker.js';
import { createRoofrPush, type RoofrPush } from '../sync/roofr-push.js';
import type { Lifecycle } from './lifecycle.js';

type WritePathConfig = Pick<
  Config,
  | 'PHONE_DEFAULT_COUNTRY'
  | 'MAPPING_FILE'
  | 'ROOFR_ADAPTER'
  | 'ROOFR_API_BASE_URL'
  | 'ROOFR_AUTH_HEADER'
  | 'ROOFR_AUTH_SCHEME'
  | 'ROOFR_API_PATHS'
  | 'ROOFR_REQUEST_TIMEOUT_MS'
  | 'ROOFR_MAX_RETRIES'
  | 'ROOFR_MAX_IN_FLIGHT'
  | 'ROOFR_SIM_API_KEY'
  | 'ROOFR_SIM_PORT'
  | 'ROOFR_DELETE_POLICY'
  | 'OUTBOX_POLL_MS'
  | 'QUEUE_LEASE_MS'
>;

export interface WritePathOverrides {
  /** Use this store (the caller closes it) instead of opening DATABASE_URL. */
  store?: Store;
  /** Use this Roofr port instead of building one from ROOFR_ADAPTER. */
  roofr?: RoofrPort;
  /** ROOFR_ADAPTER=simulator: talk to this running simulator (the caller closes it) instead of starting one. */
  roofrSimulator?: RoofrSimulator;
  mapping?: Mapping;
  /** Token scopes of a location (default: the GHL token provider's). */
  scopesOf?: (locationId: string) => Promise<ReadonlySet<string> | null>;
  /** Where the shared cache evicts what a mutation changed. */
  onEntityChanged?: (change: EntityChange) => Promise<void> | void;
  /** Default: OUTBOX_POLL_MS. */
  outboxPollMs?: number;
}

export interface StartedWritePath {
  writePath: WritePath;
  store: Store;
  roofr: RoofrPort;
  push: RoofrPush;
  mapping: Mapping;
  /** The Roofr simulator in use with ROOFR_ADAPTER=simulator (started here or given). */
  roofrSimulator: RoofrSimulator | null;
  outboxWorker: OutboxWorker;
}

interface WritePathDeps {
  store: Store;
  ghl: GhlApi;
  scopesOf: (locationId: string) => Promise<ReadonlySet<string> | null>;
  roofrCredentials: RoofrCredentials;
  logger: Logger;
  /** 'cli': ROOFR_ADAPTER=simulator means the standalone simulator (npm run simulate), not one of its own. */
  role: 'gateway' | 'cli';
  /** Sees every Roofr HTTP attempt (metrics). */
  onRoofrRequest?: (event: RoofrRequestEvent) => void;
  /** Where contacts synced and Roofr's refusals are reported (notifications, Zapier). */
  events?: GatewayEventSink;
}

/** The standalone simulator's address (npm run simulate), for a CLI. */
function standaloneRoofrSimulator(config: WritePathConfig): {
  apiBaseUrl: string;
  apiKey: string;
  authHeader: string;
  authScheme: string;
} {
  return {
    apiBaseUrl: `http://127.0.0.1:${config.ROOFR_SIM_PORT}/v1`,
    apiKey: config.ROOFR_SIM_API_KEY,
    authHeader: config.ROOFR_AUTH_HEADER,
    authScheme: config.ROOFR_AUTH_SCHEME,
  };
}

async function openRoofrPort(
  config: WritePathConfig,
  lifecycle: Lifecycle,
  deps: WritePathDeps,
  overrides: WritePathOverrides,
): Promise<{ roofr: RoofrPort; roofrSimulator: RoofrSimulator | null }> {
  const roofrSimulator = overrides.roofrSimulator ?? null;
  if (overrides.roofr !== undefined) return { roofr: overrides.roofr, roofrSimulator };
  const portConfig = { ...config, ...deps.roofrCredentials };
  const onRequest = deps.onRoofrRequest === undefined ? {} : { onRequest: deps.onRoofrRequest };
  if (config.ROOFR_ADAPTER !== 'simulator') return { roofr: createRoofrPort(portConfig, onRequest), roofrSimulator };
  if (roofrSimulator !== null)
    return { roofr: createRoofrPort(portConfig, { ...onRequest, simulator: roofrSimulator }), roofrSimulator };
  if (deps.role === 'cli')
    return {
      roofr: createRoofrPort(portConfig, { ...onRequest, simulator: standaloneRoofrSimulator(config) }),
      roofrSimulator: null,
    };
  // Embedded: only this process talks to it, so any free port (ROOFR_SIM_PORT is the standalone one's).
  // Imported only then: a process talking to Roofr never loads the simulator.
  const { startRoofrSimulator } = await import('../simulators/roofr/index.js');
  const embedded = await lifecycle.start(
    'Roofr simulator',
    () =>
      startRoofrSimulator({
        port: 0,
        apiKey: config.ROOFR_SIM_API_KEY,
        authHeader: config.ROOFR_AUTH_HEADER,
        authScheme: config.ROOFR_AUTH_SCHEME,
      }),
    (simulator) => simulator.close(),
  );
  return { roofr: createRoofrPort(portConfig, { ...onRequest, simulator: embedded }), roofrSimulator: embedded };
}

export async function openWritePath(
  config: WritePathConfig,
  lifecycle: Lifecycle,
  deps: WritePathDeps,
  overrides: WritePathOverrides = {},
): Promise<StartedWritePath> {
  if (!isSupportedCountry(config.PHONE_DEFAULT_COUNTRY)) {
    throw new Error(
      `PHONE_DEFAULT_COUNTRY "${config.PHONE_DEFAULT_COUNTRY}" is not a country libphonenumber knows; use an ISO 3166-1 alpha-2 code such as US`,
    );
  }
  const defaultPhoneCountry: CountryCode = config.PHONE_DEFAULT_COUNTRY;
  const { store } = deps;
  const mapping = overrides.mapping ?? (await loadConfiguredMapping(config));
  const { roofr, roofrSimulator } = await openRoofrPort(config, lifecycle, deps, overrides);
  const logger = deps.logger.child({ component: 'outbox' });
  let worker: OutboxWorker | null = null;
  const push = createRoofrPush({
    ghl: deps.ghl,
    store,
    roofr,
    mapping,
    deletePolicy: config.ROOFR_DELETE_POLICY,
    logger: deps.logger.child({ component: 'roofr-push' }),
    onQueued: () => worker?.nudge(),
    inlineTimeoutMs: config.ROOFR_REQUEST_TIMEOUT_MS,
    ...(deps.events === undefined ? {} : { events: deps.events }),
  });
  const outboxWorker = await lifecycle.start(
    'outbox worker',
    () => {
      const started = createOutboxWorker({
        store,
        handler: createOutboxDelivery({
          db: store.db,
          store,
          roofr,
          ghl: deps.ghl,
          logger,
          ...(deps.events === undefined ? {} : { events: deps.events }),
        }),
        owner: newLeaseOwner(),
        pollMs: overrides.outboxPollMs ?? config.OUTBOX_POLL_MS,
        leaseMs: config.QUEUE_LEASE_MS,
        logger,
      });
      started.start();
      return started;
    },
    // Stops taking work, then waits for the delivery in progress.
    (started) => started.stop(),
  );
  worker = outboxWorker;
  const writePath: WritePath = {
    push,
    scopesOf: overrides.scopesOf ?? deps.scopesOf,
    defaultPhoneCountry,
    deadLetters: store.outbox,
    ...(overrides.onEntityChanged === undefined ? {} : { onEntityChanged: overrides.onEntityChanged }),
    nudgeOutbox: () => outboxWorker.nudge(),
  };
  return { writePath, store, roofr, push, mapping, roofrSimulator, outboxWorker };
}
