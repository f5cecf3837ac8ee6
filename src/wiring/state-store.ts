/**
 * The state database of a process (DATABASE_URL: SQLite or PostgreSQL), opened with its queue
 * settings; a given store is used as is and left to its owner to close. Work leased by a worker
 * of this host that no longer runs (a killed predecessor) is taken back at once, not a lease later.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { GatewayEventSink } from '../domain/gateway-events.js';
import { releaseLeasesOfDeadLocalWorkers } from '../store/lease-owners.js';
import { openStore, type Store } from '../store/open-store.js';
import type { Lifecycle } from './lifecycle.js';

type StoreConfig = Pick<
  Config,
  'DATABASE_URL' | 'DATABASE_POOL_SIZE' | 'OUTBOX_MAX_ATTEMPTS' | 'NOTIFY_MAX_ATTEMPTS' | 'DEPENDENCY_TIMEOUT_MS'
>;

export async function openStateStore(
  config: StoreConfig,
  lifecycle: Lifecycle,
  deps: { logger: Logger; events?: GatewayEventSink; given?: Store },
): Promise<Store> {
  const store =
    deps.given ??
    (await lifecycle.start(
      'state database',
      () =>
        openStore(config.DATABASE_URL, {
          outboxMaxAttempts: config.OUTBOX_MAX_ATTEMPTS,
          hookDeliveryMaxAttempts: config.NOTIFY_MAX_ATTEMPTS,
          ...(deps.events === undefined ? {} : { events: deps.events }),
          postgres: { timeoutMs: config.DEPENDENCY_TIMEOUT_MS, max: config.DATABASE_POOL_SIZE },
        }),
      (opened) => opened.close(),
    ));
  // Best effort: a store that cannot answer this now fails the next step with a clearer error.
  const released = await releaseLeasesOfDeadLocalWorkers(store).catch(() => 0);
  if (released > 0) deps.logger.info({ released }, 'took back the leased work of a dead worker of this host');
  return store;
}
