/**
 * Who is calling the gateway and for which location. Resolved once per request by
 * `authenticateRequest` and carried in the GraphQL context; every resolver and loader works
 * for `locationId` only, so one caller can never reach another location's data.
 */
import { z } from 'zod';

/** `trace`: may receive Apollo inline traces (ftv1), for the router in front of this subgraph. */
export const ROLES = ['read', 'write', 'sync-admin', 'trace'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export type CallerKind = 'api-key' | 'jwt' | 'demo' | 'anonymous';

/**
 * Which GraphQL documents a client may run: any, or only trusted documents (persisted
 * operations its app shipped with, see src/graphql/trusted-documents/). Set per API key or by a
 * JWT's `documents` claim; a client naming none gets TRUSTED_DOCUMENTS_DEFAULT_MODE.
 */
const DOCUMENTS_MODES = ['allow-any', 'trusted-only'] as const;
export const DocumentsModeSchema = z.enum(DOCUMENTS_MODES);
export type DocumentsMode = z.infer<typeof DocumentsModeSchema>;

export interface CallerIdentity {
  /** API key id, JWT `sub`, "demo" or "anonymous". Safe to log; never a secret. */
  subject: string;
  kind: CallerKind;
  /** Every location this caller may use. */
  locations: readonly string[];
  roles: readonly Role[];
  /** The ONE location this request acts on (x-location-id, or the single granted one). */
  locationId: string;
  /** The documents mode its key or JWT names; absent: the gateway's default applies. */
  documents?: DocumentsMode;
}

type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_REQUEST';

const STATUS: Record<AuthErrorCode, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_REQUEST: 400 };

/**
 * A refused caller. Returned (not thrown) by `authenticateRequest` so the context factory
 * decides how to answer; `extensions` is what a GraphQLError should carry.
 */
export class AuthError extends Error {
  readonly status: number;
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    /** What the caller is told besides the code, e.g. `installUrl` while no location is installed. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AuthError';
    this.status = STATUS[code];
  }

  get extensions(): { code: AuthErrorCode; http: { status: number } } & Record<string, unknown> {
    return { ...this.details, code: this.code, http: { status: this.status } };
  }
}

export function hasRole(caller: CallerIdentity, role: Role): boolean {
  return caller.roles.includes(role);
}

/** Throws FORBIDDEN unless the caller holds the role; resolvers call it before acting. */
export function assertRole(caller: CallerIdentity, role: Role): void {
  if (!hasRole(caller, role)) {
    throw new AuthError(
      'FORBIDDEN',
      `This operation needs the "${role}" role; the caller has ${caller.roles.join(', ') || 'none'}`,
    );
  }
}

/**
 * Picks the request's location: the x-location-id header when given (it must be granted),
 * else the caller's only location.
 */
export function chooseLocation(granted: readonly string[], requested: string | undefined): string | AuthError {
  if (requested !== undefined && requested !== '') {
    if (!granted.includes(requested)) {
      return new AuthError('FORBIDDEN', `This caller may not use location ${requested}`);
    }
    return requested;
  }
  const [only, ...rest] = granted;
  if (only === undefined) return new AuthError('FORBIDDEN', 'This caller is not granted any location');
  if (rest.length > 0) {
    return new AuthError(
      'BAD_REQUEST',
      `This caller may use ${granted.length} locations: send the x-location-id header to choose one`,
    );
  }
  return only;
}
