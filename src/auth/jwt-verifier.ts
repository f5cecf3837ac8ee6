/**
 * Bearer JWTs from an identity provider: HS256 with a shared secret (JWT_SECRET) or RS256/ES256
 * against a JWKS (JWT_JWKS_URL, fetched and cached by jose). The claims that matter, `locations`
 * and `roles`, are parsed with zod: a token that verifies but lacks them grants nothing.
 *
 * A token must end: `exp` is required, and its life (exp − iat, or exp − now without iat) may not
 * exceed the configured maximum, so a leaked long-lived token is not a key for ever. A token that
 * claims to start (nbf) or to have been issued (iat) in the future beyond the clock skew is
 * refused too. The refusal says which rule failed (to the token's holder; never the token).
 */
import type * as Jose from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { DocumentsModeSchema, RoleSchema, type DocumentsMode, type Role } from './caller-identity.js';

const JwtClaimsSchema = z.object({
  sub: z.string().min(1),
  locations: z.array(z.string().min(1)).min(1),
  roles: z.array(RoleSchema).min(1),
  /** Which documents the client may run; absent: the gateway's default. An unknown value refuses the token. */
  documents: DocumentsModeSchema.optional(),
});

export interface JwtSettings {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** Longest accepted life of a token (exp − iat); default one day. */
  maxLifetimeMs?: number;
  /** Clock difference tolerated on exp, nbf and iat; default one minute. */
  clockSkewMs?: number;
}

export interface VerifiedJwt {
  subject: string;
  locations: string[];
  roles: Role[];
  documents?: DocumentsMode;
}

/** Why a bearer JWT was refused, in words its holder can act on. */
export class JwtRefusal {
  constructor(readonly reason: string) {}
}

export type JwtVerifier = (token: string) => Promise<VerifiedJwt | JwtRefusal>;

const DEFAULT_JWT_MAX_LIFETIME_MS = 86_400_000;
const DEFAULT_JWT_CLOCK_SKEW_MS = 60_000;

export function isJwtConfigured(settings: JwtSettings): boolean {
  return settings.secret !== undefined || settings.jwksUrl !== undefined;
}

const GENERIC = 'The bearer token is invalid, expired or lacks locations/roles claims';

/** The lifetime and clock rules jose does not apply itself (it checks exp and nbf with the skew). */
function lifetimeProblem(payload: JWTPayload, nowSec: number, maxLifetimeSec: number, skewSec: number): string | null {
  const { exp, iat } = payload;
  if (typeof exp !== 'number') return 'The bearer token has no exp claim: tokens must expire';
  if (typeof iat === 'number' && iat > nowSec + skewSec)
    return 'The bearer token was issued in the future (iat): check the issuer clock';
  const lifetime = exp - (typeof iat === 'number' ? iat : nowSec);
  if (lifetime > maxLifetimeSec + skewSec)
    return `The bearer token lives ${lifetime} s, longer than the ${maxLifetimeSec} s this gateway accepts (JWT_MAX_LIFETIME_MS)`;
  return null;
}

let joseModule: Promise<typeof Jose> | null = null;
/** jose, imported at the first bearer token: a gateway whose callers use no JWT never loads it. */
const loadJose = (): Promise<typeof Jose> => (joseModule ??= import('jose'));

function refusalOf(error: unknown, errors: typeof Jose.errors): JwtRefusal {
  if (error instanceof errors.JWTExpired) return new JwtRefusal('The bearer token has expired (exp)');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return new JwtRefusal('The bearer token is not valid yet (nbf is in the future)');
    if (error.claim === 'exp') return new JwtRefusal('The bearer token has no exp claim: tokens must expire');
    if (error.claim === 'iss' || error.claim === 'aud')
      return new JwtRefusal(`The bearer token's ${error.claim} is not the one this gateway accepts`);
  }
  // Bad signature, wrong algorithm, malformed, unreachable JWKS: nothing more to tell.
  return new JwtRefusal(GENERIC);
}

/** null when neither JWT_SECRET nor JWT_JWKS_URL is set. */
export function createJwtVerifier(settings: JwtSettings): JwtVerifier | null {
  const skewSec = Math.floor((settings.clockSkewMs ?? DEFAULT_JWT_CLOCK_SKEW_MS) / 1000);
  const maxLifetimeSec = Math.floor((settings.maxLifetimeMs ?? DEFAULT_JWT_MAX_LIFETIME_MS) / 1000);
  const options = {
    ...(settings.issuer !== undefined ? { issuer: settings.issuer } : {}),
    ...(settings.audience !== undefined ? { audience: settings.audience } : {}),
    requiredClaims: ['exp'],
    clockTolerance: skewSec,
  };
  const verifyWith = (
    keyOf: (jose: typeof Jose) => Uint8Array | JWTVerifyGetKey,
    algorithms: string[],
  ): JwtVerifier => {
    return async (token) => {
      const jose = await loadJose();
      const key = keyOf(jose);
      let payload: JWTPayload;
      try {
        payload = (
          key instanceof Uint8Array
            ? await jose.jwtVerify(token, key, { ...options, algorithms })
            : await jose.jwtVerify(token, key, { ...options, algorithms })
        ).payload;
      } catch (error) {
        return refusalOf(error, jose.errors);
      }
      const problem = lifetimeProblem(payload, Math.floor(Date.now() / 1000), maxLifetimeSec, skewSec);
      if (problem !== null) return new JwtRefusal(problem);
      const claims = JwtClaimsSchema.safeParse(payload);
      if (!claims.success) return new JwtRefusal(GENERIC);
      const { sub, locations, roles, documents } = claims.data;
      return { subject: sub, locations, roles, ...(documents === undefined ? {} : { documents }) };
    };
  };
  if (settings.jwksUrl !== undefined) {
    const jwksUrl = new URL(settings.jwksUrl);
    // One key set for the verifier's life: jose caches the fetched keys in it.
    let keySet: JWTVerifyGetKey | null = null;
    return verifyWith((jose) => (keySet ??= jose.createRemoteJWKSet(jwksUrl)), ['RS256', 'ES256']);
  }
  if (settings.secret !== undefined) {
    const secret = new TextEncoder().encode(settings.secret);
    return verifyWith(() => secret, ['HS256']);
  }
  return null;
}
