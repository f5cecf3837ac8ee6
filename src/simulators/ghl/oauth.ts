/**
 * OAuth 2.0 authorization-code flow as GHL runs it: codes minted by the consent page (or
 * `authorize()` in tests), access tokens of `accessTokenTtlSec`, refresh tokens that rotate on
 * every use (the old one dies, except that a repeat within 30 s gets the same answer, as GHL
 * grants concurrent refreshes) and Company → Location tokens via /oauth/locationToken.
 */
import { randomBytes } from 'node:crypto';
import type { SimClock } from './clock.js';
import type { SimHttpError } from './errors.js';
import { badRequest, forbidden, MESSAGES, unauthorized } from './errors.js';
import type { SimStore } from './store.js';
import type { TokenRecord, TokenRegistry, UserType } from './tokens.js';
import type { LocationTokenForm, OAuthTokenForm } from './validation.js';
import type { Json } from './views.js';

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface AuthorizeRequest {
  clientId: string;
  scopes: readonly string[];
  /** A Location install when set; otherwise a Company (agency) install of companyId. */
  locationId?: string;
  companyId?: string;
  redirectUri?: string;
  userId?: string;
}

interface Grant {
  clientId: string;
  userType: UserType;
  locationId?: string;
  companyId: string;
  scopes: string[];
  userId: string;
  approvedLocations?: string[];
}

interface CodeRecord extends Grant {
  redirectUri?: string;
  expiresAt: number;
  used: boolean;
}

interface RefreshRecord extends Grant {
  expiresAt: number;
  revoked: boolean;
  /** When it was exchanged, and the answer given, so a concurrent repeat gets the same one. */
  usedAt?: number;
  answer?: Json;
}

const CODE_TTL_MS = 10 * 60_000;
const REFRESH_TTL_MS = 365 * 86_400_000;
const CONCURRENT_REFRESH_MS = 30_000;

function opaque(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}

function invalidGrant(description: string): SimHttpError {
  // BadRequestDTO shape plus the OAuth 2.0 fields a standard client looks for (wording unverified).
  return badRequest(description, { error: 'invalid_grant', error_description: description });
}

export class OAuthService {
  private readonly clients = new Map<string, string>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();

  constructor(
    clients: readonly OAuthClient[],
    private accessTokenTtlSec: number,
    private readonly tokens: TokenRegistry,
    private readonly store: SimStore,
    private readonly clock: SimClock,
    private readonly defaultCompanyId: string,
  ) {
    for (const client of clients) this.clients.set(client.clientId, client.clientSecret);
  }

  addClient(client: OAuthClient): void {
    this.clients.set(client.clientId, client.clientSecret);
  }

  hasClient(clientId: string): boolean {
    return this.clients.has(clientId);
  }

  setAccessTokenTtl(seconds: number): void {
    this.accessTokenTtlSec = seconds;
  }

  /** What the consent page does when the user picks a location: mints a one-time code. */
  authorize(request: AuthorizeRequest): string {
    if (!this.clients.has(request.clientId)) throw badRequest(`Unknown client_id ${request.clientId}`);
    const location = request.locationId === undefined ? undefined : this.store.location(request.locationId);
    if (request.locationId !== undefined && location === undefined)
      throw badRequest(`Unknown location ${request.locationId}`);
    const companyId = location?.record.companyId ?? request.companyId ?? this.defaultCompanyId;
    const code = opaque('code-');
    this.codes.set(code, {
      clientId: request.clientId,
      userType: request.locationId === undefined ? 'Company' : 'Location',
      locationId: request.locationId,
      companyId,
      scopes: [...request.scopes],
      userId: request.userId ?? 'SimUser0000000000001',
      approvedLocations:
        request.locationId === undefined
          ? this.store
              .locations()
              .filter((l) => l.companyId === companyId)
              .map((l) => l.id)
          : undefined,
      redirectUri: request.redirectUri,
      expiresAt: this.clock.now() + CODE_TTL_MS,
      used: false,
    });
    return code;
  }

  /** POST /oauth/token. */
  exchange(form: OAuthTokenForm): Json {
    const secret = this.clients.get(form.client_id);
    if (secret === undefined || secret !== form.client_secret) throw unauthorized('Invalid client credentials');
    if (form.grant_type === 'authorization_code') return this.exchangeCode(form);
    if (form.grant_type === 'refresh_token') return this.refresh(form);
    throw badRequest('grant_type client_credentials is not supported by this app', { error: 'unsupported_grant_type' });
  }

  revokeRefreshToken(refreshToken: string): boolean {
    const record = this.refreshTokens.get(refreshToken);
    if (!record) return false;
    record.revoked = true;
    return true;
  }

  /** POST /oauth/locationToken: a Company token with oauth.write mints a Location token (no refresh token). */
  locationToken(companyToken: TokenRecord, form: LocationTokenForm): Json {
    if (companyToken.companyId !== form.companyId) throw forbidden(MESSAGES.locationAccess);
    const location = this.store.location(form.locationId);
    const approved = companyToken.approvedLocations ?? [];
    if (
      !location ||
      location.record.companyId !== form.companyId ||
      (approved.length > 0 && !approved.includes(form.locationId))
    ) {
      throw badRequest(`Location ${form.locationId} is not approved for this app`);
    }
    const scopes = [...companyToken.scopes].filter((scope) => scope !== 'oauth.write' && scope !== 'oauth.readonly');
    const record = this.tokens.issue({
      kind: 'location-token',
      userType: 'Location',
      locationId: form.locationId,
      companyId: form.companyId,
      scopes,
      expiresAt: this.clock.now() + this.accessTokenTtlSec * 1000,
      clientId: companyToken.clientId,
      userId: companyToken.userId,
    });
    return {
      access_token: record.token,
      token_type: 'Bearer',
      expires_in: this.accessTokenTtlSec,
      scope: scopes.join(' '),
      userType: 'Location',
      locationId: form.locationId,
      companyId: form.companyId,
      userId: record.userId,
    };
  }

  private exchangeCode(form: OAuthTokenForm): Json {
    const record = form.code === undefined ? undefined : this.codes.get(form.code);
    if (!record || record.used || record.expiresAt < this.clock.now() || record.clientId !== form.client_id) {
      throw invalidGrant('Invalid grant: authorization code is invalid or expired');
    }
    if (
      record.redirectUri !== undefined &&
      form.redirect_uri !== undefined &&
      form.redirect_uri !== record.redirectUri
    ) {
      throw invalidGrant('Invalid grant: redirect_uri does not match');
    }
    record.used = true;
    return this.grant(record);
  }

  private refresh(form: OAuthTokenForm): Json {
    const token = form.refresh_token ?? '';
    const record = this.refreshTokens.get(token);
    const now = this.clock.now();
    if (!record || record.revoked || record.expiresAt < now || record.clientId !== form.client_id) {
      throw invalidGrant('Invalid grant: refresh token is invalid');
    }
    if (record.usedAt !== undefined) {
      if (now - record.usedAt <= CONCURRENT_REFRESH_MS && record.answer) return record.answer;
      throw invalidGrant('Invalid grant: refresh token is invalid');
    }
    record.usedAt = now;
    record.answer = this.grant(record);
    return record.answer;
  }

  private grant(grant: Grant): Json {
    const expiresAt = this.clock.now() + this.accessTokenTtlSec * 1000;
    const access = this.tokens.issue({
      kind: 'oauth',
      userType: grant.userType,
      locationId: grant.locationId,
      companyId: grant.companyId,
      scopes: grant.scopes,
      expiresAt,
      clientId: grant.clientId,
      userId: grant.userId,
      approvedLocations: grant.approvedLocations,
    });
    const refreshToken = opaque('rt-');
    this.refreshTokens.set(refreshToken, {
      clientId: grant.clientId,
      userType: grant.userType,
      locationId: grant.locationId,
      companyId: grant.companyId,
      scopes: grant.scopes,
      userId: grant.userId,
      approvedLocations: grant.approvedLocations,
      expiresAt: this.clock.now() + REFRESH_TTL_MS,
      revoked: false,
    });
    const answer: Json = {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: this.accessTokenTtlSec,
      refresh_token: refreshToken,
      scope: grant.scopes.join(' '),
      userType: grant.userType,
      companyId: grant.companyId,
      userId: grant.userId,
    };
    if (grant.locationId !== undefined) answer.locationId = grant.locationId;
    if (grant.approvedLocations !== undefined) answer.approvedLocations = grant.approvedLocations;
    return answer;
  }
}
