import { describe, expect, it } from '@jest/globals';
import { signGatewayWebhook, verifyGatewaySignature } from '../../../src/notify/signature.js';
import { isAllowedZapierTarget, isAllowedOutboundUrl } from '../../../src/notify/notify-config.js';

const SECRET = 'a-receiver-shared-secret';
const BODY = '{"id":"ntf_1","type":"notification.firing"}';

describe('the gateway webhook signature', () => {
  it('when the body and the secret match and the timestamp is recent, then it verifies', () => {
    const header = signGatewayWebhook(SECRET, BODY, 1_800_000_000_000);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyGatewaySignature(SECRET, BODY, header, { nowMs: 1_800_000_060_000 })).toEqual({ ok: true });
  });

  it('when a byte of the body, the secret or the timestamp changed, then it does not verify', () => {
    const header = signGatewayWebhook(SECRET, BODY, 1_800_000_000_000);
    const now = { nowMs: 1_800_000_000_000 };
    expect(verifyGatewaySignature(SECRET, BODY.replace('1', '2'), header, now)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyGatewaySignature('another-secret', BODY, header, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyGatewaySignature(SECRET, BODY, header.replace('t=1800000000', 't=1800000001'), now)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyGatewaySignature(SECRET, BODY, 'v1=abc', now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyGatewaySignature(SECRET, BODY, undefined, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('when a signed delivery is replayed after the tolerance, then it is stale', () => {
    const header = signGatewayWebhook(SECRET, BODY, 1_800_000_000_000);
    expect(verifyGatewaySignature(SECRET, BODY, header, { nowMs: 1_800_000_301_000 })).toEqual({
      ok: false,
      reason: 'stale',
    });
  });
});

describe('outbound URLs', () => {
  it('when a URL is plain HTTP off this machine, then it is refused; HTTPS and loopback HTTP are allowed', () => {
    expect(isAllowedOutboundUrl('https://hooks.example.com/x')).toBe(true);
    expect(isAllowedOutboundUrl('http://127.0.0.1:9000/x')).toBe(true);
    expect(isAllowedOutboundUrl('http://hooks.example.com/x')).toBe(false);
    expect(isAllowedOutboundUrl('ftp://x')).toBe(false);
  });

  it('when a Zapier target is not on a listed host, then it is refused (no posting to arbitrary addresses)', () => {
    const hosts = ['hooks.zapier.com'];
    expect(isAllowedZapierTarget('https://hooks.zapier.com/hooks/standard/1/abc', hosts)).toBe(true);
    expect(isAllowedZapierTarget('https://eu.hooks.zapier.com/hooks/1', hosts)).toBe(true);
    expect(isAllowedZapierTarget('https://hooks.zapier.com.evil.example/x', hosts)).toBe(false);
    expect(isAllowedZapierTarget('http://hooks.zapier.com/x', hosts)).toBe(false);
    expect(isAllowedZapierTarget('http://169.254.169.254/latest', hosts)).toBe(false);
  });
});
