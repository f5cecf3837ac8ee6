/**
 * Works the durable inbound queue the webhook routes fill (store.webhooks): claims events under
 * a lease, hands GHL events to handleGhlEvent and Roofr events to handleRoofrEvent, records a
 * sync run per event (trigger "ghl-webhook" / "roofr-webhook") and completes the event, or
 * fails it with backoff so the queue retries it (dead-lettered after the attempt limit).
 */
import type { InboundEvent, WebhooksRepo } from '../store/webhooks-repo.js';
import type { SyncRunsRepo } from '../store/sync-runs-repo.js';
import { parseRoofrWebhookEvent } from '../roofr/webhook-events.js';
import { RoofrWebhookEnvelopeSchema } from '../roofr/webhook-signature.js';
import { handleGhlEvent, type GhlEventHandlerDeps } from './ghl-event-handler.js';
import { handleRoofrEvent, type RoofrEventHandlerDeps } from './roofr-event-handler.js';
import { describeError, logEntry, type RunTally } from './run-tally.js';

export interface InboundWorkerDeps {
  webhooks: Pick<WebhooksRepo, 'claimEvents' | 'completeEvent' | 'failEvent'>;
  syncRuns: SyncRunsRepo;
  ghlHandler: GhlEventHandlerDeps;
  roofrHandler: RoofrEventHandlerDeps;
  owner: string;
  leaseMs?: number;
  batchSize?: number;
  onError?: (error: unknown, event: InboundEvent) => void;
}

class PermanentEventError extends Error {}

function backoffMs(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));
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
  return handleRoofrEvent(deps.roofrHandler, parsed.event);
}

/** Claims and processes one batch; resolves with the number of events claimed. */
export async function drainInboundOnce(deps: InboundWorkerDeps): Promise<number> {
  const events = await deps.webhooks.claimEvents(deps.owner, deps.batchSize ?? 10, deps.leaseMs ?? 120_000);
  for (const event of events) {
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
      await deps.webhooks.completeEvent(event.id);
    } catch (error) {
      const permanent = error instanceof PermanentEventError;
      await deps.syncRuns.finish(run.id, {
        status: 'failed',
        counts: { read: 1, failed: 1 },
        errors: [logEntry(permanent ? 'EVENT_INVALID' : 'EVENT_RETRY', describeError(error))],
      });
      await deps.webhooks.failEvent(event.id, describeError(error), new Date(Date.now() + backoffMs(event.attempts)), {
        owner: deps.owner,
        permanent,
      });
      deps.onError?.(error, event);
    }
  }
  return events.length;
}
