/**
 * What an install changes in the token store: the OAuth callback stores the grant it was
 * given; the INSTALL / UNINSTALL webhooks add and remove locations of agency installs. The
 * webhook engineer calls `handleInstallEvent` / `handleUninstallEvent` with the verified body.
 */
import { z } from 'zod';
import type { TokenVault } from '../auth/token-vault.js';
import type { IssuedGrant, OAuthApi } from './oauth-client.js';

const InstallEventSchema = z
  .object({
    type: z.literal('INSTALL'),
    appId: z.string().optional(),
    installType: z.enum(['Location', 'Company']).optional(),
    locationId: z.string().min(1).optional(),
    companyId: z.string().min(1).optional(),
    userId: z.string().optional(),
  })
  .loose();

const UninstallEventSchema = z
  .object({
    type: z.literal('UNINSTALL'),
    appId: z.string().optional(),
    locationId: z.string().min(1).optional(),
    companyId: z.string().min(1).optional(),
  })
  .loose();

interface InstallDeps {
  vault: TokenVault;
  oauth: OAuthApi;
  now?: () => number;
}

interface ConnectedInstall {
  kind: 'location' | 'company';
  subjectId: string;
  scopes: string[];
  /** The locations this grant reaches: the one location, or the agency's approved locations. */
  locations: string[];
  expiresAt: Date;
}

/** Stores the grant of a finished consent (the OAuth callback). */
export async function storeInstalledGrant(deps: InstallDeps, grant: IssuedGrant): Promise<ConnectedInstall> {
  const now = new Date((deps.now ?? Date.now)());
  if (grant.userType === 'Location') {
    if (grant.locationId === null) throw new Error('HighLevel returned a Location token without locationId');
    await deps.vault.put({
      subjectKind: 'location',
      subjectId: grant.locationId,
      companyId: grant.companyId,
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      userType: 'Location',
      approvedLocations: [],
      userId: grant.userId,
      scopes: grant.scopes,
      expiresAt: grant.expiresAt,
      lastRefreshAt: now,
    });
    return {
      kind: 'location',
      subjectId: grant.locationId,
      scopes: grant.scopes,
      locations: [grant.locationId],
      expiresAt: grant.expiresAt,
    };
  }
  if (grant.companyId === null) throw new Error('HighLevel returned a Company token without companyId');
  await deps.vault.put({
    subjectKind: 'company',
    subjectId: grant.companyId,
    companyId: grant.companyId,
    accessToken: grant.accessToken,
    refreshToken: grant.refreshToken,
    userType: 'Company',
    approvedLocations: grant.approvedLocations,
    userId: grant.userId,
    scopes: grant.scopes,
    expiresAt: grant.expiresAt,
    lastRefreshAt: now,
  });
  return {
    kind: 'company',
    subjectId: grant.companyId,
    scopes: grant.scopes,
    locations: grant.approvedLocations,
    expiresAt: grant.expiresAt,
  };
}

type InstallOutcome =
  | { action: 'location-token-minted'; locationId: string; companyId: string }
  | { action: 'already-connected'; locationId: string }
  | { action: 'ignored'; reason: string };

/**
 * INSTALL webhook: for an agency grant, add the location to its approved list and mint the
 * location's token now, so the first request does not pay for it. A Location install is
 * connected by the OAuth callback itself.
 */
export async function handleInstallEvent(deps: InstallDeps, body: unknown): Promise<InstallOutcome> {
  const event = InstallEventSchema.parse(body);
  if (event.locationId === undefined)
    return { action: 'ignored', reason: 'agency-level install: locations arrive in their own INSTALL events' };
  const existing = await deps.vault.get('location', event.locationId);
  if (existing !== null && existing.status === 'active' && existing.refreshToken !== null) {
    return { action: 'already-connected', locationId: event.locationId };
  }
  if (event.companyId === undefined)
    return { action: 'ignored', reason: 'no companyId: nothing to mint a location token from' };
  const company = await deps.vault.get('company', event.companyId);
  if (company === null || company.status !== 'active') {
    return {
      action: 'ignored',
      reason: `no agency grant stored for company ${event.companyId}: the location connects through /oauth/install`,
    };
  }
  if (!company.approvedLocations.includes(event.locationId)) {
    await deps.vault.swap(company, { ...company, approvedLocations: [...company.approvedLocations, event.locationId] });
  }
  const issued = await deps.oauth.mintLocationToken(company.accessToken, event.companyId, event.locationId);
  await deps.vault.put({
    subjectKind: 'location',
    subjectId: event.locationId,
    companyId: event.companyId,
    accessToken: issued.accessToken,
    refreshToken: null,
    userType: 'Location',
    approvedLocations: [],
    userId: issued.userId,
    scopes: issued.scopes,
    expiresAt: issued.expiresAt,
    lastRefreshAt: new Date((deps.now ?? Date.now)()),
  });
  return { action: 'location-token-minted', locationId: event.locationId, companyId: event.companyId };
}

/**
 * UNINSTALL webhook: forget the location's tokens (and drop it from its agency's list); an
 * agency-wide uninstall (no locationId) forgets the agency grant and every location minted from it.
 */
export async function handleUninstallEvent(deps: InstallDeps, body: unknown): Promise<{ removed: string[] }> {
  const event = UninstallEventSchema.parse(body);
  const removed: string[] = [];
  if (event.locationId !== undefined) {
    if (await deps.vault.remove('location', event.locationId)) removed.push(`location:${event.locationId}`);
    if (event.companyId !== undefined) {
      const company = await deps.vault.get('company', event.companyId);
      if (company !== null && company.approvedLocations.includes(event.locationId)) {
        await deps.vault.swap(company, {
          ...company,
          approvedLocations: company.approvedLocations.filter((id) => id !== event.locationId),
        });
      }
    }
    return { removed };
  }
  if (event.companyId === undefined) return { removed };
  for (const grant of await deps.vault.list()) {
    if (grant.subjectKind === 'location' && grant.companyId === event.companyId) {
      const location = await deps.vault.get('location', grant.subjectId);
      // Only tokens minted from the agency grant go; a location's own install stays.
      if (
        location !== null &&
        location.refreshToken === null &&
        (await deps.vault.remove('location', grant.subjectId))
      ) {
        removed.push(`location:${grant.subjectId}`);
      }
    }
  }
  if (await deps.vault.remove('company', event.companyId)) removed.push(`company:${event.companyId}`);
  return { removed };
}
