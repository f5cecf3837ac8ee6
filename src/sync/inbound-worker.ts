/**
 * Works the durable inbound queue the webhook routes fill (store.webhooks): claims events under
 * a short lease its heartbeat renews, hands GHL events to handleGhlEvent and Roofr events to
 * handleRoofrEvent (for the location the event was accepted for), records a sync run per event
 * (trigger "ghl-webhook" / "roofr-webhook") and completes the event, or fails it with backoff so
 * the queue retries it (dead-lettered after the attempt limit). An event whose lease passed to
 * another worker (this one stalled) is left to that worker: not started here, and not marked.
 * A stopping worker finishes the event in progress and releases the rest of its batch.
 */
import { createLeaseHeartbeat } from '../store/lease-heartbeat.js';
import { DEFAULT_LEASE_MS } from '../store/leased-queue.js';
import type { InboundEvent, WebhooksRepo } from '../store/webhooks-repo.js';
import type { SyncRunsRepo } from '../store/sync-runs-repo.js';
import { parseRoofrWebhookEvent, type RoofrWebhookEvent } from '../roofr/webhook-events.js';
import { RoofrWebhookEnvelopeSchema } from '../roofr/webhook-signature.js';
import { handleGhlEvent, type GhlEventHandlerDeps } from './ghl-event-handler.js';
import { handleRoofrEvent, type RoofrEventHandlerDeps } from './roofr-event-handler.js';
import type { RoofrEventLocations } from './roofr-event-location.js';
import { describeError, logEntry, type RunTally } from './run-tally.js';

export interface InboundWorkerDeps {
  webhooks: Pick<WebhooksRepo, 'claimEvents' | 'renewEvents' | 'completeEvent' | 'failEvent' | 'releaseEvent'>;
  syncRuns: SyncRunsRepo;
  ghlHandler: GhlEventHandlerDeps;
  roofrHandler: RoofrEventHandlerDeps;
  /**
   * Where a Roofr event queued without a location (before locations were decided at intake)
   * belongs; the default location of roofrHandler when not given.
   */
  roofrLocations?: Pick<RoofrEventLocations, 'locate'>;
  owner: string;
  leaseMs?: number;
  batchSize?: number;
  now?: () => number;
  onError?: (error: unknown, event: InboundEvent) => void;
  onLeaseLost?: (eventId: number) => void;
  /** True once the worker is stopping: unstarted events of the batch are released. */
  stopping?: () => boolean;
}

class PermanentEventError extends Error {}

function backoffMs(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

/** The location a Roofr event is processed for: the one it was accepted for, else decided now. */
async function roofrLocationOf(
  deps: InboundWorkerDeps,
  event: InboundEvent,
  parsed: RoofrWebhookEvent,
): Promise<string> {
  if (event.locationId !== null && event.locationId !== '') return event.locationId;
  if (deps.roofrLocations === undefined) {
    if (deps.roofrHandler.locationId !== '') return deps.roofrHandler.locationId;
    throw new PermanentEventError('the Roofr event was queued without a location and none is configured');
  }
  const located = await deps.roofrLocations.locate(parsed, null);
  if (!located.ok) throw new PermanentEventError(`the Roofr event was queued without a location: ${located.detail}`);
  return located.locationId;
}

async function process(deps: InboundWorkerDeps, event: InboundEvent): Promise<RunTally> {
  if (event.source === 'ghl') {
    if (typeof event.payload !== 'object' || event.payload === null)
      throw new PermanentEventError('the stored GHL event is not an object');
    return handleGhlEvent(deps.ghlHandler, event.payload as Record<string, unknown>);
  }
  const envelope = RoofrWebhookEnvelopeSchema.safeParse(event.payload);
  if (!envelope.success) throw new PermanentEventError('the stored Roofr event no longer parses');
  const parsed = parseRoofrWebhookEvent(envelope.data);
  if (!parsed.ok) throw new PermanentEventError(parsed.detail);
  const locationId = await roofrLocationOf(deps, event, parsed.event);
  return handleRoofrEvent({ ...deps.roofrHandler, locationId }, parsed.event);
}

/** Claims and processes one batch; resolves with the number of events claimed. */
export async function drainInboundOnce(deps: InboundWorkerDeps): Promise<number> {
  const now = deps.now ?? Date.now;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const claimedAt = now();
  const events = await deps.webhooks.claimEvents(deps.owner, deps.batchSize ?? 10, leaseMs);
  if (events.length === 0) return 0;
  const heartbeat = createLeaseHeartbeat<number>({
    renew: (ids) => deps.webhooks.renewEvents(ids, deps.owner, leaseMs),
    leaseMs,
    now,
    ...(deps.onLeaseLost ? { onLost: deps.onLeaseLost } : {}),
  });
  heartbeat.hold(
    events.map((event) => event.id),
    claimedAt,
  );
  try {
    for (const [index, event] of events.entries()) {
      if (deps.stopping?.() === true) {
        for (const unstarted of events.slice(index))
          await deps.webhooks.releaseEvent(unstarted.id, deps.owner).catch(() => false);
        break;
      }
      // Between events: one whose lease passed to another worker is that worker's now.
      if (!heartbeat.holds(event.id)) continue;
      await processOne(deps, event);
      heartbeat.drop(event.id);
    }
  } finally {
    heartbeat.stop();
  }
  return events.length;
}

async function processOne(deps: InboundWorkerDeps, event: InboundEvent): Promise<void> {
  const locationId = event.locationId ?? deps.roofrHandler.locationId;
  const run = await deps.syncRuns.start({
    trigger: `${event.source}-webhook`,
    locationId,
    mode: `event:${event.eventType}`,
  });
  try {
    const tally = await process(deps, event);
    await deps.syncRuns.finish(run.id, {
      status: tally.counts.failed > 0 ? 'partial' : 'succeeded',
      counts: tally.counts,
      errors: tally.errors,
    });
    if (!(await deps.webhooks.completeEvent(event.id, deps.owner))) deps.onLeaseLost?.(event.id);
  } catch (error) {
    const permanent = error instanceof PermanentEventError;
    await deps.syncRuns.finish(run.id, {
      status: 'failed',
      counts: { read: 1, failed: 1 },
      errors: [logEntry(permanent ? 'EVENT_INVALID' : 'EVENT_RETRY', describeError(error))],
    });
    const status = await deps.webhooks.failEvent(
      event.id,
      describeError(error),
      new Date(Date.now() + backoffMs(event.attempts)),
      { owner: deps.owner, permanent },
    );
    if (status === null) deps.onLeaseLost?.(event.id);
    deps.onError?.(error, event);
  }
}
