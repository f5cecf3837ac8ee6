/**
 * What the sync CLIs (`npm run sync`, `npm run verify`) run on, built from the config as
 * src/cli/sync.ts always did: the store, the HighLevel client (its whole budget when no Redis
 * shares it), the Roofr port, the mapping, an outbox worker delivering queued writes (Roofr
 * writes and a verify's HighLevel repairs) and the sync engine. `close` stops them in reverse.
 */
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import type { Mapping } from '../domain/mapping/mapping-schema.js';
import type { GhlClient } from '../ghl/client.js';
import { createGhlClient } from '../ghl/from-config.js';
import { createRoofrPort } from '../roofr/create-roofr-port.js';
import { loadConfiguredMapping } from '../roofr/mapping-file.js';
import { openStore, type Store } from '../store/open-store.js';
import { parseEventTasks } from '../sync/event-tasks.js';
import { createOutboxDelivery } from '../sync/outbox-delivery.js';
import { createOutboxWorker, type OutboxWorker } from '../sync/outbox-worker.js';
import { createRoofrPush } from '../sync/roofr-push.js';
import { createSyncEngine, type SyncEngine } from '../sync/sync-engine.js';

export interface SyncRuntime {
  locationId: string;
  store: Store;
  ghl: GhlClient;
  mapping: Mapping;
  engine: SyncEngine;
  outbox: OutboxWorker;
  close(): Promise<void>;
}

function roofrSimulatorOf(config: Config): {
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

/** Null when the config names no location (the CLIs then say what to set). */
export async function openSyncRuntime(config: Config, name: string): Promise<SyncRuntime | null> {
  const locationId = config.GHL_LOCATION_ID;
  if (locationId === undefined) return null;
  const store = await openStore(config.DATABASE_URL, {
    outboxMaxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    postgres: { timeoutMs: config.DEPENDENCY_TIMEOUT_MS },
  });
  const owner = `${name}-cli:${hostname()}:${process.pid}`;
  // Without a shared (Redis) budget this process is the only HighLevel caller of its budget:
  // no interactive traffic to keep a share for.
  const ghl = createGhlClient(config.REDIS_URL === undefined ? { ...config, GHL_INTERACTIVE_SHARE: 0 } : config);
  const roofr = createRoofrPort(
    config,
    config.ROOFR_ADAPTER === 'simulator' ? { simulator: roofrSimulatorOf(config) } : {},
  );
  const mapping = await loadConfiguredMapping(config);
  const outbox = createOutboxWorker({
    store,
    handler: createOutboxDelivery({ store, roofr, db: store.db, ghl }),
    owner,
    pollMs: config.OUTBOX_POLL_MS,
    leaseMs: config.QUEUE_LEASE_MS,
  });
  const push = createRoofrPush({
    ghl,
    store,
    roofr,
    mapping,
    deletePolicy: config.ROOFR_DELETE_POLICY,
    onQueued: () => outbox.nudge(),
    inlineTimeoutMs: config.ROOFR_REQUEST_TIMEOUT_MS,
  });
  const engine = await createSyncEngine({
    ghl,
    roofr,
    push,
    mapping,
    store,
    locationId,
    pageSize: config.SYNC_PAGE_SIZE,
    eventTasks: parseEventTasks(config.SYNC_EVENT_TASKS),
    owner,
    deletePolicy: config.ROOFR_DELETE_POLICY,
    onQueued: () => outbox.nudge(),
  });
  outbox.start();
  return {
    locationId,
    store,
    ghl,
    mapping,
    engine,
    outbox,
    async close() {
      await outbox.stop();
      await engine.stop();
      await store.close();
    },
  };
}
