/**
 * Trusted documents (persisted operations) registered through the CLI, shared by every replica
 * through the state database. A document is immutable once registered: its id names one text
 * for ever (a client built against it keeps working), so registering the same id with another
 * text is refused, and registering it again with the same text changes nothing.
 */
import type { Selectable } from 'kysely';
import type { TrustedDocumentsTable } from './schema.js';
import { isoAt, type StoreContext } from './store-context.js';

export interface StoredTrustedDocument {
  id: string;
  sha256: string;
  body: string;
  operationName: string | null;
  /** The app it was registered for (a label for `documents list`), or null. */
  app: string | null;
  createdAt: string;
}

export interface RegisterOutcome {
  added: string[];
  unchanged: string[];
  /** Ids already registered with another text: left as they were. */
  conflicts: string[];
}

export interface TrustedDocumentsRepo {
  register(
    documents: ReadonlyArray<Omit<StoredTrustedDocument, 'createdAt' | 'app'>>,
    app: string | null,
  ): Promise<RegisterOutcome>;
  get(id: string): Promise<StoredTrustedDocument | null>;
  findBySha256(sha256: string): Promise<StoredTrustedDocument | null>;
  list(options?: { app?: string }): Promise<StoredTrustedDocument[]>;
  remove(id: string): Promise<boolean>;
}

function toDocument(row: Selectable<TrustedDocumentsTable>): StoredTrustedDocument {
  return {
    id: row.id,
    sha256: row.sha256,
    body: row.body,
    operationName: row.operation_name,
    app: row.app,
    createdAt: row.created_at,
  };
}

export function createTrustedDocumentsRepo(ctx: StoreContext): TrustedDocumentsRepo {
  const { db } = ctx;
  return {
    async register(documents, app) {
      const outcome: RegisterOutcome = { added: [], unchanged: [], conflicts: [] };
      const createdAt = isoAt(ctx.now());
      for (const document of documents) {
        const inserted = await db
          .insertInto('trusted_documents')
          .values({
            id: document.id,
            sha256: document.sha256,
            body: document.body,
            operation_name: document.operationName,
            app,
            created_at: createdAt,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (inserted !== undefined) {
          outcome.added.push(document.id);
          continue;
        }
        const existing = await db
          .selectFrom('trusted_documents')
          .select('sha256')
          .where('id', '=', document.id)
          .executeTakeFirst();
        (existing?.sha256 === document.sha256 ? outcome.unchanged : outcome.conflicts).push(document.id);
      }
      return outcome;
    },

    async get(id) {
      const row = await db.selectFrom('trusted_documents').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toDocument(row);
    },

    async findBySha256(sha256) {
      const row = await db
        .selectFrom('trusted_documents')
        .selectAll()
        .where('sha256', '=', sha256)
        .orderBy('created_at')
        .executeTakeFirst();
      return row === undefined ? null : toDocument(row);
    },

    async list(options) {
      let query = db.selectFrom('trusted_documents').selectAll().orderBy('created_at').orderBy('id');
      if (options?.app !== undefined) query = query.where('app', '=', options.app);
      return (await query.execute()).map(toDocument);
    },

    async remove(id) {
      const result = await db.deleteFrom('trusted_documents').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
