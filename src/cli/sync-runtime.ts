/**
 * What the sync CLIs (`npm run sync`, `npm run verify`) run on, built from the same modules as
 * the gateway (src/wiring/): the state database (taking back a dead local worker's leases), the
 * security module (the secrets vault's Roofr credentials, OAuth installs' refreshing tokens), the
 * HighLevel client on the rate budget every replica shares through Redis (REDIS_URL), the write
 * path with its outbox worker (Roofr writes and a verify's HighLevel repairs) and the sync engine,
 * whose workers and schedule a CLI does not start: it runs one batch or verify itself. Warnings go
 * to stderr, so stdout holds only the report. `close` stops everything in reverse.
 */
import type { Config } from '../config.js';
import type { Mapping } from '../domain/mapping/mapping-schema.js';
import type { GhlApi } from '../ghl/ghl-api.js';
import type { RateBudget } from '../ghl/rate-budget.js';
import { createLogger } from '../observability/logger.js';
import type { Store } from '../store/open-store.js';
import { createConfiguredSyncEngine } from '../sync/gateway-sync.js';
import type { OutboxWorker } from '../sync/outbox-worker.js';
import type { SyncEngine } from '../sync/sync-engine.js';
import { openHighLevel } from '../wiring/high-level.js';
import { composed } from '../wiring/lifecycle.js';
import { openSecurity } from '../wiring/security.js';
import { openStateStore } from '../wiring/state-store.js';
import { syncEngineDeps } from '../wiring/sync-engine-deps.js';
import { openWritePath } from '../wiring/write-path.js';

export interface SyncRuntime {
  locationId: string;
  store: Store;
  ghl: GhlApi;
  /** The location's budget (shared with the gateway's replicas through Redis when REDIS_URL is set). */
  rateBudget: RateBudget | null;
  mapping: Mapping;
  engine: SyncEngine;
  outbox: OutboxWorker;
  close(): Promise<void>;
}

/** Bad usage the CLI reports in one sentence (exit 1), e.g. no location to work on. */
export class SyncRuntimeUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncRuntimeUsageError';
  }
}

/**
 * `location`: the --location argument; default GHL_LOCATION_ID. `everyLocation`: the runtime only
 * queues runs of every installed location (no location of its own needed).
 */
export async function openSyncRuntime(
  config: Config,
  options: { location?: string; everyLocation?: boolean } = {},
): Promise<SyncRuntime> {
  const locationId = options.location ?? config.GHL_LOCATION_ID ?? (options.everyLocation === true ? '' : undefined);
  if (locationId === undefined)
    throw new SyncRuntimeUsageError(
      'Name the HighLevel location: set GHL_LOCATION_ID, or pass --location <id> (with OAuth installs: npm run auth -- status lists them)',
    );
  const logger = createLogger({ level: 'warn', destination: process.stderr });
  return composed(logger, async (lifecycle) => {
    const store = await openStateStore(config, lifecycle, { logger });
    const security = await openSecurity(config, store, logger, lifecycle);
    // Without a shared (Redis) budget this process is the only caller of its budget: there is no
    // interactive traffic to keep a share for.
    const highLevel = await openHighLevel(
      config.REDIS_URL === undefined ? { ...config, GHL_INTERACTIVE_SHARE: 0 } : config,
      lifecycle,
      { logger, role: 'cli', oauthTokens: security.tokenProvider },
    );
    const writePath = await openWritePath(config, lifecycle, {
      store,
      ghl: highLevel.ghl,
      scopesOf: highLevel.scopesOf,
      roofrCredentials: security.roofrCredentials,
      logger,
      role: 'cli',
    });
    const { engine } = await lifecycle.start(
      'sync engine',
      () =>
        createConfiguredSyncEngine(
          config,
          syncEngineDeps({
            ghl: highLevel.ghl,
            locationId,
            store,
            writePath,
            logger,
            installRegistry: security.vaults?.tokens,
          }),
        ),
      (started) => started.engine.stop(),
    );
    return {
      locationId,
      store,
      ghl: highLevel.ghl,
      rateBudget: highLevel.rateBudget,
      mapping: writePath.mapping,
      engine,
      outbox: writePath.outboxWorker,
      close: () => lifecycle.close(),
    };
  });
}
