import { signRoofrWebhook, verifyRoofrWebhook } from '../../../src/roofr/webhook-signature.js';

const now = Date.parse('2026-03-01T12:00:00.000Z');
const raw = JSON.stringify({
  id: 'evt_1',
  event: 'job.stage_changed',
  timestamp: '2026-03-01T11:59:00.000Z',
  data: { job: { id: '1' } },
});

describe('Roofr webhook signature', () => {
  it('when the body is signed with the secret, then it verifies and yields the envelope', () => {
    const result = verifyRoofrWebhook({ secret: 's', rawBody: raw, signature: signRoofrWebhook('s', raw), now });
    expect(result).toMatchObject({ ok: true, envelope: { id: 'evt_1', event: 'job.stage_changed' } });
  });

  it('when the signature is the known HMAC-SHA256 hex, then the format is sha256=<hex>', () => {
    expect(signRoofrWebhook('key', 'The quick brown fox jumps over the lazy dog')).toBe(
      'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it('when one byte of the body changes, then verification fails as bad-signature', () => {
    const signature = signRoofrWebhook('s', raw);
    expect(verifyRoofrWebhook({ secret: 's', rawBody: raw.replace('"1"', '"2"'), signature, now })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('when the header is missing, then verification fails as missing-signature', () => {
    expect(verifyRoofrWebhook({ secret: 's', rawBody: raw, signature: undefined, now })).toMatchObject({
      ok: false,
      reason: 'missing-signature',
    });
  });

  it('when the event is older than the window, then verification fails as stale-timestamp', () => {
    expect(
      verifyRoofrWebhook({ secret: 's', rawBody: raw, signature: signRoofrWebhook('s', raw), now: now + 10 * 60_000 }),
    ).toMatchObject({ ok: false, reason: 'stale-timestamp' });
  });

  it('when a signed body has an unknown event, then verification fails as malformed-body', () => {
    const other = JSON.stringify({
      id: 'evt_2',
      event: 'job.deleted',
      timestamp: '2026-03-01T12:00:00.000Z',
      data: {},
    });
    expect(
      verifyRoofrWebhook({ secret: 's', rawBody: other, signature: signRoofrWebhook('s', other), now }),
    ).toMatchObject({ ok: false, reason: 'malformed-body' });
  });

  it('when a Zapier-forwarded event carries the shared secret instead of a signature, then it verifies only with the right secret', () => {
    expect(
      verifyRoofrWebhook({ secret: 's3cret', rawBody: raw, signature: undefined, sharedSecret: 's3cret', now }),
    ).toMatchObject({ ok: true });
    expect(
      verifyRoofrWebhook({ secret: 's3cret', rawBody: raw, signature: undefined, sharedSecret: 'guess', now }),
    ).toMatchObject({ ok: false, reason: 'bad-signature' });
  });
});
