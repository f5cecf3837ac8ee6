/**
 * The outbox handler: performs a queued Roofr write (src/sync/outbox-worker.ts calls it) and
 * resolves only once Roofr confirmed it, so the worker marks the entry done only then. The same
 * idempotency key goes to Roofr on every attempt: a crash between Roofr's confirmation and the
 * mark repeats the request, and Roofr answers it from its idempotency store instead of writing
 * twice. Roofr's validation refusals are permanent (straight to the dead letters); outages,
 * rate limits and a contact not yet in Roofr are retried with backoff. The one HighLevel write
 * a verify repair queues (ghl-repair-write.ts) is delivered here too, through `ghl`.
 */
import type { Kysely } from 'kysely';
import type { GhlApi } from '../ghl/ghl-api.js';
import { isRoofrError } from '../roofr/errors.js';
import type { OutboxEntry } from '../store/outbox-repo.js';
import type { Database } from '../store/schema.js';
import {
  deliverGhlRepair,
  GHL_CONTACT_REPAIR,
  GhlContactRepairSchema,
  isPermanentGhlFailure,
} from './ghl-repair-write.js';
import { PermanentDeliveryError } from './outbox-worker.js';
import { hasNewerWrite } from './outbox-ordering.js';
import { executeRoofrWrite, type Executed, type ExecutorDeps } from './roofr-write-executor.js';
import { entityKeyPrefix, entityOf, RoofrWriteSchema } from './roofr-writes.js';

interface OutboxDeliveryDeps extends ExecutorDeps {
  db: Kysely<Database>;
  /** Delivers verify's HighLevel repairs; a process without it leaves them to one that has it. */
  ghl?: Pick<GhlApi, 'updateContact'>;
  logger?: { info(fields: Record<string, unknown>, message: string): void };
  /** Sees every delivered write, e.g. to invalidate caches or count metrics. */
  onDelivered?: (entry: OutboxEntry, executed: Executed | 'superseded') => void;
}

export function createOutboxDelivery(deps: OutboxDeliveryDeps): (entry: OutboxEntry) => Promise<void> {
  return async (entry) => {
    if (entry.kind === GHL_CONTACT_REPAIR) return deliverGhl(entry);
    const parsed = RoofrWriteSchema.safeParse(entry.payload);
    if (!parsed.success) {
      throw new PermanentDeliveryError(
        `outbox entry ${entry.id} (${entry.kind}) has a payload this release cannot read: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    const write = parsed.data;
    const prefix = entityKeyPrefix(entry.locationId, entityOf(write));
    if (await hasNewerWrite(deps.db, prefix, entry.id)) {
      deps.logger?.info(
        { outboxId: entry.id, kind: entry.kind },
        'outbox entry superseded by a newer write of the same entity; not sent',
      );
      deps.onDelivered?.(entry, 'superseded');
      return;
    }
    try {
      const executed = await executeRoofrWrite(deps, entry.locationId, write, entry.idempotencyKey);
      deps.onDelivered?.(entry, executed);
    } catch (error) {
      if (isRoofrError(error) && (error.kind === 'Validation' || error.kind === 'NotFound')) {
        throw new PermanentDeliveryError(error.message, { cause: error });
      }
      throw error;
    }
  };

  async function deliverGhl(entry: OutboxEntry): Promise<void> {
    const parsed = GhlContactRepairSchema.safeParse(entry.payload);
    if (!parsed.success)
      throw new PermanentDeliveryError(
        `outbox entry ${entry.id} (${entry.kind}) has a payload this release cannot read`,
      );
    // Retried (not dead): another process with a HighLevel client delivers it.
    if (deps.ghl === undefined) throw new Error('this process has no HighLevel client to deliver a HighLevel repair');
    try {
      await deliverGhlRepair(deps.ghl, entry.locationId, parsed.data, {
        lane: 'background',
        requestId: `outbox-${entry.id}`,
      });
    } catch (error) {
      if (isPermanentGhlFailure(error)) throw new PermanentDeliveryError(error.message, { cause: error });
      throw error;
    }
  }
}
