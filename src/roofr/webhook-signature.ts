/**
 * Roofr webhook authentication as this project defines it (Roofr documents no signing; the Zapier
 * bridge forwards triggers with a shared secret): `x-roofr-signature: sha256=<hex>` where hex is
 * HMAC-SHA256(secret, raw body bytes). The body carries `id` (event id) and `timestamp`; a receiver
 * rejects old timestamps and repeated ids (see docs/roofr-api.md). Verify the raw bytes, never a
 * re-serialised body: key order or spacing changes would break the signature.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const ROOFR_SIGNATURE_HEADER = 'x-roofr-signature';
export const ROOFR_EVENT_ID_HEADER = 'x-roofr-event-id';
export const ROOFR_TIMESTAMP_HEADER = 'x-roofr-timestamp';
/**
 * A Zap's "Webhooks by Zapier" step cannot compute an HMAC without a Code step, so a forwarded
 * trigger may instead carry the shared secret itself in this header (only over HTTPS).
 */
export const ROOFR_SHARED_SECRET_HEADER = 'x-roofr-webhook-secret';

export const ROOFR_WEBHOOK_EVENTS = [
  'customer.created',
  'customer.updated',
  'job.created',
  'job.stage_changed',
  'proposal.signed',
  'lead.created',
] as const;
export type RoofrWebhookEventType = (typeof ROOFR_WEBHOOK_EVENTS)[number];

/** The envelope of every Roofr webhook; `data` depends on `event`. */
export const RoofrWebhookEnvelopeSchema = z.object({
  id: z.string().min(1),
  event: z.enum(ROOFR_WEBHOOK_EVENTS),
  /** ISO-8601 time the event happened. */
  timestamp: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO-8601 timestamp'),
  data: z.record(z.string(), z.unknown()),
});
export type RoofrWebhookEnvelope = z.infer<typeof RoofrWebhookEnvelopeSchema>;

export function signRoofrWebhook(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export type RoofrWebhookVerification =
  | { ok: true; envelope: RoofrWebhookEnvelope }
  | { ok: false; reason: 'missing-signature' | 'bad-signature' | 'malformed-body' | 'stale-timestamp'; detail: string };

interface VerifyRoofrWebhookInput {
  secret: string;
  rawBody: Buffer | string;
  signature: string | undefined;
  /** The ROOFR_SHARED_SECRET_HEADER value, checked only when there is no signature. */
  sharedSecret?: string | undefined;
  /** Default 5 minutes, like HighLevel's replay window. */
  toleranceMs?: number;
  now?: number;
}

/** Checks signature, then body shape, then age. Repeated event ids are the caller's store's job. */
export function verifyRoofrWebhook(input: VerifyRoofrWebhookInput): RoofrWebhookVerification {
  const signature = input.signature?.trim() ?? '';
  const sharedSecret = input.sharedSecret?.trim() ?? '';
  if (signature !== '') {
    if (!constantTimeEqual(signRoofrWebhook(input.secret, input.rawBody), signature)) {
      return {
        ok: false,
        reason: 'bad-signature',
        detail: 'the signature does not match the body and the shared secret',
      };
    }
  } else if (sharedSecret !== '') {
    if (!constantTimeEqual(input.secret, sharedSecret))
      return { ok: false, reason: 'bad-signature', detail: `the ${ROOFR_SHARED_SECRET_HEADER} header does not match` };
  } else {
    return {
      ok: false,
      reason: 'missing-signature',
      detail: `neither ${ROOFR_SIGNATURE_HEADER} nor ${ROOFR_SHARED_SECRET_HEADER} is present`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof input.rawBody === 'string' ? input.rawBody : input.rawBody.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed-body', detail: 'the body is not JSON' };
  }
  const parsed = RoofrWebhookEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: 'malformed-body',
      detail: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unexpected shape'}`,
    };
  }
  const age = (input.now ?? Date.now()) - Date.parse(parsed.data.timestamp);
  const tolerance = input.toleranceMs ?? 5 * 60_000;
  if (Math.abs(age) > tolerance) {
    return {
      ok: false,
      reason: 'stale-timestamp',
      detail: `the event is ${Math.round(age / 1000)} s old; the window is ${tolerance / 1000} s`,
    };
  }
  return { ok: true, envelope: parsed.data };
}

function constantTimeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
