/**
 * Resolves the caller of one HTTP request: an API key (`x-api-key: gk_…` or
 * `Authorization: Bearer gk_…`), a JWT (`Authorization: Bearer <jwt>`), or, without credentials,
 * the demo caller (demo mode only: every role) or the anonymous reader (CLIENT_AUTH=anonymous-read:
 * the read role on one location). The GraphQL context factory calls it per request and turns an AuthError into
 * a coded GraphQLError.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { looksLikeApiKey, verifyApiKey, type ApiKeyRepository } from './api-keys.js';
import { AuthError, ROLES, chooseLocation, type CallerIdentity } from './caller-identity.js';
import { JwtRefusal, type JwtVerifier } from './jwt-verifier.js';

export interface AuthenticatorDeps {
  apiKeys: ApiKeyRepository;
  jwt: JwtVerifier | null;
  /**
   * 'demo': a request without credentials acts as the demo caller on `demoLocationId` with every
   * role (credentials, when sent, are still checked). 'anonymous-read': it acts with the read
   * role only. 'required': it is refused.
   */
  mode: 'demo' | 'required' | 'anonymous-read';
  demoLocationId?: string;
  /**
   * What a refused anonymous caller is told to do, e.g. the OAuth install URL while no location
   * is installed yet (extensions added to UNAUTHENTICATED). Asked only when a request is refused.
   */
  anonymousRefusal?: () => Promise<{ message: string; extensions: Record<string, unknown> } | null>;
}

export type RequestLike = { headers: IncomingHttpHeaders };

export type Authenticator = (request: RequestLike) => Promise<CallerIdentity | AuthError>;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.trim();
}

export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  if (deps.mode !== 'required' && (deps.demoLocationId === undefined || deps.demoLocationId === '')) {
    throw new Error(`Client auth "${deps.mode}" needs the location anonymous callers act on`);
  }
  return async function authenticateRequest(request) {
    const requestedLocation = header(request.headers, 'x-location-id');
    const apiKeyHeader = header(request.headers, 'x-api-key');
    const authorization = header(request.headers, 'authorization');
    const bearer =
      authorization !== undefined && /^bearer\s+/i.test(authorization)
        ? authorization.replace(/^bearer\s+/i, '')
        : undefined;
    if (authorization !== undefined && bearer === undefined) {
      return new AuthError('UNAUTHENTICATED', 'Only "Authorization: Bearer <token>" is accepted');
    }

    const presentedKey = apiKeyHeader ?? (bearer !== undefined && looksLikeApiKey(bearer) ? bearer : undefined);
    if (presentedKey !== undefined) {
      const record = await verifyApiKey(deps.apiKeys, presentedKey);
      if (record === null) return new AuthError('UNAUTHENTICATED', 'The API key is unknown or revoked');
      const locationId = chooseLocation(record.locations, requestedLocation);
      if (locationId instanceof AuthError) return locationId;
      return {
        subject: record.id,
        kind: 'api-key',
        locations: record.locations,
        roles: record.roles,
        locationId,
        ...(record.documents === null ? {} : { documents: record.documents }),
      };
    }

    if (bearer !== undefined) {
      if (deps.jwt === null)
        return new AuthError(
          'UNAUTHENTICATED',
          'Bearer JWTs are not accepted: JWT_SECRET / JWT_JWKS_URL is not configured',
        );
      const verified = await deps.jwt(bearer);
      if (verified instanceof JwtRefusal) return new AuthError('UNAUTHENTICATED', verified.reason);
      const locationId = chooseLocation(verified.locations, requestedLocation);
      if (locationId instanceof AuthError) return locationId;
      return {
        subject: verified.subject,
        kind: 'jwt',
        locations: verified.locations,
        roles: verified.roles,
        locationId,
        ...(verified.documents === undefined ? {} : { documents: verified.documents }),
      };
    }

    if (deps.mode !== 'required' && deps.demoLocationId !== undefined) {
      const locationId = chooseLocation([deps.demoLocationId], requestedLocation);
      if (locationId instanceof AuthError) return locationId;
      return deps.mode === 'demo'
        ? { subject: 'demo', kind: 'demo', locations: [deps.demoLocationId], roles: [...ROLES], locationId }
        : { subject: 'anonymous', kind: 'anonymous', locations: [deps.demoLocationId], roles: ['read'], locationId };
    }
    const refusal = await deps.anonymousRefusal?.();
    if (refusal != null) return new AuthError('UNAUTHENTICATED', refusal.message, refusal.extensions);
    return new AuthError('UNAUTHENTICATED', 'Send an API key (x-api-key) or a bearer token');
  };
}
