/**
 * The sync engine from the config, for every process: its job queue (the store queue, or BullMQ
 * with SYNC_QUEUE=bullmq), webhook worker and nightly schedule (`createConfiguredSyncEngine`;
 * the CLIs run batches and verifies on it directly), and in the gateway also the webhook routes
 * (POST /webhooks/ghl, /webhooks/roofr[/:locationId]), the started workers and the GraphQL sync
 * service (`startGatewaySync`). Both reuse the write path's store, Roofr port and push service.
 * Roofr events find their location through roofr-event-location.ts: the configured location,
 * else (OAuth) the URL's installed location, the records' links or the only install.
 */
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { GhlApi } from '../ghl/ghl-api.js';
import type { Mapping } from '../domain/mapping/mapping-schema.js';
import { createGhlSignatureVerifier, GHL_WEBHOOK_RSA_PUBLIC_KEY_DEFAULT } from '../http/webhook-ghl-signature.js';
import { createWebhookRouter } from '../http/webhook-routes.js';
import type { RoofrPort } from '../roofr/roofr-port.js';
import type { Store } from '../store/open-store.js';
import { parseEventTasks } from './event-tasks.js';
import type { GhlEventHandlerDeps } from './ghl-event-handler.js';
import {
  createRoofrEventLocations,
  installedLocationsFrom,
  type InstallRegistry,
  type RoofrEventLocations,
} from './roofr-event-location.js';
import type { RoofrPush } from './roofr-push.js';
import { createSyncEngine, type SyncEngine } from './sync-engine.js';
import type { SyncService } from './sync-service.js';

type SyncConfig = Pick<
  Config,
  | 'SYNC_PAGE_SIZE'
  | 'SYNC_EVENT_TASKS'
  | 'SYNC_WORKER_POLL_MS'
  | 'QUEUE_LEASE_MS'
  | 'ROOFR_DELETE_POLICY'
  | 'SYNC_SCHEDULE'
  | 'SYNC_TIMEZONE'
  | 'SYNC_QUEUE'
  | 'SYNC_QUEUE_NAME'
  | 'SYNC_CONCURRENCY'
  | 'ROOFR_MAX_IN_FLIGHT'
  | 'REDIS_URL'
  | 'DEPENDENCY_TIMEOUT_MS'
  | 'GHL_WEBHOOK_RSA_PUBLIC_KEY'
  | 'GHL_WEBHOOK_ED25519_PUBLIC_KEY'
  | 'WEBHOOK_QUEUE_MAX'
>;

interface GatewaySyncDeps {
  ghl: GhlApi;
  locationId: string;
  store: Store;
  roofr: RoofrPort;
  push: RoofrPush;
  mapping: Mapping;
  logger: Logger;
  /** Wakes the outbox worker after a verify queued repairs. */
  nudgeOutbox?: () => void;
  /** Demo mode: the embedded HighLevel simulator's webhook keys replace the configured ones. */
  demoWebhookKeys?: { rsaPem: string; ed25519Pem: string };
  invalidate?: GhlEventHandlerDeps['invalidate'];
  installs?: GhlEventHandlerDeps['installs'];
  /** OAuth mode: the token vault, which knows the locations the app is installed for. */
  installRegistry?: InstallRegistry;
  /** ROOFR_WEBHOOK_SECRET, from the environment or the secrets vault. */
  roofrWebhookSecret?: string | undefined;
}

export interface GatewaySync {
  engine: SyncEngine;
  router: Router;
  service: SyncService;
  stop(): Promise<void>;
}

/** The engine, not started: the gateway starts its workers; a CLI runs batches on it directly. */
export async function createConfiguredSyncEngine(
  config: SyncConfig,
  deps: Omit<GatewaySyncDeps, 'demoWebhookKeys' | 'roofrWebhookSecret'>,
): Promise<{ engine: SyncEngine; roofrLocations: RoofrEventLocations }> {
  const logger = deps.logger.child({ component: 'sync' });
  const installedLocations = deps.installRegistry ? installedLocationsFrom(deps.installRegistry) : undefined;
  const roofrLocations = createRoofrEventLocations({
    defaultLocationId: deps.locationId,
    links: deps.store.links,
    ...(installedLocations ? { installedLocations } : {}),
  });
  // A sync of every location: the OAuth installs (sorted, so runs queue in a stable order), else the configured one.
  const locations = async (): Promise<readonly string[]> =>
    installedLocations ? [...(await installedLocations())].sort() : [deps.locationId];
  const engine = await createSyncEngine({
    ghl: deps.ghl,
    roofr: deps.roofr,
    push: deps.push,
    mapping: deps.mapping,
    store: deps.store,
    locationId: deps.locationId,
    pageSize: config.SYNC_PAGE_SIZE,
    eventTasks: parseEventTasks(config.SYNC_EVENT_TASKS),
    pollMs: config.SYNC_WORKER_POLL_MS,
    leaseMs: config.QUEUE_LEASE_MS,
    jobConcurrency: config.SYNC_CONCURRENCY,
    // Two contacts per Roofr slot: one writing while the next reads its links and hashes.
    contactsInFlight: config.ROOFR_MAX_IN_FLIGHT * 2,
    locations,
    deletePolicy: config.ROOFR_DELETE_POLICY,
    ...(deps.nudgeOutbox ? { onQueued: deps.nudgeOutbox } : {}),
    roofrLocations,
    schedule: { expression: config.SYNC_SCHEDULE, timezone: config.SYNC_TIMEZONE },
    logger,
    ...(config.SYNC_QUEUE === 'bullmq' && config.REDIS_URL !== undefined
      ? {
          // Loaded only when chosen: BullMQ and its Redis client weigh tens of MB in every process otherwise.
          jobQueue: (await import('./bullmq-sync-queue.js')).createBullmqSyncJobQueue({
            redisUrl: config.REDIS_URL,
            queueName: config.SYNC_QUEUE_NAME,
            concurrency: config.SYNC_CONCURRENCY,
            leaseMs: config.QUEUE_LEASE_MS,
            timeoutMs: config.DEPENDENCY_TIMEOUT_MS,
            onError: (error) => logger.error({ err: error }, 'sync job queue error'),
          }),
        }
      : {}),
    ...(deps.invalidate ? { invalidate: deps.invalidate } : {}),
    ...(deps.installs ? { installs: deps.installs } : {}),
  });
  return { engine, roofrLocations };
}

export async function startGatewaySync(config: SyncConfig, deps: GatewaySyncDeps): Promise<GatewaySync> {
  const logger = deps.logger.child({ component: 'sync' });
  const { engine, roofrLocations } = await createConfiguredSyncEngine(config, deps);
  const keys = deps.demoWebhookKeys ?? {
    rsaPem: config.GHL_WEBHOOK_RSA_PUBLIC_KEY ?? GHL_WEBHOOK_RSA_PUBLIC_KEY_DEFAULT,
    ed25519Pem: config.GHL_WEBHOOK_ED25519_PUBLIC_KEY ?? null,
  };
  const router = createWebhookRouter({
    webhooks: deps.store.webhooks,
    ghlVerifier: createGhlSignatureVerifier(keys),
    roofrSecret: deps.roofrWebhookSecret,
    roofrLocations,
    queueMax: config.WEBHOOK_QUEUE_MAX,
    onAccepted: () => engine.nudge(),
    logger,
  });
  engine.start();
  return {
    engine,
    router,
    service: { engine, runs: deps.store.syncRuns, entries: deps.store.syncRunEntries },
    stop: () => engine.stop(),
  };
}
