/**
 * Sends Roofr webhooks from the simulator to a configured URL, signed as src/roofr/webhook-signature.ts
 * defines (HMAC-SHA256 of the raw body in `x-roofr-signature`, event id and timestamp in the body
 * and headers). Events fire on demand (`fire`) or, with `autoEmit`, whenever the simulated data
 * changes through the API, which is what a Zap forwarding Roofr's triggers would deliver.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import {
  ROOFR_EVENT_ID_HEADER,
  ROOFR_SIGNATURE_HEADER,
  ROOFR_TIMESTAMP_HEADER,
  signRoofrWebhook,
  type RoofrWebhookEnvelope,
  type RoofrWebhookEventType,
} from '../../roofr/webhook-signature.js';
import type { StoreEvent } from './store.js';

export interface WebhookDelivery {
  eventId: string;
  event: RoofrWebhookEventType;
  status: number | null;
  error: string | null;
}

export interface WebhookTarget {
  url: string;
  secret: string;
  /** Fire customer/job events on every API change. */
  autoEmit?: boolean;
}

export class RoofrWebhookSender {
  private target: WebhookTarget | null = null;
  readonly deliveries: WebhookDelivery[] = [];
  private readonly pending = new Set<Promise<WebhookDelivery>>();

  configure(target: WebhookTarget | null): void {
    this.target = target;
  }

  get configured(): WebhookTarget | null {
    return this.target;
  }

  /** Signs and posts one event; resolves with the receiver's status (never rejects). */
  fire(
    event: RoofrWebhookEventType,
    data: Record<string, unknown>,
    options: { id?: string; timestamp?: string; secret?: string } = {},
  ): Promise<WebhookDelivery> {
    const target = this.target;
    const eventId = options.id ?? `evt_${randomUUID()}`;
    if (!target) {
      const delivery = { eventId, event, status: null, error: 'no webhook URL configured (webhooks.configure)' };
      this.deliveries.push(delivery);
      return Promise.resolve(delivery);
    }
    const envelope: RoofrWebhookEnvelope = {
      id: eventId,
      event,
      timestamp: options.timestamp ?? new Date().toISOString(),
      data,
    };
    const raw = JSON.stringify(envelope);
    const promise = post(target.url, raw, {
      'content-type': 'application/json',
      [ROOFR_SIGNATURE_HEADER]: signRoofrWebhook(options.secret ?? target.secret, raw),
      [ROOFR_EVENT_ID_HEADER]: eventId,
      [ROOFR_TIMESTAMP_HEADER]: envelope.timestamp,
    }).then(
      (status) => ({ eventId, event, status, error: null }),
      (error: unknown) => ({
        eventId,
        event,
        status: null,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    const tracked = promise.then((delivery) => {
      this.deliveries.push(delivery);
      this.pending.delete(tracked);
      return delivery;
    });
    this.pending.add(tracked);
    return tracked;
  }

  private muted = 0;

  /** Runs `change` without auto-emission: a scripted event fires its own single webhook. */
  withoutAutoEmit<T>(change: () => T): T {
    this.muted += 1;
    try {
      return change();
    } finally {
      this.muted -= 1;
    }
  }

  /** Auto-emission from store changes (only when the target asks for it). */
  onStoreEvent(event: StoreEvent): void {
    if (!this.target?.autoEmit || this.muted > 0) return;
    switch (event.type) {
      case 'customer.created':
      case 'customer.updated':
        void this.fire(event.type, { customer: event.customer });
        break;
      case 'job.created':
        void this.fire('job.created', { job: event.job });
        break;
      case 'job.stage_changed':
        void this.fire('job.stage_changed', {
          job: event.job,
          previous_stage: event.previousStage,
          stage: event.job.workflow_stage,
        });
        break;
    }
  }

  /** Waits for deliveries in flight, e.g. before closing. */
  async settle(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}

function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: 10_000 },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('timeout', () => request.destroy(new Error('webhook receiver timed out')));
    request.on('error', reject);
    request.end(body);
  });
}
