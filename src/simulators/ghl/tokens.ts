/**
 * Bearer tokens the simulator accepts: Private Integration Tokens (static, `pit-…`), OAuth
 * access tokens and location tokens minted from a company token. Scopes and revocation are
 * mutable at run time so tests can take a permission away mid-flight.
 */
import { randomBytes } from 'node:crypto';

export type UserType = 'Location' | 'Company';
export type TokenKind = 'pit' | 'oauth' | 'location-token';

export interface TokenRecord {
  token: string;
  kind: TokenKind;
  userType: UserType;
  /** Set for Location tokens: the only location whose data the token reaches. */
  locationId?: string;
  companyId: string;
  scopes: Set<string>;
  /** Epoch ms; null never expires (PITs). */
  expiresAt: number | null;
  revoked: boolean;
  /** Burst windows are per app per location: OAuth tokens of one client share one. */
  rateKey: string;
  clientId?: string;
  userId: string;
  approvedLocations?: string[];
}

export interface TokenInput {
  token?: string;
  kind?: TokenKind;
  userType?: UserType;
  locationId?: string;
  companyId?: string;
  scopes: readonly string[];
  expiresAt?: number | null;
  clientId?: string;
  userId?: string;
  approvedLocations?: string[];
}

export class TokenRegistry {
  private readonly tokens = new Map<string, TokenRecord>();

  constructor(private readonly defaultCompanyId: string) {}

  issue(input: TokenInput): TokenRecord {
    const token = input.token ?? `sim-${randomBytes(24).toString('base64url')}`;
    const record: TokenRecord = {
      token,
      kind: input.kind ?? (token.startsWith('pit-') ? 'pit' : 'oauth'),
      userType: input.userType ?? (input.locationId === undefined ? 'Company' : 'Location'),
      locationId: input.locationId,
      companyId: input.companyId ?? this.defaultCompanyId,
      scopes: new Set(input.scopes),
      expiresAt: input.expiresAt ?? null,
      revoked: false,
      rateKey: input.clientId === undefined ? `token:${token}` : `client:${input.clientId}`,
      clientId: input.clientId,
      userId: input.userId ?? 'SimUser0000000000001',
      approvedLocations: input.approvedLocations,
    };
    this.tokens.set(token, record);
    return record;
  }

  get(token: string): TokenRecord | undefined {
    return this.tokens.get(token);
  }

  /** Returns false when the token is unknown. */
  revoke(token: string): boolean {
    const record = this.tokens.get(token);
    if (!record) return false;
    record.revoked = true;
    return true;
  }

  /** Undoes a revocation (an operator re-enabling a token); false when the token is unknown. */
  restore(token: string): boolean {
    const record = this.tokens.get(token);
    if (!record) return false;
    record.revoked = false;
    return true;
  }

  setScopes(token: string, scopes: readonly string[]): boolean {
    const record = this.tokens.get(token);
    if (!record) return false;
    record.scopes = new Set(scopes);
    return true;
  }
}
