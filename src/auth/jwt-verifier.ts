/**
 * Bearer JWTs from an identity provider: HS256 with a shared secret (JWT_SECRET) or RS256/ES256
 * against a JWKS (JWT_JWKS_URL, fetched and cached by jose). The claims that matter, `locations`
 * and `roles`, are parsed with zod: a token that verifies but lacks them grants nothing.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { RoleSchema, type Role } from './caller-identity.js';

export const JwtClaimsSchema = z.object({
  sub: z.string().min(1),
  locations: z.array(z.string().min(1)).min(1),
  roles: z.array(RoleSchema).min(1),
});
export type JwtClaims = z.infer<typeof JwtClaimsSchema>;

export interface JwtSettings {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export interface VerifiedJwt {
  subject: string;
  locations: string[];
  roles: Role[];
}

export type JwtVerifier = (token: string) => Promise<VerifiedJwt | null>;

export function isJwtConfigured(settings: JwtSettings): boolean {
  return settings.secret !== undefined || settings.jwksUrl !== undefined;
}

/** null when neither JWT_SECRET nor JWT_JWKS_URL is set. A failed verification answers null. */
export function createJwtVerifier(settings: JwtSettings): JwtVerifier | null {
  const options = {
    ...(settings.issuer !== undefined ? { issuer: settings.issuer } : {}),
    ...(settings.audience !== undefined ? { audience: settings.audience } : {}),
  };
  const verifyWith = (key: Uint8Array | JWTVerifyGetKey, algorithms: string[]): JwtVerifier => {
    return async (token) => {
      try {
        const { payload } =
          key instanceof Uint8Array
            ? await jwtVerify(token, key, { ...options, algorithms })
            : await jwtVerify(token, key, { ...options, algorithms });
        const claims = JwtClaimsSchema.safeParse(payload);
        if (!claims.success) return null;
        return { subject: claims.data.sub, locations: claims.data.locations, roles: claims.data.roles };
      } catch {
        // Bad signature, expiry, wrong issuer/audience, unreachable JWKS: all mean "not authenticated".
        return null;
      }
    };
  };
  if (settings.jwksUrl !== undefined) {
    return verifyWith(createRemoteJWKSet(new URL(settings.jwksUrl)), ['RS256', 'ES256']);
  }
  if (settings.secret !== undefined) {
    return verifyWith(new TextEncoder().encode(settings.secret), ['HS256']);
  }
  return null;
}
