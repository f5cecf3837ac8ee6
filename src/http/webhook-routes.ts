/**
 * POST /webhooks/ghl and POST /webhooks/roofr: verify the signature over the RAW body
 * (express.raw on these routes only), parse the envelope, reject stale timestamps (> 5 min) and
 * repeated ids (the store's durable receipt), then enqueue durably and answer 200 at once; the
 * sync engine's worker processes the queue. Above WEBHOOK_QUEUE_MAX queued events the answer is
 * 429 (HighLevel retries a delivery only on 429). Answers: 401 bad/missing signature or stale
 * timestamp, 400 malformed body (with the reason), 409 repeated id, 503 not configured.
 */
import express, { Router, type Request, type Response } from 'express';
import { parseRoofrWebhookEvent } from '../roofr/webhook-events.js';
import { ROOFR_SHARED_SECRET_HEADER, ROOFR_SIGNATURE_HEADER, verifyRoofrWebhook } from '../roofr/webhook-signature.js';
import type { WebhooksRepo } from '../store/webhooks-repo.js';
import { GhlWebhookEnvelopeSchema } from '../sync/ghl-webhook-events.js';
import type { GhlSignatureVerifier } from './webhook-ghl-signature.js';

export const WEBHOOK_REPLAY_WINDOW_MS = 5 * 60_000;

export interface WebhookRoutesOptions {
  webhooks: Pick<WebhooksRepo, 'accept' | 'eventDepth'>;
  ghlVerifier: GhlSignatureVerifier;
  /** ROOFR_WEBHOOK_SECRET; undefined: /webhooks/roofr answers 503. */
  roofrSecret: string | undefined;
  /** The location Roofr events are queued for. */
  roofrLocationId: string;
  queueMax: number;
  /** Called after an event was queued (wakes the worker). */
  onAccepted?: () => void;
  now?: () => number;
  logger?: { warn(fields: Record<string, unknown>, message: string): void };
}

function reject(res: Response, status: number, reason: string, detail: string): void {
  res.status(status).json({ accepted: false, reason, detail });
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createWebhookRouter(options: WebhookRoutesOptions): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: '1mb' });
  const now = options.now ?? Date.now;

  async function overloaded(res: Response): Promise<boolean> {
    if ((await options.webhooks.eventDepth()) < options.queueMax) return false;
    res.set('retry-after', '60');
    reject(res, 429, 'overloaded', `more than ${options.queueMax} webhook events are waiting; retry later`);
    return true;
  }

  router.post('/webhooks/ghl', raw, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = options.ghlVerifier.check(body, {
      ghlSignature: header(req, 'x-ghl-signature'),
      whSignature: header(req, 'x-wh-signature'),
    });
    if (!signature.ok) return reject(res, 401, signature.reason, signature.detail);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return reject(res, 400, 'malformed-body', 'the body is not JSON');
    }
    const envelope = GhlWebhookEnvelopeSchema.safeParse(json);
    if (!envelope.success) {
      const issue = envelope.error.issues[0];
      return reject(
        res,
        400,
        'malformed-body',
        `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unexpected shape'}`,
      );
    }
    const age = now() - Date.parse(envelope.data.timestamp);
    if (Math.abs(age) > WEBHOOK_REPLAY_WINDOW_MS)
      return reject(
        res,
        401,
        'stale-timestamp',
        `the event is ${Math.round(age / 1000)} s old; the window is ${WEBHOOK_REPLAY_WINDOW_MS / 1000} s`,
      );
    if (await overloaded(res)) return;
    const accepted = await options.webhooks.accept({
      source: 'ghl',
      webhookId: envelope.data.webhookId,
      locationId: envelope.data.locationId ?? null,
      eventType: envelope.data.type,
      payload: envelope.data,
    });
    if (!accepted.accepted)
      return reject(res, 409, 'duplicate', `webhookId ${envelope.data.webhookId} was already received`);
    options.onAccepted?.();
    res.status(200).json({ accepted: true });
  });

  router.post('/webhooks/roofr', raw, async (req, res) => {
    if (options.roofrSecret === undefined)
      return reject(res, 503, 'not-configured', 'set ROOFR_WEBHOOK_SECRET to receive Roofr webhooks');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verified = verifyRoofrWebhook({
      secret: options.roofrSecret,
      rawBody: body,
      signature: header(req, ROOFR_SIGNATURE_HEADER),
      sharedSecret: header(req, ROOFR_SHARED_SECRET_HEADER),
      toleranceMs: WEBHOOK_REPLAY_WINDOW_MS,
      now: now(),
    });
    if (!verified.ok)
      return reject(res, verified.reason === 'malformed-body' ? 400 : 401, verified.reason, verified.detail);
    const parsed = parseRoofrWebhookEvent(verified.envelope);
    if (!parsed.ok) return reject(res, 400, 'malformed-body', parsed.detail);
    if (await overloaded(res)) return;
    const accepted = await options.webhooks.accept({
      source: 'roofr',
      webhookId: verified.envelope.id,
      locationId: options.roofrLocationId,
      eventType: verified.envelope.event,
      payload: verified.envelope,
    });
    if (!accepted.accepted)
      return reject(res, 409, 'duplicate', `event id ${verified.envelope.id} was already received`);
    options.onAccepted?.();
    res.status(200).json({ accepted: true });
  });

  return router;
}
