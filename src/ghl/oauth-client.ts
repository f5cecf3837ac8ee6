/**
 * HighLevel's OAuth endpoints: the code exchange, the refresh (which ROTATES the refresh
 * token) and agency → location token minting. Form-encoded POSTs (docs/ghl-facts.md); /oauth/token
 * declares no Version header, /oauth/locationToken takes 2021-07-28. These POSTs are never
 * retried here: a refresh that reached GHL has spent its refresh token, so the decision to try
 * again belongs to the token provider, which knows GHL answers a repeat within 30 s alike.
 * They go out through the upstream layer's one transport (src/upstream/transport.ts), bounded
 * in time and body size, but not through its request loop: no retries, no rate budget.
 */
import { z } from 'zod';
import { createUndiciTransport, networkCodeOf, TransportTimeoutError, type Transport } from '../upstream/transport.js';
import { GHL_API_VERSIONS } from './spec.js';

const OAuthTokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().int().positive(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
  userType: z.enum(['Location', 'Company']).optional(),
  locationId: z.string().optional(),
  companyId: z.string().optional(),
  approvedLocations: z.array(z.string()).optional(),
  userId: z.string().optional(),
});

const OAuthErrorBodySchema = z.object({ error: z.string().optional(), message: z.unknown().optional() }).loose();

export type UserType = 'Location' | 'Company';

/** A grant as returned by GHL, parsed; expiry made absolute when it arrived. */
export interface IssuedGrant {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date;
  scopes: string[];
  userType: UserType;
  locationId: string | null;
  companyId: string | null;
  approvedLocations: string[];
  userId: string | null;
}

type OAuthFailureKind =
  /** The code or refresh token is spent, revoked or unknown: only a new install helps. */
  | 'invalid_grant'
  /** Our client id/secret are wrong: an operator must fix GHL_CLIENT_ID / GHL_CLIENT_SECRET. */
  | 'invalid_client'
  /** Network, timeout, 5xx, 429, unparseable answer: try again later; the grant may still be good. */
  | 'unavailable';

export class OAuthRequestError extends Error {
  constructor(
    readonly kind: OAuthFailureKind,
    readonly endpoint: string,
    readonly status: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'OAuthRequestError';
  }
}

interface OAuthClientSettings {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  timeoutMs: number;
  now?: () => number;
  /** Default: an undici transport of its own. */
  transport?: Transport;
}

export interface OAuthApi {
  exchangeCode(code: string, userType: UserType): Promise<IssuedGrant>;
  refresh(refreshToken: string, userType: UserType): Promise<IssuedGrant>;
  /** Agency token (scope oauth.write) → a Location token for one of its locations; no refresh token. */
  mintLocationToken(companyAccessToken: string, companyId: string, locationId: string): Promise<IssuedGrant>;
}

export class OAuthClient implements OAuthApi {
  private readonly transport: Transport;
  private readonly base: URL;
  private readonly now: () => number;

  constructor(private readonly settings: OAuthClientSettings) {
    this.now = settings.now ?? Date.now;
    this.base = new URL(`${settings.baseUrl.replace(/\/+$/, '')}/`);
    // A token answer is a few hundred bytes; anything near this is not one.
    this.transport = settings.transport ?? createUndiciTransport({ maxBodyBytes: 256 * 1024 });
  }

  exchangeCode(code: string, userType: UserType): Promise<IssuedGrant> {
    return this.tokenRequest({
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret,
      grant_type: 'authorization_code',
      code,
      user_type: userType,
      redirect_uri: this.settings.redirectUri,
    });
  }

  refresh(refreshToken: string, userType: UserType): Promise<IssuedGrant> {
    return this.tokenRequest({
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      user_type: userType,
      redirect_uri: this.settings.redirectUri,
    });
  }

  async mintLocationToken(companyAccessToken: string, companyId: string, locationId: string): Promise<IssuedGrant> {
    const endpoint = 'POST /oauth/locationToken';
    const sentAt = this.now();
    const response = await this.send(
      endpoint,
      'oauth/locationToken',
      { companyId, locationId },
      {
        authorization: `Bearer ${companyAccessToken}`,
        version: GHL_API_VERSIONS.contacts,
      },
    );
    return this.toGrant(endpoint, response, sentAt, 'Location');
  }

  private async tokenRequest(form: Record<string, string>): Promise<IssuedGrant> {
    const endpoint = 'POST /oauth/token';
    const sentAt = this.now();
    const response = await this.send(endpoint, 'oauth/token', form, {});
    return this.toGrant(endpoint, response, sentAt, form.user_type === 'Company' ? 'Company' : 'Location');
  }

  private async send(
    endpoint: string,
    path: string,
    form: Record<string, string>,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: unknown }> {
    let response;
    try {
      response = await this.transport.send({
        url: new URL(path, this.base),
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
        timeoutMs: this.settings.timeoutMs,
      });
    } catch (error) {
      // Our words and the endpoint only: never the URL or the form (it holds secrets).
      const reason = error instanceof TransportTimeoutError ? 'timeout' : (networkCodeOf(error) ?? 'network error');
      throw new OAuthRequestError('unavailable', endpoint, null, `HighLevel ${endpoint} failed: ${reason}`);
    }
    let body: unknown = null;
    try {
      body = response.body === '' ? null : JSON.parse(response.body);
    } catch {
      body = null;
    }
    if (response.status >= 200 && response.status < 300) return { status: response.status, body };
    throw classifyFailure(endpoint, response.status, body);
  }

  private toGrant(endpoint: string, response: { body: unknown }, sentAt: number, requestedType: UserType): IssuedGrant {
    const parsed = OAuthTokenResponseSchema.safeParse(response.body);
    if (!parsed.success) {
      throw new OAuthRequestError(
        'unavailable',
        endpoint,
        200,
        `HighLevel ${endpoint} answered without the token fields we need (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})`,
      );
    }
    const data = parsed.data;
    return {
      accessToken: data.access_token,
      refreshToken: data.refresh_token ?? null,
      // Measured from when we SENT the request: the token's life started no later than that.
      expiresAt: new Date(sentAt + data.expires_in * 1000),
      scopes: (data.scope ?? '').split(/\s+/).filter((scope) => scope !== ''),
      userType: data.userType ?? requestedType,
      locationId: data.locationId ?? null,
      companyId: data.companyId ?? null,
      approvedLocations: data.approvedLocations ?? [],
      userId: data.userId ?? null,
    };
  }
}

/** Pure: which failure a non-2xx answer of an OAuth endpoint is. Never copies the body into the message. */
export function classifyFailure(endpoint: string, status: number, body: unknown): OAuthRequestError {
  const parsed = OAuthErrorBodySchema.safeParse(body);
  const error = parsed.success ? parsed.data.error : undefined;
  if (status === 429 || status >= 500) {
    return new OAuthRequestError(
      'unavailable',
      endpoint,
      status,
      `HighLevel ${endpoint} answered ${status}; try again later`,
    );
  }
  const rejectedGrant = () =>
    new OAuthRequestError(
      'invalid_grant',
      endpoint,
      status,
      `HighLevel ${endpoint} rejected the grant (${error ?? status}): the app must be installed again`,
    );
  if (error === 'invalid_grant') return rejectedGrant();
  // RFC 6749 §5.2: a 401 from the token endpoint is about the client, not the grant. Marking a
  // location needs_reinstall for our own misconfiguration would be wrong, so ask the operator.
  // /oauth/locationToken authenticates with the agency's bearer token: a 401/403 there means
  // that grant is dead or lacks oauth.write, which only a new agency install fixes.
  if (endpoint === 'POST /oauth/locationToken' && (status === 401 || status === 403)) return rejectedGrant();
  if (
    error === 'invalid_client' ||
    error === 'unauthorized_client' ||
    (error === undefined && (status === 401 || status === 403))
  ) {
    return new OAuthRequestError(
      'invalid_client',
      endpoint,
      status,
      `HighLevel ${endpoint} rejected the app credentials (${error ?? status}): check GHL_CLIENT_ID and GHL_CLIENT_SECRET`,
    );
  }
  if (status === 400 || status === 422) return rejectedGrant();
  return new OAuthRequestError('unavailable', endpoint, status, `HighLevel ${endpoint} answered ${status}`);
}
