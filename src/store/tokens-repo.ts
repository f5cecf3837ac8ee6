/**
 * OAuth tokens per subject: a location (sub-account install) or a company (agency install).
 * The token pair is stored sealed (EncryptedBlob). `version` grows on every write, and a
 * refresh is saved with `replaceIfVersion`: when two replicas refresh the same token at once,
 * only the first write wins and the other reloads the winner's token instead of overwriting
 * it with one HighLevel may already have rotated away.
 */
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { EncryptedBlob } from './encrypted-blob.js';
import type { OAuthTokensTable, TokenStatus, TokenSubjectKind } from './schema.js';
import { isoAt, type StoreContext } from './store-context.js';

export interface TokenSubject {
  kind: TokenSubjectKind;
  id: string;
}

export interface OAuthTokenRecord {
  subject: TokenSubject;
  companyId: string | null;
  encrypted: EncryptedBlob;
  scopes: string[];
  expiresAt: string;
  lastRefreshAt: string | null;
  status: TokenStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface SaveTokenInput {
  subject: TokenSubject;
  companyId?: string | null;
  encrypted: EncryptedBlob;
  scopes: string[];
  expiresAt: Date;
}

export interface RefreshedToken {
  encrypted: EncryptedBlob;
  expiresAt: Date;
  /** Unchanged when omitted. */
  scopes?: string[];
}

export interface TokensRepo {
  /** An install (or reinstall): insert or replace, status active. */
  save(input: SaveTokenInput): Promise<OAuthTokenRecord>;
  get(subject: TokenSubject): Promise<OAuthTokenRecord | null>;
  /** Saves a refreshed token only if the stored version is still `expectedVersion`; else null. */
  replaceIfVersion(
    subject: TokenSubject,
    expectedVersion: number,
    refreshed: RefreshedToken,
  ): Promise<OAuthTokenRecord | null>;
  /** The refresh token was rejected: the location must install the app again. */
  markNeedsReinstall(subject: TokenSubject): Promise<boolean>;
  /** Active tokens expiring before `before`, soonest first: candidates for a proactive refresh. */
  listExpiringBefore(before: Date, limit: number): Promise<OAuthTokenRecord[]>;
  listForCompany(companyId: string): Promise<OAuthTokenRecord[]>;
  /** Installs (locations and companies) that are active, i.e. not needs_reinstall. */
  countActive(): Promise<number>;
  /** Uninstall. */
  delete(subject: TokenSubject): Promise<boolean>;
}

const ScopesSchema = z.array(z.string());

function toRecord(row: Selectable<OAuthTokensTable>): OAuthTokenRecord {
  return {
    subject: { kind: row.subject_kind, id: row.subject_id },
    companyId: row.company_id,
    encrypted: { ciphertext: row.ciphertext, iv: row.iv, authTag: row.auth_tag, keyId: row.key_id },
    scopes: ScopesSchema.parse(JSON.parse(row.scopes)),
    expiresAt: row.expires_at,
    lastRefreshAt: row.last_refresh_at,
    status: row.status,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createTokensRepo(ctx: StoreContext): TokensRepo {
  const { db } = ctx;

  return {
    async save(input) {
      const nowIso = isoAt(ctx.now());
      const sealed = {
        company_id: input.companyId ?? null,
        ciphertext: input.encrypted.ciphertext,
        iv: input.encrypted.iv,
        auth_tag: input.encrypted.authTag,
        key_id: input.encrypted.keyId,
        scopes: JSON.stringify(input.scopes),
        expires_at: isoAt(input.expiresAt),
        status: 'active' as const,
        updated_at: nowIso,
      };
      const row = await db
        .insertInto('oauth_tokens')
        .values({
          subject_kind: input.subject.kind,
          subject_id: input.subject.id,
          ...sealed,
          last_refresh_at: null,
          version: 1,
          created_at: nowIso,
        })
        .onConflict((oc) =>
          oc
            .columns(['subject_kind', 'subject_id'])
            .doUpdateSet((eb) => ({ ...sealed, version: eb('oauth_tokens.version', '+', 1) })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async get(subject) {
      const row = await db
        .selectFrom('oauth_tokens')
        .selectAll()
        .where('subject_kind', '=', subject.kind)
        .where('subject_id', '=', subject.id)
        .executeTakeFirst();
      return row === undefined ? null : toRecord(row);
    },

    async replaceIfVersion(subject, expectedVersion, refreshed) {
      const nowIso = isoAt(ctx.now());
      const row = await db
        .updateTable('oauth_tokens')
        .set({
          ciphertext: refreshed.encrypted.ciphertext,
          iv: refreshed.encrypted.iv,
          auth_tag: refreshed.encrypted.authTag,
          key_id: refreshed.encrypted.keyId,
          expires_at: isoAt(refreshed.expiresAt),
          ...(refreshed.scopes !== undefined ? { scopes: JSON.stringify(refreshed.scopes) } : {}),
          last_refresh_at: nowIso,
          status: 'active',
          version: expectedVersion + 1,
          updated_at: nowIso,
        })
        .where('subject_kind', '=', subject.kind)
        .where('subject_id', '=', subject.id)
        .where('version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? null : toRecord(row);
    },

    async markNeedsReinstall(subject) {
      const result = await db
        .updateTable('oauth_tokens')
        .set((eb) => ({ status: 'needs_reinstall', version: eb('version', '+', 1), updated_at: isoAt(ctx.now()) }))
        .where('subject_kind', '=', subject.kind)
        .where('subject_id', '=', subject.id)
        .where('status', '=', 'active')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async listExpiringBefore(before, limit) {
      const rows = await db
        .selectFrom('oauth_tokens')
        .selectAll()
        .where('status', '=', 'active')
        .where('expires_at', '<', isoAt(before))
        .orderBy('expires_at')
        .limit(Math.max(1, limit))
        .execute();
      return rows.map(toRecord);
    },

    async countActive() {
      const row = await db
        .selectFrom('oauth_tokens')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('status', '=', 'active')
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async listForCompany(companyId) {
      const rows = await db
        .selectFrom('oauth_tokens')
        .selectAll()
        .where('company_id', '=', companyId)
        .orderBy('subject_kind')
        .orderBy('subject_id')
        .execute();
      return rows.map(toRecord);
    },

    async delete(subject) {
      const result = await db
        .deleteFrom('oauth_tokens')
        .where('subject_kind', '=', subject.kind)
        .where('subject_id', '=', subject.id)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
