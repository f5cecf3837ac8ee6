/**
 * The gateway's one internal stream of operational facts, as plain data, and the sink every
 * layer emits them into. Lower layers (the store, the HighLevel client, the Roofr write executor)
 * emit where a fact happens; the composition root wires the sink to what listens (notifications,
 * Zapier REST hooks). Nothing here imports anything, so every layer may import it.
 *
 * Invariants of a sink: `emit` is synchronous, never throws and never waits on I/O, so emitting
 * cannot slow or fail the work that emits; listeners do their own I/O afterwards. An event is
 * emitted after the fact is durable (a run finished, a row went dead), never before.
 */

export type SyncRunOutcome = 'succeeded' | 'partial' | 'failed';

export interface FinishedSyncRun {
  id: string;
  trigger: string;
  locationId: string;
  businessId: string | null;
  mode: string;
  status: SyncRunOutcome;
  counts: { read: number; created: number; updated: number; unchanged: number; failed: number };
  startedAt: string;
  finishedAt: string | null;
  /** The first few errors of the run (code and message), for the one-sentence summary. */
  errors: ReadonlyArray<{ code?: string | undefined; message: string }>;
}

/** Which durable queue a dead letter sits in: Roofr writes, or accepted webhook events. */
export type DeadLetterQueue = 'outbox' | 'webhook';

export type GatewayEvent =
  /** A sync run ended (any trigger: batch, webhook event, manual contact sync). */
  | { type: 'sync_run.finished'; at: string; run: FinishedSyncRun }
  /** A queued piece of work was given up on and waits for a person. */
  | {
      type: 'dead_letter';
      at: string;
      queue: DeadLetterQueue;
      /** null only for webhook events an older release queued without a location. */
      locationId: string | null;
      id: number;
      /** What it does (outbox: e.g. contact.upsert; webhook: source and event type). */
      kind: string;
      error: string | null;
      attempts: number;
    }
  /** An operator put a dead letter back in its queue (retryDeadLetter). */
  | { type: 'dead_letter.retried'; at: string; queue: DeadLetterQueue; locationId: string | null; id: number }
  /** HighLevel refuses the location's credentials for good: an admin must act. */
  | {
      type: 'ghl.auth_refused';
      at: string;
      locationId: string;
      /** The install link (OAuth); null for a Private Integration Token, which is replaced in config. */
      installUrl: string | null;
      /** not_installed, grant_rejected, marked_needs_reinstall, or token_rejected (a PIT). */
      reason: string;
    }
  /** A HighLevel call for the location was sent and answered: credentials and budget work. */
  | { type: 'ghl.answered'; at: string; locationId: string }
  /** The client refused a call rather than spend the configured daily reserve. */
  | {
      type: 'ghl.budget_reserve_reached';
      at: string;
      locationId: string;
      dailyRemaining: number;
      reserve: number;
      retryAfterMs: number;
    }
  /** Roofr refused a write of this location: its credentials (unauthorized) or the record (validation). */
  | {
      type: 'roofr.refused';
      at: string;
      locationId: string;
      reason: 'unauthorized' | 'validation';
      message: string;
      entity: { kind: string; id: string };
    }
  /** Roofr accepted a write of this location. */
  | { type: 'roofr.accepted'; at: string; locationId: string }
  /** A HighLevel contact's change reached Roofr (created or updated there). */
  | {
      type: 'contact.synced';
      at: string;
      locationId: string;
      contactId: string;
      roofrCustomerId: string | null;
      roofrJobId: string | null;
    };

export interface GatewayEventSink {
  emit(event: GatewayEvent): void;
}
