/**
 * OAuth grants, encrypted at rest. The repository sees only the opaque sealed blob (access
 * token, refresh token and the grant's details) plus the columns operations need in clear:
 * subject, scopes, expiry, status. `version` makes refreshes compare-and-swap, so two replicas
 * refreshing the same location cannot overwrite each other's rotated refresh token.
 */
import { z } from 'zod';
import type { OAuthTokensTable, TokenStatus, TokenSubjectKind } from '../store/schema.js';
import type { KeyRing } from './key-ring.js';

export type OAuthTokenRow = OAuthTokensTable;

/** Durable rows; the store's oauth_tokens table implements it (see store-token-repository.ts). */
export interface OAuthTokenRepository {
  get(kind: TokenSubjectKind, subjectId: string): Promise<OAuthTokenRow | null>;
  list(): Promise<OAuthTokenRow[]>;
  /** Insert, or replace whatever is there (an install starts a new grant); version given by the caller. */
  upsert(row: OAuthTokenRow): Promise<void>;
  /** Replace only if the stored version is `expectedVersion`; true when it did. */
  compareAndSwap(row: OAuthTokenRow, expectedVersion: number): Promise<boolean>;
  setStatus(kind: TokenSubjectKind, subjectId: string, status: TokenStatus, updatedAt: string): Promise<void>;
  delete(kind: TokenSubjectKind, subjectId: string): Promise<boolean>;
}

/** What is sealed: never in a column, never in a log. */
const SealedGrantSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).nullable(),
  userType: z.enum(['Location', 'Company']),
  approvedLocations: z.array(z.string()),
  userId: z.string().nullable(),
});
type SealedGrant = z.infer<typeof SealedGrantSchema>;

export interface TokenGrant extends SealedGrant {
  subjectKind: TokenSubjectKind;
  subjectId: string;
  companyId: string | null;
  scopes: string[];
  expiresAt: Date;
  lastRefreshAt: Date | null;
  status: TokenStatus;
  version: number;
}

/** A grant as listed for operators: no token material. */
interface TokenGrantSummary {
  subjectKind: TokenSubjectKind;
  subjectId: string;
  companyId: string | null;
  scopes: string[];
  expiresAt: string;
  lastRefreshAt: string | null;
  status: TokenStatus;
  keyId: string;
}

const ScopesSchema = z.array(z.string());

export class TokenVault {
  constructor(
    private readonly repository: OAuthTokenRepository,
    private readonly keyRing: KeyRing,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(kind: TokenSubjectKind, subjectId: string): Promise<TokenGrant | null> {
    const row = await this.repository.get(kind, subjectId);
    return row === null ? null : this.decode(row);
  }

  async list(): Promise<TokenGrantSummary[]> {
    const rows = await this.repository.list();
    return rows.map((row) => ({
      subjectKind: row.subject_kind,
      subjectId: row.subject_id,
      companyId: row.company_id,
      scopes: ScopesSchema.parse(JSON.parse(row.scopes)),
      expiresAt: row.expires_at,
      lastRefreshAt: row.last_refresh_at,
      status: row.status,
      keyId: row.key_id,
    }));
  }

  /** Stores a new grant (install), replacing any earlier one for the subject. */
  async put(grant: Omit<TokenGrant, 'version' | 'status'>): Promise<TokenGrant> {
    const existing = await this.repository.get(grant.subjectKind, grant.subjectId);
    const stored: TokenGrant = { ...grant, status: 'active', version: (existing?.version ?? 0) + 1 };
    await this.repository.upsert(this.encode(stored, existing?.created_at));
    return stored;
  }

  /**
   * Stores a refreshed grant only if nobody else refreshed since `previous` was read. The caller
   * must not hand out the new access token unless this returned the stored grant: the rotated
   * refresh token exists only here once the old one is spent.
   */
  async swap(
    previous: TokenGrant,
    next: Omit<TokenGrant, 'version' | 'status' | 'subjectKind' | 'subjectId'>,
  ): Promise<TokenGrant | null> {
    const row = await this.repository.get(previous.subjectKind, previous.subjectId);
    const stored: TokenGrant = {
      ...next,
      subjectKind: previous.subjectKind,
      subjectId: previous.subjectId,
      status: 'active',
      version: previous.version + 1,
    };
    const swapped = await this.repository.compareAndSwap(this.encode(stored, row?.created_at), previous.version);
    return swapped ? stored : null;
  }

  async markNeedsReinstall(kind: TokenSubjectKind, subjectId: string): Promise<void> {
    await this.repository.setStatus(kind, subjectId, 'needs_reinstall', this.now().toISOString());
  }

  async remove(kind: TokenSubjectKind, subjectId: string): Promise<boolean> {
    return this.repository.delete(kind, subjectId);
  }

  /**
   * Start-up check: every row must open with the configured keys. Throws the KeyRingError that
   * names TOKEN_ENCRYPTION_KEY instead of failing later on the first request.
   */
  async assertReadable(): Promise<number> {
    const rows = await this.repository.list();
    for (const row of rows) this.decode(row);
    return rows.length;
  }

  /** Re-seals rows written under an older key with the primary key; returns how many moved. */
  async reencryptStale(): Promise<number> {
    let moved = 0;
    for (const row of await this.repository.list()) {
      if (!this.keyRing.isStale({ keyId: row.key_id })) continue;
      const grant = this.decode(row);
      const swapped = await this.repository.compareAndSwap(
        this.encode({ ...grant, version: grant.version + 1 }, row.created_at),
        grant.version,
      );
      if (swapped) moved += 1;
    }
    return moved;
  }

  private encode(grant: TokenGrant, createdAt: string | undefined): OAuthTokenRow {
    const sealed: SealedGrant = {
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      userType: grant.userType,
      approvedLocations: grant.approvedLocations,
      userId: grant.userId,
    };
    const box = this.keyRing.seal(JSON.stringify(sealed));
    const now = this.now().toISOString();
    return {
      subject_kind: grant.subjectKind,
      subject_id: grant.subjectId,
      company_id: grant.companyId,
      ciphertext: box.ciphertext,
      iv: box.iv,
      auth_tag: box.authTag,
      key_id: box.keyId,
      scopes: JSON.stringify(grant.scopes),
      expires_at: grant.expiresAt.toISOString(),
      last_refresh_at: grant.lastRefreshAt?.toISOString() ?? null,
      status: grant.status,
      version: grant.version,
      created_at: createdAt ?? now,
      updated_at: now,
    };
  }

  private decode(row: OAuthTokenRow): TokenGrant {
    const opened = this.keyRing.open({
      ciphertext: row.ciphertext,
      iv: row.iv,
      authTag: row.auth_tag,
      keyId: row.key_id,
    });
    const sealed = SealedGrantSchema.parse(JSON.parse(opened));
    return {
      ...sealed,
      subjectKind: row.subject_kind,
      subjectId: row.subject_id,
      companyId: row.company_id,
      scopes: ScopesSchema.parse(JSON.parse(row.scopes)),
      expiresAt: new Date(row.expires_at),
      lastRefreshAt: row.last_refresh_at === null ? null : new Date(row.last_refresh_at),
      status: row.status,
      version: row.version,
    };
  }
}

/** For tests and single-process demos. */
export class InMemoryOAuthTokenRepository implements OAuthTokenRepository {
  private readonly rows = new Map<string, OAuthTokenRow>();

  async get(kind: TokenSubjectKind, subjectId: string): Promise<OAuthTokenRow | null> {
    const row = this.rows.get(`${kind}:${subjectId}`);
    return row === undefined ? null : { ...row };
  }

  async list(): Promise<OAuthTokenRow[]> {
    return [...this.rows.values()].map((row) => ({ ...row }));
  }

  async upsert(row: OAuthTokenRow): Promise<void> {
    this.rows.set(`${row.subject_kind}:${row.subject_id}`, { ...row });
  }

  async compareAndSwap(row: OAuthTokenRow, expectedVersion: number): Promise<boolean> {
    const key = `${row.subject_kind}:${row.subject_id}`;
    const current = this.rows.get(key);
    if (current === undefined || current.version !== expectedVersion) return false;
    this.rows.set(key, { ...row, version: expectedVersion + 1 });
    return true;
  }

  async setStatus(kind: TokenSubjectKind, subjectId: string, status: TokenStatus, updatedAt: string): Promise<void> {
    const row = this.rows.get(`${kind}:${subjectId}`);
    if (row !== undefined) this.rows.set(`${kind}:${subjectId}`, { ...row, status, updated_at: updatedAt });
  }

  async delete(kind: TokenSubjectKind, subjectId: string): Promise<boolean> {
    return this.rows.delete(`${kind}:${subjectId}`);
  }
}
