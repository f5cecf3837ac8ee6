/**
 * Webhook delivery: every write publishes GHL's event, stamped with `timestamp` and
 * `webhookId`, signed and POSTed to the configured target after the write has answered.
 * Failures are recorded in the request log, never thrown into the write path.
 */
import { randomUUID } from 'node:crypto';
import type { RequestLog } from './request-log.js';
import { signWebhookBody, webhookPublicKeys } from './webhook-signer.js';
import type { WebhookPublicKeys } from './webhook-signer.js';
import type { SimClock } from './clock.js';
import type { Json } from './views.js';

export interface WebhookDelivery {
  webhookId: string;
  type: string;
  /** null when not sent (no target) or the connection failed. */
  status: number | null;
  error?: string;
}

const DELIVERY_TIMEOUT_MS = 10_000;
const DEFAULT_WEBHOOK_HISTORY = 500;

export class WebhookDispatcher {
  private target: string | null;
  private readonly pending = new Set<Promise<WebhookDelivery>>();
  private readonly delivered: WebhookDelivery[] = [];
  private dropped = 0;

  constructor(
    target: string | undefined,
    private readonly log: RequestLog,
    private readonly clock: SimClock,
    /** Delivery outcomes kept (oldest forgotten first). */
    private readonly history = DEFAULT_WEBHOOK_HISTORY,
  ) {
    this.target = target ?? null;
  }

  get publicKeys(): WebhookPublicKeys {
    return webhookPublicKeys();
  }

  setTarget(url: string | null): void {
    this.target = url;
  }

  getTarget(): string | null {
    return this.target;
  }

  /** Recent delivery outcomes, oldest first (bounded). */
  get deliveries(): readonly WebhookDelivery[] {
    return this.delivered;
  }

  /** Outcomes no longer held because the history is bounded. */
  get forgotten(): number {
    return this.dropped;
  }

  /** Queues an event; resolves once delivered (or failed). Callers on the write path ignore the promise. */
  publish(event: Json): Promise<WebhookDelivery> {
    const payload: Json = {
      ...event,
      timestamp: event.timestamp ?? new Date(this.clock.now()).toISOString(),
      webhookId: event.webhookId ?? randomUUID(),
    };
    const promise = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.deliver(payload));
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
    return promise;
  }

  /** Resolves when every queued delivery has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async deliver(payload: Json): Promise<WebhookDelivery> {
    const delivery: WebhookDelivery = {
      webhookId: String(payload.webhookId),
      type: String(payload.type),
      status: null,
    };
    const target = this.target;
    if (target === null) return delivery;
    const body = Buffer.from(JSON.stringify(payload));
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signWebhookBody(body) },
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      delivery.status = response.status;
      if (!response.ok) delivery.error = `receiver answered ${response.status}`;
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    this.delivered.push(delivery);
    if (this.delivered.length > this.history) {
      this.delivered.shift();
      this.dropped += 1;
    }
    this.log.finish({
      at: new Date(this.clock.now()).toISOString(),
      kind: 'webhook',
      method: 'POST',
      path: target,
      operation: `WEBHOOK ${delivery.type}`,
      status: delivery.status,
      body: payload,
      error: delivery.error,
    });
    return delivery;
  }
}
