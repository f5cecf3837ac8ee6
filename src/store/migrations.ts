/**
 * The one set of migrations, in code (not files on disk) so `dist/` runs them without copying
 * anything. Both dialects run the same list; only the auto-increment id column differs.
 * Kysely's Migrator records what ran in `kysely_migration` and takes a lock (PostgreSQL:
 * an advisory lock), so replicas starting together migrate once and a restart is a no-op.
 * Append new migrations with a larger name; never edit one that has shipped.
 */
import { Migrator, sql, type CreateTableBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type StoreDialect = 'sqlite' | 'postgres';

/** The id column type per dialect: both yield a 32-bit integer the drivers return as a number. */
function withId<T extends string>(
  table: CreateTableBuilder<T, never>,
  dialect: StoreDialect,
): CreateTableBuilder<T, 'id'> {
  return dialect === 'postgres'
    ? table.addColumn('id', 'serial', (column) => column.primaryKey())
    : table.addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement());
}

function initialSchema(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await withId(db.schema.createTable('links'), dialect)
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('ghl_kind', 'text', (c) => c.notNull())
        .addColumn('ghl_id', 'text', (c) => c.notNull())
        .addColumn('roofr_kind', 'text', (c) => c.notNull())
        .addColumn('roofr_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('links_ghl_side', ['location_id', 'ghl_kind', 'ghl_id', 'roofr_kind'])
        .addUniqueConstraint('links_roofr_side', ['location_id', 'roofr_kind', 'roofr_id', 'ghl_kind'])
        .execute();

      await db.schema
        .createTable('content_hashes')
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('entity_kind', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('content_hashes_pk', ['location_id', 'direction', 'entity_kind', 'entity_id'])
        .execute();

      await withId(db.schema.createTable('outbox'), dialect)
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('outbox_lease').on('outbox').columns(['status', 'lease_expires_at']).execute();

      await db.schema
        .createTable('webhook_receipts')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('webhook_receipts_pk', ['source', 'webhook_id'])
        .execute();
      await db.schema.createIndex('webhook_receipts_received').on('webhook_receipts').column('received_at').execute();

      await withId(db.schema.createTable('inbound_events'), dialect)
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('location_id', 'text')
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'text')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('inbound_events_due')
        .on('inbound_events')
        .columns(['status', 'next_attempt_at'])
        .execute();

      await db.schema
        .createTable('sync_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('business_id', 'text')
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('read_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('unchanged_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('failed_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('errors', 'text', (c) => c.notNull())
        .addColumn('cursor', 'text')
        .execute();
      await db.schema
        .createIndex('sync_runs_location_started')
        .on('sync_runs')
        .columns(['location_id', 'started_at'])
        .execute();

      await db.schema
        .createTable('sync_cursors')
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sync_cursors_pk', ['location_id', 'scope'])
        .execute();

      await db.schema
        .createTable('oauth_tokens')
        .addColumn('subject_kind', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('company_id', 'text')
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('iv', 'text', (c) => c.notNull())
        .addColumn('auth_tag', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('last_refresh_at', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('oauth_tokens_pk', ['subject_kind', 'subject_id'])
        .execute();
      await db.schema.createIndex('oauth_tokens_expiry').on('oauth_tokens').columns(['status', 'expires_at']).execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('locations', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();

      await db.schema
        .createTable('secrets')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('iv', 'text', (c) => c.notNull())
        .addColumn('auth_tag', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * The sync engine's job queue. Releases before this migration created the table on start from
 * the jobs repository (CREATE TABLE IF NOT EXISTS), hence `ifNotExists` here: such a database
 * already has it, with these very columns.
 */
const syncJobs: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('sync_jobs')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // Claims look for the oldest pending (or lease-expired) job.
    await db.schema
      .createIndex('sync_jobs_claim')
      .ifNotExists()
      .on('sync_jobs')
      .columns(['status', 'created_at'])
      .execute();
  },
};

/**
 * The outbox's entity key: "is an earlier write of this record still queued?" (asked before every
 * direct Roofr write) was a prefix scan over the idempotency keys of every pending row. Rows
 * queued before this migration get the key their idempotency key starts with: the sync's keys
 * are `g2r:<location>:<kind>:<id>:<write kind>:<digest>` (src/sync/roofr-writes.ts), the entity key
 * that same text up to and with the `:` after the id. Other keys have no entity (null).
 */
const outboxEntityKey: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const outbox = db as Kysely<{ outbox: { id: number; idempotency_key: string; entity_key: string | null } }>;
    await outbox.schema.alterTable('outbox').addColumn('entity_key', 'text').execute();
    await outbox.schema.createIndex('outbox_entity').on('outbox').columns(['entity_key', 'status']).execute();
    const rows = await outbox
      .selectFrom('outbox')
      .select(['id', 'idempotency_key'])
      .where('idempotency_key', 'like', 'g2r:%')
      .execute();
    for (const row of rows) {
      const parts = row.idempotency_key.split(':');
      if (parts.length < 6) continue;
      await outbox
        .updateTable('outbox')
        .set({ entity_key: `${parts.slice(0, -2).join(':')}:` })
        .where('id', '=', row.id)
        .execute();
    }
  },
};

/**
 * Sync jobs join the store's one leased-queue protocol, which retries a failed row at its
 * `next_attempt_at` (backoff) instead of at once. The column is added nullable (SQLite cannot add
 * a NOT NULL column without a constant default) and every existing row gets its created_at, so
 * jobs queued by an older release are due at once and keep their order; new rows always set it.
 */
const syncJobsDue: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const jobs = db as Kysely<{ sync_jobs: { next_attempt_at: string | null; created_at: string } }>;
    await jobs.schema.alterTable('sync_jobs').addColumn('next_attempt_at', 'text').execute();
    await jobs
      .updateTable('sync_jobs')
      .set((eb) => ({ next_attempt_at: eb.ref('created_at') }))
      .execute();
    await jobs.schema.createIndex('sync_jobs_due').on('sync_jobs').columns(['status', 'next_attempt_at']).execute();
  },
};

/**
 * A Roofr webhook in OAuth (multi-location) mode finds its location through the links of the
 * records it names, looked up by record without a location (links-repo locationsLinking); the
 * unique constraints all start with location_id, so these lookups need their own indexes.
 */
const linksByRecord: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.createIndex('links_by_roofr_record').on('links').columns(['roofr_kind', 'roofr_id']).execute();
    await db.schema.createIndex('links_by_ghl_record').on('links').columns(['ghl_kind', 'ghl_id']).execute();
  },
};

/**
 * Trusted documents (persisted operations) registered with `npm run auth -- documents register`,
 * read by every replica; and the API key's documents mode (allow-any / trusted-only; null: the
 * gateway's TRUSTED_DOCUMENTS_DEFAULT_MODE). A document's id is what clients send (documentId or
 * Apollo's sha256Hash); `sha256` is of its text, so a trusted client may also send the text itself.
 */
const trustedDocuments: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('trusted_documents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('operation_name', 'text')
      .addColumn('app', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('trusted_documents_sha256').on('trusted_documents').column('sha256').execute();
    await db.schema.alterTable('api_keys').addColumn('documents', 'text').execute();
  },
};

/**
 * Notifications (src/notify/): the dedup state per kind and location, the messages produced, the
 * signed-webhook outbox (a fourth queue of the one leased-queue protocol) and Zapier REST hook
 * subscriptions. The list is paged newest first within one location, hence (location_id, id).
 */
function notifications(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('notification_conditions')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('occurrences', 'integer', (c) => c.notNull())
        .addColumn('opened_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('last_notified_at', 'text', (c) => c.notNull())
        .addColumn('resolved_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('notification_conditions_pk', ['kind', 'location_id'])
        .execute();

      await withId(db.schema.createTable('notifications'), dialect)
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('remedy', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('occurrences', 'integer', (c) => c.notNull())
        .addColumn('first_seen_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('notifications_by_location')
        .on('notifications')
        .columns(['location_id', 'id'])
        .execute();

      await withId(db.schema.createTable('hook_deliveries'), dialect)
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('event_kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('hook_deliveries_due')
        .on('hook_deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute();

      await db.schema
        .createTable('zapier_hooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('target_url', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('subscriber', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('zapier_hooks_target', ['location_id', 'event', 'target_url'])
        .execute();
      await db.schema
        .createIndex('zapier_hooks_by_event')
        .on('zapier_hooks')
        .columns(['event', 'location_id'])
        .execute();
    },
  };
}

/**
 * Dry runs and integrity checks (src/sync/dry-run-sink.ts, src/sync/verify-run.ts). A run gets
 * its kind (sync, dry_run, verify; every older run was a sync), the two counts only those report
 * (records skipped for a reason, updates that would overwrite a change made in Roofr) and a
 * summary (JSON: per-record-kind tallies, a sample's confidence). Its plan (a dry run: what would
 * be written, field by field; a verify: what it found and the repair queued) is rows of
 * `sync_run_entries`, one per record and target, `entry_key` unique per run so a page redone
 * after a crash records each entry once; `id` orders them and is the paging cursor.
 */
function runReports(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('sync_runs')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('sync'))
        .execute();
      await db.schema
        .alterTable('sync_runs')
        .addColumn('skipped_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('sync_runs')
        .addColumn('conflict_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('sync_runs').addColumn('summary', 'text').execute();
      await withId(db.schema.createTable('sync_run_entries'), dialect)
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('entry_key', 'text', (c) => c.notNull())
        .addColumn('entity_kind', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('target_kind', 'text', (c) => c.notNull())
        .addColumn('roofr_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('fields_omitted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('repair', 'text')
        .addColumn('outbox_id', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('sync_run_entries_key', ['run_id', 'entry_key'])
        .execute();
      await db.schema.createIndex('sync_run_entries_run').on('sync_run_entries').columns(['run_id', 'id']).execute();
    },
  };
}

/**
 * One sync job in flight per location (sync-jobs-repo.ts): the job's location as a column, and a
 * unique index over the in-flight rows' locations, so two workers claiming jobs of one location at
 * the same moment cannot both succeed (the claim skips a location with a job in flight; the index
 * settles a race). Rows in flight while this runs (an older release may have run two of one
 * location) keep no location, so the index can be built; every other row gets its spec's.
 */
const syncJobsPerLocation: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const jobs = db as Kysely<{ sync_jobs: { id: string; spec: string; status: string; location_id: string | null } }>;
    await jobs.schema.alterTable('sync_jobs').addColumn('location_id', 'text').execute();
    const rows = await jobs.selectFrom('sync_jobs').select(['id', 'spec']).where('status', '<>', 'in_flight').execute();
    for (const row of rows) {
      let locationId: unknown = null;
      try {
        locationId = (JSON.parse(row.spec) as { locationId?: unknown }).locationId;
      } catch {
        // A spec that does not parse goes dead at its claim; it needs no location.
      }
      if (typeof locationId === 'string')
        await jobs.updateTable('sync_jobs').set({ location_id: locationId }).where('id', '=', row.id).execute();
    }
    await jobs.schema
      .createIndex('sync_jobs_one_in_flight_per_location')
      .unique()
      .on('sync_jobs')
      .column('location_id')
      .where(sql.ref('status'), '=', 'in_flight')
      .execute();
  },
};

/** Every migration, by name; names sort in the order they must run. */
export function storeMigrations(dialect: StoreDialect): Record<string, Migration> {
  return {
    '0001_initial': initialSchema(dialect),
    '0002_sync_jobs': syncJobs,
    '0003_outbox_entity_key': outboxEntityKey,
    '0004_sync_jobs_due': syncJobsDue,
    '0005_links_by_record': linksByRecord,
    '0006_trusted_documents': trustedDocuments,
    '0007_notifications': notifications(dialect),
    '0008_run_reports': runReports(dialect),
    '0009_sync_jobs_per_location': syncJobsPerLocation,
  };
}

const MIGRATION_RETRIES = 3;

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/**
 * Runs every pending migration; throws a MigrationError naming the one that failed.
 * `schema`: the PostgreSQL schema the store lives in when it is not `public`. Kysely looks for
 * its bookkeeping tables across all schemas unless told which one, and would otherwise take
 * another schema's `kysely_migration` for its own.
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  dialect: StoreDialect,
  options: { schema?: string } = {},
): Promise<string[]> {
  const migrations = storeMigrations(dialect);
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const migrator = new Migrator({
    db,
    provider,
    ...(options.schema !== undefined ? { migrationTableSchema: options.schema } : {}),
  });
  let outcome = await migrator.migrateToLatest();
  // Before taking its lock, Kysely introspects every schema of the database; on PostgreSQL
  // that query fails if another schema is dropped meanwhile (e.g. a parallel test run). Such a
  // failure happens before any migration ran (no result is an Error), so it is retried.
  for (
    let retry = 1;
    retry <= MIGRATION_RETRIES && outcome.error !== undefined && !outcome.results?.some((r) => r.status === 'Error');
    retry += 1
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50 * retry));
    outcome = await migrator.migrateToLatest();
  }
  const { error, results } = outcome;
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(
      `Database migration ${failed} failed: ${reason}. Check DATABASE_URL and the database's permissions.`,
      { cause: error },
    );
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
