import { parseConfig } from '../../../src/config.js';
import { createGhlClient, staticTokenProviderFrom } from '../../../src/ghl/from-config.js';
import { StaticTokenProvider } from '../../../src/ghl/token-provider.js';

describe('StaticTokenProvider', () => {
  it('when asked for its own location, then it returns the token and the declared scopes', async () => {
    const provider = new StaticTokenProvider('pit-abc', 'loc-1', ['contacts.readonly']);
    const { accessToken, scopes } = await provider.getToken('loc-1');
    expect(accessToken).toBe('pit-abc');
    expect(scopes && [...scopes]).toEqual(['contacts.readonly']);
  });

  it('when asked for another location, then it refuses naming GHL_LOCATION_ID', async () => {
    await expect(new StaticTokenProvider('pit-abc', 'loc-1', null).getToken('loc-2')).rejects.toThrow(
      /GHL_LOCATION_ID/,
    );
  });

  it('when GHL rejects the token, then a retry is pointless (a PIT never refreshes)', async () => {
    expect(await new StaticTokenProvider('pit-abc', 'loc-1', null).onUnauthorized('loc-1', 'pit-abc')).toBe(false);
  });

  it('when scopes are not configured, then they are unknown (null)', async () => {
    expect((await new StaticTokenProvider('pit-abc', 'loc-1', null).getToken('loc-1')).scopes).toBeNull();
  });
});

describe('createGhlClient', () => {
  it('when the configuration holds a PIT, then the client uses it with the configured scopes', async () => {
    const config = parseConfig({
      GHL_PRIVATE_INTEGRATION_TOKEN: 'pit-xyz',
      GHL_LOCATION_ID: 'loc-9',
      GHL_TOKEN_SCOPES: 'contacts.readonly contacts.write',
    });
    const provider = staticTokenProviderFrom(config);
    expect((await provider.getToken('loc-9')).scopes).toEqual(new Set(['contacts.readonly', 'contacts.write']));
    const client = createGhlClient(config);
    expect(await client.hasScope('loc-9', 'locations/tasks.readonly')).toBe(false);
  });

  it('when demo mode has no PIT and no provider is passed, then it says what to set', () => {
    expect(() => createGhlClient(parseConfig({}))).toThrow(/GHL_PRIVATE_INTEGRATION_TOKEN/);
  });
});
