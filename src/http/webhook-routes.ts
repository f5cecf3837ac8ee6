/**
 * POST /webhooks/ghl, /webhooks/roofr and /webhooks/roofr/:locationId: verify the signature over
 * the RAW body (express.raw on these routes only), parse the envelope, reject stale timestamps
 * (> 5 min) and repeated ids (the store's durable receipt), then enqueue durably and answer 200;
 * the sync engine's worker processes the queue. Invariants:
 * - 200 means stored: the receipt and the queued event are committed before the answer.
 * - WEBHOOK_QUEUE_MAX is exact: the store counts the waiting events inside the accepting
 *   transaction (webhooks-repo.ts); above it the answer is 429 with Retry-After (HighLevel
 *   retries a delivery only on 429) and nothing is recorded, so the retry is not a "duplicate".
 * - The store unreachable or too slow: 503 with Retry-After, nothing recorded.
 * - A Roofr event is queued for the location it belongs to (roofr-event-location.ts); one that
 *   can never be processed (no such location, none decidable) is refused here, 404/422 with the
 *   reason, rather than answered 200 and dead-lettered later where nobody sees it.
 * Answers: 401 bad/missing signature or stale timestamp, 400 malformed body (with the reason),
 * 409 repeated id, 503 not configured or store unavailable.
 */
import express, { Router, type Request, type Response } from 'express';
import { isDependencyUnavailable } from '../domain/dependency-unavailable.js';
import { parseRoofrWebhookEvent } from '../roofr/webhook-events.js';
import { ROOFR_SHARED_SECRET_HEADER, ROOFR_SIGNATURE_HEADER, verifyRoofrWebhook } from '../roofr/webhook-signature.js';
import type { AcceptWebhookInput, WebhooksRepo } from '../store/webhooks-repo.js';
import { GhlWebhookEnvelopeSchema } from '../sync/ghl-webhook-events.js';
import type { RoofrEventLocations } from '../sync/roofr-event-location.js';
import type { GhlSignatureVerifier } from './webhook-ghl-signature.js';

const WEBHOOK_REPLAY_WINDOW_MS = 5 * 60_000;

/** Seconds a sender is asked to wait when the queue is full. */
const OVERLOADED_RETRY_AFTER_S = 60;

/** What a location id in a webhook URL may look like (HighLevel ids are short alphanumerics). */
const LOCATION_ID = /^[A-Za-z0-9_-]{1,64}$/;

interface WebhookRoutesOptions {
  webhooks: Pick<WebhooksRepo, 'accept'>;
  ghlVerifier: GhlSignatureVerifier;
  /** ROOFR_WEBHOOK_SECRET; undefined: /webhooks/roofr answers 503. */
  roofrSecret: string | undefined;
  /** Decides the location each Roofr event is queued for. */
  roofrLocations: Pick<RoofrEventLocations, 'locate'>;
  queueMax: number;
  /** Called after an event was queued (wakes the worker). */
  onAccepted?: () => void;
  now?: () => number;
  logger?: { warn(fields: Record<string, unknown>, message: string): void };
}

export function reject(res: Response, status: number, reason: string, detail: string): void {
  res.status(status).json({ accepted: false, reason, detail });
}

/** The store could not take the event: ask the sender to come back, never claim it was stored. */
export function answerUnavailable(res: Response, error: unknown, logger: WebhookRoutesOptions['logger']): void {
  const retryAfterMs = isDependencyUnavailable(error) ? error.retryAfterMs : 5000;
  logger?.warn({ err: error }, 'webhook not stored: the state store is unavailable; the sender is asked to retry');
  res.set('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  reject(res, 503, 'unavailable', 'the event could not be stored; retry later');
}

/** Stores the event (exactly under the cap) and answers 200, 409 (a repeated id) or 429 (full). */
export async function acceptAndAnswer(
  res: Response,
  webhooks: Pick<WebhooksRepo, 'accept'>,
  input: AcceptWebhookInput,
  queueMax: number,
  onAccepted: (() => void) | undefined,
): Promise<void> {
  const accepted = await webhooks.accept(input, { queueMax });
  if (accepted.accepted) {
    onAccepted?.();
    res.status(200).json({ accepted: true });
  } else if (accepted.reason === 'overloaded') {
    res.set('retry-after', String(OVERLOADED_RETRY_AFTER_S));
    reject(res, 429, 'overloaded', `${accepted.depth} webhook events are waiting (the limit); retry later`);
  } else {
    reject(res, 409, 'duplicate', `event ${input.webhookId} was already received`);
  }
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createWebhookRouter(options: WebhookRoutesOptions): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: '1mb' });
  const now = options.now ?? Date.now;

  const unavailable = (res: Response, error: unknown): void => answerUnavailable(res, error, options.logger);
  const accept = (res: Response, input: AcceptWebhookInput): Promise<void> =>
    acceptAndAnswer(res, options.webhooks, input, options.queueMax, options.onAccepted);

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
    try {
      await accept(res, {
        source: 'ghl',
        webhookId: envelope.data.webhookId,
        locationId: envelope.data.locationId ?? null,
        eventType: envelope.data.type,
        payload: envelope.data,
      });
    } catch (error) {
      unavailable(res, error);
    }
  });

  async function roofr(req: Request, res: Response, urlLocationId: string | null): Promise<void> {
    if (options.roofrSecret === undefined)
      return reject(res, 503, 'not-configured', 'set ROOFR_WEBHOOK_SECRET to receive Roofr webhooks');
    if (urlLocationId !== null && !LOCATION_ID.test(urlLocationId))
      return reject(res, 404, 'unknown-location', 'the URL does not name a HighLevel location id');
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
    try {
      const location = await options.roofrLocations.locate(parsed.event, urlLocationId);
      if (!location.ok) return reject(res, location.status, location.reason, location.detail);
      await accept(res, {
        source: 'roofr',
        webhookId: verified.envelope.id,
        locationId: location.locationId,
        eventType: verified.envelope.event,
        payload: verified.envelope,
      });
    } catch (error) {
      unavailable(res, error);
    }
  }

  router.post('/webhooks/roofr', raw, (req, res) => roofr(req, res, null));
  router.post('/webhooks/roofr/:locationId', raw, (req, res) => roofr(req, res, req.params.locationId ?? null));

  return router;
}
