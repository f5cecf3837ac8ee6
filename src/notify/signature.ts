/**
 * The signature of every webhook the gateway sends (notifications to NOTIFY_WEBHOOK_URL, Zapier
 * REST hook deliveries), so a receiver can tell a delivery came from this gateway and is fresh:
 *
 *   x-gateway-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * The timestamp is inside the signed text, so a captured delivery cannot be replayed later with
 * a new timestamp; receivers reject a `t` older than their tolerance (5 minutes recommended) and
 * dedupe on `x-gateway-delivery`, which stays the same across retries of one delivery.
 * docs/operations.md shows the check in a few lines; `verifyGatewaySignature` is that check.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-gateway-signature';
export const DELIVERY_HEADER = 'x-gateway-delivery';
export const EVENT_HEADER = 'x-gateway-event';

const DEFAULT_TOLERANCE_S = 300;

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

export function signGatewayWebhook(secret: string, body: string, nowMs: number = Date.now()): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

type SignatureCheck = { ok: true } | { ok: false; reason: 'malformed' | 'mismatch' | 'stale' };

export function verifyGatewaySignature(
  secret: string,
  body: string,
  header: string | undefined,
  options: { nowMs?: number; toleranceS?: number } = {},
): SignatureCheck {
  const parts = new Map(
    (header ?? '').split(',').map((part) => {
      const [key, ...value] = part.trim().split('=');
      return [key ?? '', value.join('=')] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(hmac(secret, t, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(v1, 'hex'))) return { ok: false, reason: 'mismatch' };
  const ageS = Math.abs((options.nowMs ?? Date.now()) / 1000 - t);
  if (ageS > (options.toleranceS ?? DEFAULT_TOLERANCE_S)) return { ok: false, reason: 'stale' };
  return { ok: true };
}
