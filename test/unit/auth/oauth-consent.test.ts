import { classifyFailure } from '../../../src/ghl/oauth-client.js';
import { buildConsentUrl, requestedScopes } from '../../../src/ghl/oauth-consent.js';
import { installUrlFor } from '../../../src/ghl/oauth-setup.js';

describe('OAuth consent and failures', () => {
  it('when GHL_SCOPES adds scopes, then contacts.readonly is always first and unknown scopes are refused', () => {
    expect(requestedScopes(undefined)).toEqual(['contacts.readonly']);
    expect(requestedScopes(['contacts.write', 'locations/tasks.readonly', 'contacts.readonly'])).toEqual([
      'contacts.readonly',
      'contacts.write',
      'locations/tasks.readonly',
    ]);
    expect(() => requestedScopes(['contacts.delete'])).toThrow(/GHL_SCOPES: unknown scope contacts.delete/);
  });

  it('when the consent URL is built, then it carries response_type, redirect_uri, client_id, space-separated scopes and state', () => {
    const url = new URL(
      buildConsentUrl(
        {
          consentUrl: 'https://marketplace.gohighlevel.com/v2/oauth/chooselocation',
          clientId: 'cid',
          redirectUri: 'https://gw.example/oauth/callback',
          scopes: ['contacts.readonly', 'contacts.write'],
        },
        'st.sig',
      ),
    );
    expect(url.origin + url.pathname).toBe('https://marketplace.gohighlevel.com/v2/oauth/chooselocation');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      redirect_uri: 'https://gw.example/oauth/callback',
      client_id: 'cid',
      scope: 'contacts.readonly contacts.write',
      state: 'st.sig',
    });
    expect(installUrlFor('https://gw.example/base/oauth/callback')).toBe('https://gw.example/base/oauth/install');
  });

  it('when /oauth/token fails, then rejected grants, bad client credentials and outages are told apart without copying the body', () => {
    expect(
      classifyFailure('POST /oauth/token', 400, {
        error: 'invalid_grant',
        error_description: 'rt-secret-value is invalid',
      }),
    ).toMatchObject({ kind: 'invalid_grant' });
    expect(classifyFailure('POST /oauth/token', 401, { error: 'invalid_client' })).toMatchObject({
      kind: 'invalid_client',
    });
    expect(
      classifyFailure('POST /oauth/token', 401, { statusCode: 401, message: 'Invalid client credentials' }),
    ).toMatchObject({ kind: 'invalid_client' });
    expect(classifyFailure('POST /oauth/token', 400, { statusCode: 400, message: 'Invalid grant' })).toMatchObject({
      kind: 'invalid_grant',
    });
    expect(
      classifyFailure('POST /oauth/locationToken', 401, { message: 'The token is not authorized for this scope.' }),
    ).toMatchObject({ kind: 'invalid_grant' });
    expect(classifyFailure('POST /oauth/token', 503, null)).toMatchObject({ kind: 'unavailable' });
    expect(classifyFailure('POST /oauth/token', 429, null)).toMatchObject({ kind: 'unavailable' });
    expect(
      classifyFailure('POST /oauth/token', 400, { error: 'invalid_grant', error_description: 'rt-secret-value' })
        .message,
    ).not.toContain('rt-secret-value');
  });
});
