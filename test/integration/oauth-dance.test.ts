/**
 * The OAuth install and token life cycle against the HighLevel simulator over real HTTP:
 * install → consent redirect → callback → tokens stored encrypted → expiry → refresh →
 * rotation → the old refresh token rejected; concurrency; revocation; agency installs; and
 * the logs of the whole dance never containing a token.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { redaction } from '../../src/auth/redaction.js';
import { InMemoryOAuthTokenRepository } from '../../src/auth/token-vault.js';
import { parseConfig } from '../../src/config.js';
import { createGhlClient } from '../../src/ghl/from-config.js';
import { GhlReinstallRequiredError } from '../../src/ghl/oauth-errors.js';
import { handleInstallEvent, handleUninstallEvent } from '../../src/ghl/oauth-installs.js';
import { DEFAULT_OAUTH_CLIENT } from '../../src/simulators/ghl/index.js';
import {
  MARGIN_MS,
  TTL_SEC,
  contactsStatus,
  install,
  postRefresh,
  startHarness,
  type Harness,
} from './oauth-harness.js';

describe('OAuth install and token life cycle against the simulator', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('when an admin installs, then the consent URL carries the scopes and a state, the callback stores the grant and names the location', async () => {
    const { consentUrl, callbackUrl, page } = await install(harness);

    expect(consentUrl.pathname).toBe('/v2/oauth/chooselocation');
    expect(consentUrl.searchParams.get('response_type')).toBe('code');
    expect(consentUrl.searchParams.get('client_id')).toBe(DEFAULT_OAUTH_CLIENT.clientId);
    expect(consentUrl.searchParams.get('redirect_uri')).toBe(`${harness.baseUrl}/oauth/callback`);
    expect(consentUrl.searchParams.get('scope')).toBe('contacts.readonly contacts.write');
    expect(consentUrl.searchParams.get('state')).toMatch(/^[\w-]+\.[\w-]+$/);

    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`Location ${harness.sim.locationId} is connected`);
    expect(html).toContain('contacts.readonly, contacts.write');

    const grant = await harness.vault.get('location', harness.sim.locationId);
    expect(grant).not.toBeNull();
    expect(html).not.toContain(grant?.accessToken ?? 'missing');
    expect(harness.sim.log.count('POST', '/oauth/token')).toBe(1);
    expect(await contactsStatus(harness, grant?.accessToken ?? '')).toBe(200);

    // The same callback again: the state is single-use, so no second code exchange happens.
    const replay = await fetch(callbackUrl, { redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('replayed');
    expect(harness.sim.log.count('POST', '/oauth/token')).toBe(1);
  });

  it('when the callback carries a forged state, then it is refused and no code is exchanged', async () => {
    const start = await fetch(`${harness.baseUrl}/oauth/install`, { redirect: 'manual' });
    const consentUrl = new URL(start.headers.get('location') ?? '');
    const state = consentUrl.searchParams.get('state') ?? '';
    consentUrl.searchParams.set('state', `${state.split('.')[0]}.forgedsignature`);
    const consent = await fetch(consentUrl, { redirect: 'manual' });
    const page = await fetch(consent.headers.get('location') ?? '', { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('bad-signature');
    expect(harness.sim.log.count('POST', '/oauth/token')).toBe(0);
  });

  it('when the access token nears expiry, then getToken refreshes once, stores the rotated refresh token, and the old refresh token is rejected', async () => {
    await install(harness);
    const first = await harness.vault.get('location', harness.sim.locationId);
    if (first === null) throw new Error('no grant stored');

    const fresh = await harness.provider.getToken(harness.sim.locationId);
    expect(fresh.accessToken).toBe(first.accessToken);
    expect(harness.sim.log.count('POST', '/oauth/token')).toBe(1);

    harness.sim.clock.advance(TTL_SEC * 1000 - MARGIN_MS + 1000);
    const renewed = await harness.provider.getToken(harness.sim.locationId);
    expect(renewed.accessToken).not.toBe(first.accessToken);
    expect([...(renewed.scopes ?? [])]).toEqual(['contacts.readonly', 'contacts.write']);
    expect(harness.sim.log.count('POST', '/oauth/token')).toBe(2);

    const second = await harness.vault.get('location', harness.sim.locationId);
    expect(second?.refreshToken).not.toBe(first.refreshToken);
    expect(second?.accessToken).toBe(renewed.accessToken);
    expect(second?.lastRefreshAt).not.toBeNull();
    expect(await contactsStatus(harness, renewed.accessToken)).toBe(200);

    // Past GHL's 30 s grace for concurrent repeats, the spent refresh token is dead.
    harness.sim.clock.advance(31_000);
    const reused = await postRefresh(harness, first.refreshToken ?? '');
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    // The rotated one still works (and proves it was persisted, not just used).
    const rotated = await postRefresh(harness, second?.refreshToken ?? '');
    expect(rotated.status).toBe(200);
  });

  it('when 100 requests ask for an expired token at once, then exactly one refresh reaches HighLevel', async () => {
    await install(harness);
    harness.sim.clock.advance(TTL_SEC * 1000);
    const before = harness.sim.log.count('POST', '/oauth/token');

    const tokens = await Promise.all(
      Array.from({ length: 100 }, () => harness.provider.getToken(harness.sim.locationId)),
    );

    expect(harness.sim.log.count('POST', '/oauth/token') - before).toBe(1);
    expect(new Set(tokens.map((token) => token.accessToken)).size).toBe(1);
    expect(await contactsStatus(harness, tokens[0]?.accessToken ?? '')).toBe(200);
  });

  it('when HighLevel answers 401 for a token, then onUnauthorized refreshes once and the retry has a working token', async () => {
    await install(harness);
    const { accessToken } = await harness.provider.getToken(harness.sim.locationId);
    harness.sim.tokens.revoke(accessToken);
    expect(await contactsStatus(harness, accessToken)).toBe(401);

    const [retryA, retryB] = await Promise.all([
      harness.provider.onUnauthorized(harness.sim.locationId, accessToken),
      harness.provider.onUnauthorized(harness.sim.locationId, accessToken),
    ]);
    expect(retryA && retryB).toBe(true);
    expect(harness.sim.log.count('POST', '/oauth/token')).toBe(2);
    const next = await harness.provider.getToken(harness.sim.locationId);
    expect(next.accessToken).not.toBe(accessToken);
    expect(await contactsStatus(harness, next.accessToken)).toBe(200);
  });

  it('when the refresh token was revoked, then the location needs reinstall and calls fail with the install URL without retrying', async () => {
    await install(harness);
    const grant = await harness.vault.get('location', harness.sim.locationId);
    harness.sim.tokens.revoke(grant?.refreshToken ?? '');
    harness.sim.clock.advance(TTL_SEC * 1000);

    const failure = await harness.provider.getToken(harness.sim.locationId).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GhlReinstallRequiredError);
    const typed = failure as GhlReinstallRequiredError;
    expect(typed.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      installUrl: `${harness.baseUrl}/oauth/install`,
      locationId: harness.sim.locationId,
      reason: 'grant_rejected',
    });
    expect((await harness.vault.get('location', harness.sim.locationId))?.status).toBe('needs_reinstall');
    const exchanges = harness.sim.log.count('POST', '/oauth/token');

    await expect(harness.provider.getToken(harness.sim.locationId)).rejects.toMatchObject({
      reason: 'marked_needs_reinstall',
    });
    expect(harness.sim.log.count('POST', '/oauth/token')).toBe(exchanges);

    // Installing again heals the location.
    await install(harness);
    const healed = await harness.provider.getToken(harness.sim.locationId);
    expect(await contactsStatus(harness, healed.accessToken)).toBe(200);
  });

  it('when the GHL client meets a revoked access token, then it refreshes once through the provider and the request succeeds', async () => {
    await install(harness);
    const client = createGhlClient(parseConfig({ GHL_MAX_RETRIES: '0' }), {
      baseUrl: harness.sim.url,
      tokenProvider: harness.provider,
    });
    const contactId = harness.sim.data.listContactIds()[0] ?? '';
    const { accessToken } = await harness.provider.getToken(harness.sim.locationId);
    harness.sim.tokens.revoke(accessToken);

    const contact = await client.getContact(harness.sim.locationId, contactId);
    expect(contact.id).toBe(contactId);
    expect(harness.sim.log.count('POST', '/oauth/token')).toBe(2);

    // Once the grant is dead, the client surfaces the typed error with the install URL.
    const grant = await harness.vault.get('location', harness.sim.locationId);
    harness.sim.tokens.revoke(grant?.refreshToken ?? '');
    harness.sim.tokens.revoke(grant?.accessToken ?? '');
    await expect(client.getContact(harness.sim.locationId, contactId)).rejects.toMatchObject({
      kind: 'Unauthorized',
      installUrl: `${harness.baseUrl}/oauth/install`,
    });
    expect((await harness.vault.get('location', harness.sim.locationId))?.status).toBe('needs_reinstall');
  });

  it('when a location was never installed, then getToken fails with the install URL', async () => {
    await expect(harness.provider.getToken('NeverInstalledLoc001')).rejects.toMatchObject({
      reason: 'not_installed',
      installUrl: `${harness.baseUrl}/oauth/install`,
    });
  });

  it('when the whole dance ran with debug logging, then no token, code or secret appears in the logs', async () => {
    const { callbackUrl } = await install(harness);
    const first = await harness.vault.get('location', harness.sim.locationId);
    harness.sim.clock.advance(TTL_SEC * 1000);
    await harness.provider.getToken(harness.sim.locationId);
    const second = await harness.vault.get('location', harness.sim.locationId);
    // Log the shapes careless code would log, to prove the redaction catches them.
    const logger = pino(
      { redact: redaction },
      new Writable({ write: (chunk: Buffer, _e, cb) => (harness.logLines.push(chunk.toString()), cb()) }),
    );
    logger.info(
      {
        grant: first,
        headers: { authorization: `Bearer ${second?.accessToken}` },
        req: { headers: { 'x-api-key': 'gk_secretsecretsecretsecret' } },
      },
      'careless',
    );
    logger.info(
      { options: { form: { refresh_token: second?.refreshToken, client_secret: DEFAULT_OAUTH_CLIENT.clientSecret } } },
      'got error shape',
    );

    const logs = harness.logLines.join('');
    expect(logs).toContain('HighLevel OAuth token refreshed');
    expect(logs).toContain('careless');
    const secrets = [
      first?.accessToken,
      first?.refreshToken,
      second?.accessToken,
      second?.refreshToken,
      callbackUrl.searchParams.get('code'),
      DEFAULT_OAUTH_CLIENT.clientSecret,
      'gk_secretsecretsecretsecret',
    ];
    for (const secret of secrets) {
      expect(typeof secret).toBe('string');
      expect(logs).not.toContain(secret as string);
    }
  });
});

describe('Agency (Company) installs', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness({ userType: 'Company' });
  });

  afterEach(async () => {
    await harness.close();
  });

  it('when an agency installs, then a location token is minted from the company grant on first use and forgotten on UNINSTALL', async () => {
    const { page } = await install(harness, { companyId: harness.sim.companyId });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`Agency ${harness.sim.companyId}`);
    expect(await harness.vault.get('company', harness.sim.companyId)).not.toBeNull();

    const token = await harness.provider.getToken(harness.sim.locationId);
    expect(harness.sim.log.count('POST', '/oauth/locationToken')).toBe(1);
    expect(await contactsStatus(harness, token.accessToken)).toBe(200);
    // Cached until it nears expiry.
    await harness.provider.getToken(harness.sim.locationId);
    expect(harness.sim.log.count('POST', '/oauth/locationToken')).toBe(1);

    // Expired: minted again (location tokens have no refresh token).
    harness.sim.clock.advance(TTL_SEC * 1000);
    const again = await harness.provider.getToken(harness.sim.locationId);
    expect(again.accessToken).not.toBe(token.accessToken);
    expect(await contactsStatus(harness, again.accessToken)).toBe(200);

    const removed = await handleUninstallEvent(
      { vault: harness.vault, oauth: harness.oauth },
      { type: 'UNINSTALL', locationId: harness.sim.locationId, companyId: harness.sim.companyId },
    );
    expect(removed.removed).toEqual([`location:${harness.sim.locationId}`]);
    expect(await harness.vault.get('location', harness.sim.locationId)).toBeNull();
    const company = await harness.vault.get('company', harness.sim.companyId);
    expect(company?.approvedLocations).not.toContain(harness.sim.locationId);
  });

  it('when an INSTALL webhook names a location of an installed agency, then its token is minted at once', async () => {
    await install(harness, { companyId: harness.sim.companyId });
    const outcome = await handleInstallEvent(
      { vault: harness.vault, oauth: harness.oauth, now: () => harness.sim.clock.now() },
      {
        type: 'INSTALL',
        installType: 'Location',
        locationId: harness.sim.locationId,
        companyId: harness.sim.companyId,
      },
    );
    expect(outcome).toEqual({
      action: 'location-token-minted',
      locationId: harness.sim.locationId,
      companyId: harness.sim.companyId,
    });
    const grant = await harness.vault.get('location', harness.sim.locationId);
    expect(await contactsStatus(harness, grant?.accessToken ?? '')).toBe(200);

    const gone = await handleUninstallEvent(
      { vault: harness.vault, oauth: harness.oauth },
      { type: 'UNINSTALL', companyId: harness.sim.companyId },
    );
    expect(gone.removed.sort()).toEqual(
      [`company:${harness.sim.companyId}`, `location:${harness.sim.locationId}`].sort(),
    );
  });
});

describe('a location grant read once for many HighLevel calls', () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  it('when many calls ask for the token, then one read of the stored grant serves them while it is fresh; once HighLevel refuses the token, it is read again', async () => {
    const repository = new InMemoryOAuthTokenRepository();
    let reads = 0;
    const get = repository.get.bind(repository);
    repository.get = (kind, subjectId) => {
      reads += 1;
      return get(kind, subjectId);
    };
    harness = await startHarness({ repository });
    await install(harness);
    reads = 0;

    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => harness.provider.getToken(harness.sim.locationId)),
    );
    await harness.provider.getToken(harness.sim.locationId);
    expect(new Set(tokens.map((token) => token.accessToken)).size).toBe(1);
    expect(reads).toBe(1);

    // Past the reuse window: read again (another replica may have changed the grant).
    harness.sim.clock.advance(10_001);
    await harness.provider.getToken(harness.sim.locationId);
    expect(reads).toBe(2);

    // Refused by HighLevel: the provider renews it, and the next call gets the new token at once.
    const { accessToken } = await harness.provider.getToken(harness.sim.locationId);
    harness.sim.tokens.revoke(accessToken);
    expect(await harness.provider.onUnauthorized(harness.sim.locationId, accessToken)).toBe(true);
    const renewed = await harness.provider.getToken(harness.sim.locationId);
    expect(renewed.accessToken).not.toBe(accessToken);
    expect(await contactsStatus(harness, renewed.accessToken)).toBe(200);
  });
});
