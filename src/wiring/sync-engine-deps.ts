/**
 * What the sync engine is given from the modules started before it. The gateway and the sync CLIs
 * build their engines from this one function, so a CLI batch writes through the same Roofr port,
 * push, mapping and outbox as the replicas do.
 */
import type { Logger } from 'pino';
import type { GhlApi } from '../ghl/ghl-api.js';
import type { InstallRegistry } from '../sync/roofr-event-location.js';
import type { Store } from '../store/open-store.js';
import type { createConfiguredSyncEngine } from '../sync/gateway-sync.js';
import type { StartedWritePath } from './write-path.js';

type SyncEngineDeps = Parameters<typeof createConfiguredSyncEngine>[1];

export function syncEngineDeps(parts: {
  ghl: GhlApi;
  locationId: string;
  store: Store;
  writePath: StartedWritePath;
  logger: Logger;
  installRegistry: InstallRegistry | undefined;
}): SyncEngineDeps {
  const { writePath } = parts;
  return {
    ghl: parts.ghl,
    locationId: parts.locationId,
    store: parts.store,
    roofr: writePath.roofr,
    push: writePath.push,
    mapping: writePath.mapping,
    nudgeOutbox: () => writePath.outboxWorker.nudge(),
    logger: parts.logger,
    ...(parts.installRegistry === undefined ? {} : { installRegistry: parts.installRegistry }),
  };
}
