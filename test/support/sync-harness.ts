/**
 * Everything a sync test needs, over real HTTP: the HighLevel and Roofr simulators, a store
 * (SQLite in memory unless a file is given), the GHL client, the Roofr port, the write path's
 * RoofrPush, the sync engine and an express app serving the webhook routes on 127.0.0.1:0 that
 * both simulators deliver their signed webhooks to.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { parseConfig } from '../../src/config.js';
import type { Mapping } from '../../src/domain/mapping/mapping-schema.js';
import { GhlClient } from '../../src/ghl/client.js';
import { StaticTokenProvider } from '../../src/ghl/token-provider.js';
import { createGhlSignatureVerifier } from '../../src/http/webhook-ghl-signature.js';
import { createWebhookRouter } from '../../src/http/webhook-routes.js';
import { createRoofrPort } from '../../src/roofr/create-roofr-port.js';
import { loadMappingFile } from '../../src/roofr/mapping-file.js';
import type { RoofrPort } from '../../src/roofr/roofr-port.js';
import { DEMO_TOKEN, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import type { EventTasks } from '../../src/sync/event-tasks.js';
import { createRoofrEventLocations } from '../../src/sync/roofr-event-location.js';
import { createRoofrPush, type RoofrPush } from '../../src/sync/roofr-push.js';
import type { DeletePolicy } from '../../src/sync/roofr-writes.js';
import { createSyncEngine, type SyncEngine } from '../../src/sync/sync-engine.js';
import type { SyncJobQueue } from '../../src/sync/sync-job-queue.js';

export const ROOFR_SECRET = 'test-roofr-webhook-secret';

interface SyncHarnessOptions {
  contacts?: number;
  eventTasks?: EventTasks;
  deletePolicy?: DeletePolicy;
  queueMax?: number;
  databaseUrl?: string;
  /** Roofr simulator emits customer/job webhooks on every API change (echo tests). */
  roofrAutoEmit?: boolean;
  pageSize?: number;
  jobQueue?: SyncJobQueue;
  /** A mapping instead of mapping/default.yaml (e.g. with a field Roofr owns). */
  mapping?: Mapping;
  /** Entries a dry run's plan or a verify's findings keep. */
  maxRunEntries?: number;
}

export interface SyncHarness {
  ghlSim: GhlSimulator;
  roofrSim: RoofrSimulator;
  store: Store;
  ghl: GhlClient;
  roofr: RoofrPort;
  push: RoofrPush;
  mapping: Mapping;
  engine: SyncEngine;
  locationId: string;
  /** Base URL of the webhook receiver. */
  url: string;
  /** Turns webhook delivery of both simulators on or off. */
  deliverWebhooks(on: boolean): void;
  /** Waits until no webhook is in flight and the inbound queue is empty. */
  settle(): Promise<number>;
  /** GHL and Roofr write requests so far. */
  writes(): { ghl: number; roofr: number };
  close(): Promise<void>;
}

export async function startSyncHarness(options: SyncHarnessOptions = {}): Promise<SyncHarness> {
  const ghlSim = await startGhlSimulator({
    contacts: options.contacts ?? 20,
    rateLimit: { max: 100_000, dailyMax: 10_000_000 },
  });
  const roofrSim = await startRoofrSimulator({ rateLimit: { limit: 1_000_000 } });
  const store = await openStore(options.databaseUrl ?? 'sqlite::memory:', { outboxMaxAttempts: 3 });
  const mapping = options.mapping ?? (await loadMappingFile('mapping/default.yaml'));
  const roofr = createRoofrPort(
    parseConfig({ ROOFR_ADAPTER: 'simulator', ROOFR_MAX_RETRIES: '1', ROOFR_REQUEST_TIMEOUT_MS: '3000' }),
    { simulator: roofrSim },
  );
  const locationId = ghlSim.locationId;
  const ghl = new GhlClient({
    baseUrl: ghlSim.url,
    tokenProvider: new StaticTokenProvider(DEMO_TOKEN, locationId, null),
    timeoutMs: 3000,
    maxRetries: 1,
    concurrencyPerLocation: 4,
    dailyReserve: 0,
    interactiveShare: 0,
  });
  const push = createRoofrPush({ ghl, store, roofr, mapping, deletePolicy: options.deletePolicy ?? 'archive' });
  const engine = await createSyncEngine({
    ghl,
    roofr,
    push,
    mapping,
    store,
    locationId,
    pageSize: options.pageSize ?? 10,
    eventTasks: options.eventTasks ?? {},
    pollMs: 50,
    confirmTimeoutMs: 5_000,
    deletePolicy: options.deletePolicy ?? 'archive',
    ...(options.maxRunEntries !== undefined ? { maxRunEntries: options.maxRunEntries } : {}),
    ...(options.jobQueue ? { jobQueue: options.jobQueue } : {}),
  });
  const app = express();
  app.use(
    createWebhookRouter({
      webhooks: store.webhooks,
      ghlVerifier: createGhlSignatureVerifier(ghlSim.webhooks.publicKeys),
      roofrSecret: ROOFR_SECRET,
      roofrLocations: createRoofrEventLocations({ defaultLocationId: locationId, links: store.links }),
      queueMax: options.queueMax ?? 10_000,
    }),
  );
  const server: Server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function deliverWebhooks(on: boolean): void {
    ghlSim.webhooks.setTarget(on ? `${url}/webhooks/ghl` : null);
    roofrSim.webhooks.configure(
      on ? { url: `${url}/webhooks/roofr`, secret: ROOFR_SECRET, autoEmit: options.roofrAutoEmit ?? false } : null,
    );
  }

  async function settle(): Promise<number> {
    let total = 0;
    let quiet = 0;
    while (quiet < 2) {
      await ghlSim.webhooks.idle();
      await roofrSim.webhooks.settle();
      const handled = await engine.drainInbound();
      total += handled;
      quiet = handled === 0 ? quiet + 1 : 0;
    }
    return total;
  }

  const isWrite = (method: string): boolean => method !== 'GET' && method !== 'HEAD';
  return {
    ghlSim,
    roofrSim,
    store,
    ghl,
    roofr,
    push,
    mapping,
    engine,
    locationId,
    url,
    deliverWebhooks,
    settle,
    writes: () => ({
      ghl: ghlSim.log.entries.filter(
        (entry) => entry.kind === 'request' && isWrite(entry.method) && !entry.operation.includes('search'),
      ).length,
      roofr: roofrSim.log.entries.filter((entry) => isWrite(entry.method)).length,
    }),
    async close() {
      await engine.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await roofrSim.close();
      await ghlSim.close();
    },
  };
}
