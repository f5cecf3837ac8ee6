/**
 * The OAuth TokenProvider: hands the client a location's access token, refreshing it shortly
 * before it expires. Invariants:
 * - ONE refresh per grant at a time in this process (single flight), and across replicas with
 *   a RefreshLock plus compare-and-swap on the row's version.
 * - The rotated refresh token is stored BEFORE the new access token is returned: once GHL
 *   answered, the old refresh token is spent and the new one exists only in our store.
 * - A rejected grant marks the location needs_reinstall; from then on calls fail at once with
 *   GhlReinstallRequiredError (UNAUTHENTICATED + installUrl) instead of hammering /oauth/token.
 * - Agency (Company) installs: a location without its own grant gets a location token minted
 *   from the company grant through /oauth/locationToken, minted again when it expires.
 * - A location's usable grant is worked out once for the calls that ask at the same time, and
 *   reused for GRANT_REUSE_MS while fresh: every HighLevel request asks for a token, and reading
 *   (and decrypting) the grant from the state database each time was a query per request, with
 *   the batch of 50 locations starting together a storm of them. A grant another replica changed
 *   (refreshed, uninstalled, marked needs_reinstall) is seen within that time, or at once when
 *   HighLevel refuses the token this process holds (onUnauthorized reads the grant again).
 */
import type { TokenGrant, TokenVault } from '../auth/token-vault.js';
import { SingleFlight } from '../domain/single-flight.js';
import type { TokenSubjectKind } from '../store/schema.js';
import { GhlUnavailableError } from './errors.js';
import type { TokenProvider } from './ghl-api.js';
import { OAuthRequestError, type IssuedGrant, type OAuthApi } from './oauth-client.js';
import { GhlReinstallRequiredError } from './oauth-errors.js';
import { inProcessRefreshLock, type RefreshLock } from './oauth-refresh-lock.js';

export interface OAuthEventLog {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
}

interface OAuthTokenProviderDeps {
  vault: TokenVault;
  oauth: OAuthApi;
  /** Refresh when less than this much life is left (TOKEN_REFRESH_MARGIN_MS; the official SDK uses 30 s). */
  refreshMarginMs: number;
  /** Where an admin installs the app again (the gateway's /oauth/install). */
  installUrl: string;
  lock?: RefreshLock;
  now?: () => number;
  log?: OAuthEventLog;
}

const silent: OAuthEventLog = { info: () => undefined, warn: () => undefined };

/** How long a location's grant, once worked out, serves its calls without being read again (see the header). */
const GRANT_REUSE_MS = 10_000;

export class OAuthTokenProvider implements TokenProvider {
  /** One refresh or mint per grant at a time, shared by the callers that ask meanwhile. */
  private readonly renewals = new SingleFlight();
  /** Per location: the grant last worked out and when (this.now()). */
  private readonly known = new Map<string, { grant: TokenGrant; at: number }>();
  /** Per location: the grant being worked out for the calls waiting on it. */
  private readonly resolving = new SingleFlight();
  private readonly lock: RefreshLock;
  private readonly now: () => number;
  private readonly log: OAuthEventLog;

  constructor(private readonly deps: OAuthTokenProviderDeps) {
    this.lock = deps.lock ?? inProcessRefreshLock;
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? silent;
  }

  async getToken(locationId: string): Promise<{ accessToken: string; scopes: ReadonlySet<string> | null }> {
    const known = this.known.get(locationId);
    const grant =
      known !== undefined && this.now() - known.at < GRANT_REUSE_MS && this.isFresh(known.grant)
        ? known.grant
        : await this.usableGrant(locationId);
    return { accessToken: grant.accessToken, scopes: new Set(grant.scopes) };
  }

  /** Reads (minting or renewing as needed) the location's grant once for every call waiting on it. */
  private usableGrant(locationId: string): Promise<TokenGrant> {
    return this.resolving.run(locationId, async () => {
      let grant = await this.deps.vault.get('location', locationId);
      if (grant === null) {
        grant = await this.mintFromAgency(locationId);
      } else {
        this.assertUsable(grant);
        if (!this.isFresh(grant)) grant = await this.renew('location', locationId, grant.version);
      }
      this.known.set(locationId, { grant, at: this.now() });
      return grant;
    });
  }

  async onUnauthorized(locationId: string, rejectedToken: string): Promise<boolean> {
    // HighLevel refused what this process holds: whatever comes next is read again.
    this.known.delete(locationId);
    const grant = await this.deps.vault.get('location', locationId);
    if (grant === null) throw this.reinstall(locationId, 'not_installed');
    this.assertUsable(grant);
    // Someone refreshed since the rejected token was handed out: retry with the new one.
    if (grant.accessToken !== rejectedToken) return true;
    const renewed = await this.renew('location', locationId, grant.version, { force: true });
    return renewed.accessToken !== rejectedToken;
  }

  private isFresh(grant: TokenGrant): boolean {
    return grant.expiresAt.getTime() - this.now() > this.deps.refreshMarginMs;
  }

  private assertUsable(grant: TokenGrant): void {
    if (grant.status === 'needs_reinstall') throw this.reinstall(grant.subjectId, 'marked_needs_reinstall');
  }

  private reinstall(
    subjectId: string,
    reason: 'not_installed' | 'grant_rejected' | 'marked_needs_reinstall',
  ): GhlReinstallRequiredError {
    return new GhlReinstallRequiredError(subjectId, this.deps.installUrl, reason);
  }

  /** Single flight per grant: concurrent callers share one refresh. */
  private renew(
    kind: TokenSubjectKind,
    subjectId: string,
    seenVersion: number,
    options: { force?: boolean } = {},
  ): Promise<TokenGrant> {
    const key = `${kind}:${subjectId}`;
    return this.renewals.run(key, () =>
      this.lock.withLock(key, () => this.renewLocked(kind, subjectId, seenVersion, options.force === true)),
    );
  }

  private async renewLocked(
    kind: TokenSubjectKind,
    subjectId: string,
    seenVersion: number,
    force: boolean,
  ): Promise<TokenGrant> {
    // Re-read under the lock: another replica (or an earlier flight) may have refreshed already.
    const current = await this.deps.vault.get(kind, subjectId);
    if (current === null) throw this.reinstall(subjectId, 'not_installed');
    this.assertUsable(current);
    if (current.version !== seenVersion && this.isFresh(current)) return current;
    if (!force && this.isFresh(current)) return current;

    let issued: IssuedGrant;
    try {
      if (current.refreshToken !== null) {
        issued = await this.deps.oauth.refresh(current.refreshToken, current.userType);
      } else if (current.companyId !== null) {
        // A minted location token has no refresh token: mint another from the agency grant.
        issued = await this.mintWithCompany(current.companyId, subjectId);
      } else {
        throw this.reinstall(subjectId, 'grant_rejected');
      }
    } catch (error) {
      return this.onRenewFailure(current, error);
    }
    const stored = await this.deps.vault.swap(current, {
      companyId: issued.companyId ?? current.companyId,
      accessToken: issued.accessToken,
      // GHL rotates on every refresh; keep the old one only if an answer ever omits it.
      refreshToken: issued.refreshToken ?? current.refreshToken,
      userType: current.userType,
      approvedLocations: issued.approvedLocations.length > 0 ? issued.approvedLocations : current.approvedLocations,
      userId: issued.userId ?? current.userId,
      scopes: issued.scopes.length > 0 ? issued.scopes : current.scopes,
      expiresAt: issued.expiresAt,
      lastRefreshAt: new Date(this.now()),
    });
    if (stored === null) {
      // Another replica stored a refresh between our read and our write; GHL gave both of us
      // the same tokens (30 s rule), so theirs is as good as ours.
      const winner = await this.deps.vault.get(kind, subjectId);
      if (winner === null) throw this.reinstall(subjectId, 'not_installed');
      return winner;
    }
    this.log.info(
      { subjectKind: kind, subjectId, expiresAt: stored.expiresAt.toISOString() },
      'HighLevel OAuth token refreshed',
    );
    return stored;
  }

  private async onRenewFailure(current: TokenGrant, error: unknown): Promise<TokenGrant> {
    if (error instanceof GhlReinstallRequiredError) {
      if (error.reason === 'grant_rejected' && current.subjectKind === 'location') {
        await this.deps.vault.markNeedsReinstall(current.subjectKind, current.subjectId);
      }
      throw current.subjectKind === 'location' ? this.reinstall(current.subjectId, error.reason) : error;
    }
    if (error instanceof OAuthRequestError && error.kind === 'invalid_grant') {
      await this.deps.vault.markNeedsReinstall(current.subjectKind, current.subjectId);
      this.log.warn(
        { subjectKind: current.subjectKind, subjectId: current.subjectId, status: error.status },
        'HighLevel rejected the grant; marked needs_reinstall',
      );
      throw this.reinstall(current.subjectId, 'grant_rejected');
    }
    if (error instanceof OAuthRequestError) {
      // Transient: the grant is still good. Keep using the current access token while it lives.
      if (current.expiresAt.getTime() > this.now()) {
        this.log.warn(
          { subjectId: current.subjectId, kind: error.kind },
          'HighLevel token refresh failed; using the current token until it expires',
        );
        return current;
      }
      throw new GhlUnavailableError(error.endpoint, error.status, error.message);
    }
    throw error;
  }

  /** A location without its own grant: find the agency grant that covers it and mint a token. */
  private async mintFromAgency(locationId: string): Promise<TokenGrant> {
    const companies = (await this.deps.vault.list()).filter(
      (grant) => grant.subjectKind === 'company' && grant.status === 'active',
    );
    for (const summary of companies) {
      const company = await this.deps.vault.get('company', summary.subjectId);
      if (company === null) continue;
      const covers =
        company.approvedLocations.includes(locationId) ||
        (companies.length === 1 && company.approvedLocations.length === 0);
      if (!covers) continue;
      return this.renewMint(company.subjectId, locationId);
    }
    throw this.reinstall(locationId, 'not_installed');
  }

  private renewMint(companyId: string, locationId: string): Promise<TokenGrant> {
    const key = `location:${locationId}`;
    return this.renewals.run(key, () =>
      this.lock.withLock(key, async () => {
        const existing = await this.deps.vault.get('location', locationId);
        if (existing !== null && existing.status === 'active' && this.isFresh(existing)) return existing;
        let issued: IssuedGrant;
        try {
          issued = await this.mintWithCompany(companyId, locationId);
        } catch (error) {
          if (error instanceof OAuthRequestError && error.kind === 'invalid_grant')
            throw this.reinstall(locationId, 'grant_rejected');
          // The agency grant is dead: say so for the location the caller asked about.
          if (error instanceof GhlReinstallRequiredError) throw this.reinstall(locationId, error.reason);
          throw error;
        }
        return this.deps.vault.put({
          subjectKind: 'location',
          subjectId: locationId,
          companyId,
          accessToken: issued.accessToken,
          refreshToken: null,
          userType: 'Location',
          approvedLocations: [],
          userId: issued.userId,
          scopes: issued.scopes,
          expiresAt: issued.expiresAt,
          lastRefreshAt: new Date(this.now()),
        });
      }),
    );
  }

  private async mintWithCompany(companyId: string, locationId: string): Promise<IssuedGrant> {
    let company = await this.deps.vault.get('company', companyId);
    if (company === null) throw this.reinstall(locationId, 'not_installed');
    this.assertUsable(company);
    if (!this.isFresh(company)) company = await this.renew('company', companyId, company.version);
    const issued = await this.deps.oauth.mintLocationToken(company.accessToken, companyId, locationId);
    this.log.info(
      { companyId, locationId, expiresAt: issued.expiresAt.toISOString() },
      'HighLevel location token minted from the agency grant',
    );
    return { ...issued, companyId };
  }
}
