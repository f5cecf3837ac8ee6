/**
 * Composition of the write path for startGateway: the durable store, the field mapping, the Roofr
 * port (and, for ROOFR_ADAPTER=simulator, an embedded Roofr simulator unless one is given), the
 * Roofr push service and the outbox worker that delivers queued Roofr writes. Stopping stops the
 * worker first (it waits for the delivery in progress), then closes what this module opened.
 */
import { newLeaseOwner } from './store/lease-owners.js';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { GatewayEventSink } from './domain/gateway-events.js';
import type { Mapping } from './domain/mapping/mapping-schema.js';
import type { GhlApi } from './ghl/ghl-api.js';
import type { EntityChange, WritePath } from './graphql/write-path.js';
import { createRoofrPort } from './roofr/create-roofr-port.js';
import { loadConfiguredMapping } from './roofr/mapping-file.js';
import type { RoofrPort } from './roofr/roofr-port.js';
import type { RoofrRequestEvent } from './roofr/rest-transport.js';
import { startRoofrSimulator, type RoofrSimulator } from './simulators/roofr/index.js';
import { openStore, type Store } from './store/open-store.js';
import { createOutboxDelivery } from './sync/outbox-delivery.js';
import { createOutboxWorker, type OutboxWorker } from './sync/outbox-worker.js';
import { createRoofrPush } from './sync/roofr-push.js';

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
  /** The Roofr simulator in use with ROOFR_ADAPTER=simulator (started here or given). */
  roofrSimulator: RoofrSimulator | null;
  outboxWorker: OutboxWorker;
  stop(): Promise<void>;
}

interface WritePathDeps {
  ghl: GhlApi;
  scopesOf: (locationId: string) => Promise<ReadonlySet<string> | null>;
  logger: Logger;
  /** Sees every Roofr HTTP attempt (metrics). */
  onRoofrRequest?: (event: RoofrRequestEvent) => void;
  /** Where contacts synced and Roofr's refusals are reported (notifications, Zapier). */
  events?: GatewayEventSink;
}

export async function startWritePath(
  config: Config,
  deps: WritePathDeps,
  overrides: WritePathOverrides = {},
): Promise<StartedWritePath> {
  const opened: Array<() => Promise<void>> = [];
  const closeOpened = async () => {
    for (const close of opened.reverse()) await close().catch(() => undefined);
  };
  if (!isSupportedCountry(config.PHONE_DEFAULT_COUNTRY)) {
    throw new Error(
      `PHONE_DEFAULT_COUNTRY "${config.PHONE_DEFAULT_COUNTRY}" is not a country libphonenumber knows; use an ISO 3166-1 alpha-2 code such as US`,
    );
  }
  const defaultPhoneCountry: CountryCode = config.PHONE_DEFAULT_COUNTRY;
  try {
    const mapping = overrides.mapping ?? (await loadConfiguredMapping(config));
    let store = overrides.store;
    if (store === undefined) {
      const ownStore = await openStore(config.DATABASE_URL, {
        outboxMaxAttempts: config.OUTBOX_MAX_ATTEMPTS,
        postgres: { timeoutMs: config.DEPENDENCY_TIMEOUT_MS },
      });
      opened.push(() => ownStore.close());
      store = ownStore;
    }
    let roofrSimulator = overrides.roofrSimulator ?? null;
    let roofr = overrides.roofr;
    if (roofr === undefined) {
      if (config.ROOFR_ADAPTER === 'simulator' && roofrSimulator === null) {
        // Embedded: only this process talks to it, so any free port (ROOFR_SIM_PORT is the standalone one's).
        const ownSimulator = await startRoofrSimulator({
          port: 0,
          apiKey: config.ROOFR_SIM_API_KEY,
          authHeader: config.ROOFR_AUTH_HEADER,
          authScheme: config.ROOFR_AUTH_SCHEME,
        });
        opened.push(() => ownSimulator.close());
        roofrSimulator = ownSimulator;
      }
      roofr = createRoofrPort(config, {
        ...(roofrSimulator === null ? {} : { simulator: roofrSimulator }),
        ...(deps.onRoofrRequest === undefined ? {} : { onRequest: deps.onRoofrRequest }),
      });
    }
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
    worker = createOutboxWorker({
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
    const outboxWorker = worker;
    outboxWorker.start();
    const writePath: WritePath = {
      push,
      scopesOf: overrides.scopesOf ?? deps.scopesOf,
      defaultPhoneCountry,
      deadLetters: store.outbox,
      ...(overrides.onEntityChanged === undefined ? {} : { onEntityChanged: overrides.onEntityChanged }),
      nudgeOutbox: () => outboxWorker.nudge(),
    };
    let stopping: Promise<void> | null = null;
    return {
      writePath,
      store,
      roofr,
      roofrSimulator,
      outboxWorker,
      stop() {
        stopping ??= (async () => {
          await outboxWorker.stop();
          await closeOpened();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await closeOpened();
    throw error;
  }
}
