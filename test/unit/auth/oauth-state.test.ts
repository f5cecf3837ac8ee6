import { OAuthStateSigner } from '../../../src/auth/oauth-state.js';

describe('OAuth state', () => {
  it('when a state is issued, then it verifies once and is refused as replayed afterwards', async () => {
    const signer = new OAuthStateSigner('secret', 60_000);
    const state = signer.issue();
    expect(await signer.verifyAndConsume(state)).toEqual({ ok: true });
    expect(await signer.verifyAndConsume(state)).toEqual({ ok: false, reason: 'replayed' });
  });

  it('when the state is older than its TTL, then it is refused as expired', async () => {
    let now = 1_000_000;
    const signer = new OAuthStateSigner('secret', 60_000, undefined, () => now);
    const state = signer.issue();
    now += 60_001;
    expect(await signer.verifyAndConsume(state)).toEqual({ ok: false, reason: 'expired' });
  });

  it('when the payload or signature is altered, or another secret signed it, then it is refused', async () => {
    const signer = new OAuthStateSigner('secret', 60_000);
    const [body, signature] = signer.issue().split('.');
    const forgedBody = Buffer.from(JSON.stringify({ n: 'a'.repeat(24), exp: Date.now() + 1e9 })).toString('base64url');
    expect(await signer.verifyAndConsume(`${forgedBody}.${signature}`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await signer.verifyAndConsume(`${body}.x${signature?.slice(1)}`)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(await signer.verifyAndConsume(new OAuthStateSigner('other', 60_000).issue())).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(await signer.verifyAndConsume(undefined)).toEqual({ ok: false, reason: 'malformed' });
    expect(await signer.verifyAndConsume('a.b.c')).toEqual({ ok: false, reason: 'malformed' });
  });
});
