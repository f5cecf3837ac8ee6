/**
 * The store factory: opens SQLite (better-sqlite3, the embedded default) or PostgreSQL (pg Pool)
 * from DATABASE_URL, runs the migrations, and returns every repository over one connection.
 * Only the driver DATABASE_URL names is imported: a process keeps one database client in memory.
 * The composition root calls it once; tests call it per test with `sqlite::memory:` or a schema
 * of their own on PostgreSQL.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import { createApiKeysRepo, type ApiKeysRepo } from './api-keys-repo.js';
import type { BoundedPool } from './bounded-pg-pool.js';
import { createTrustedDocumentsRepo, type TrustedDocumentsRepo } from './trusted-documents-repo.js';
import { createCursorsRepo, type CursorsRepo } from './cursors-repo.js';
import { createGroupCommit, type GroupCommit } from './group-commit.js';
import type { GatewayEventSink } from '../domain/gateway-events.js';
import { createHookDeliveriesRepo, type HookDeliveriesRepo } from './hook-deliveries-repo.js';
import { createNotificationsRepo, type NotificationsRepo } from './notifications-repo.js';
import { createZapierHooksRepo, type ZapierHooksRepo } from './zapier-hooks-repo.js';
import { parseDatabaseUrl } from './database-url.js';
import { createHashesRepo, type HashesRepo } from './hashes-repo.js';
import { createLinksRepo, type LinksRepo } from './links-repo.js';
import { MigrationError, migrateToLatest, type StoreDialect } from './migrations.js';
import { createOutboxRepo, type OutboxRepo } from './outbox-repo.js';
import type { Database } from './schema.js';
import { createSecretsRepo, type SecretsRepo } from './secrets-repo.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import type { Clock, StoreContext } from './store-context.js';
import { createSyncJobsRepo, type SyncJobsRepo } from './sync-jobs-repo.js';
import { createSyncRunEntriesRepo, type SyncRunEntriesRepo } from './sync-run-entries-repo.js';
import { createSyncRunsRepo, type SyncRunsRepo } from './sync-runs-repo.js';
import { createTokensRepo, type TokensRepo } from './tokens-repo.js';
import { createWebhooksRepo, type WebhooksRepo } from './webhooks-repo.js';

const DEFAULT_OUTBOX_MAX_ATTEMPTS = 8;
const DEFAULT_HOOK_DELIVERY_MAX_ATTEMPTS = 10;

export interface OpenStoreOptions {
  /** OUTBOX_MAX_ATTEMPTS: claims of an outbox entry before it becomes a dead letter. */
  outboxMaxAttempts?: number;
  /** Same for queued inbound webhook events; default outboxMaxAttempts. */
  inboundMaxAttempts?: number;
  /** Time source of leases, timestamps and due dates; tests move it instead of waiting. */
  now?: Clock;
  /** Where runs that finished and rows that went dead are reported (notifications, Zapier). */
  events?: GatewayEventSink;
  /** Attempts of a notification or Zapier delivery before it is given up (NOTIFY_MAX_ATTEMPTS); default 10. */
  hookDeliveryMaxAttempts?: number;
  postgres?: {
    /** A schema to work in (search_path), e.g. one per test run; it must exist. */
    searchPath?: string;
    /** Pool size (DATABASE_POOL_SIZE); default 10. */
    max?: number;
    /** Errors of idle pooled connections (the next query reports its own error anyway). */
    onIdleError?: (error: Error) => void;
    /**
     * DEPENDENCY_TIMEOUT_MS: longest a connection attempt or (after the migrations) a query may
     * take before the call fails with DependencyUnavailableError. Default 3000.
     */
    timeoutMs?: number;
  };
}

export interface Store {
  /** For transactions spanning repositories: `store.db.transaction().execute(trx => …)`, then
   * pass `trx` to the write methods that take one. */
  db: Kysely<Database>;
  dialect: StoreDialect;
  /** Migrations applied by this open (empty when the schema was already current). */
  appliedMigrations: string[];
  /** Shares one transaction among small writes issued together (group-commit.ts). */
  commits: GroupCommit;
  links: LinksRepo;
  hashes: HashesRepo;
  outbox: OutboxRepo;
  webhooks: WebhooksRepo;
  /** The sync engine's default job queue (SYNC_QUEUE=store). */
  syncJobs: SyncJobsRepo;
  syncRuns: SyncRunsRepo;
  /** The plans of dry runs and the findings of verifies. */
  syncRunEntries: SyncRunEntriesRepo;
  cursors: CursorsRepo;
  tokens: TokensRepo;
  apiKeys: ApiKeysRepo;
  secrets: SecretsRepo;
  /** Trusted documents registered through the CLI (the gateway also reads manifest files). */
  trustedDocuments: TrustedDocumentsRepo;
  /** Notifications and their dedup conditions (src/notify/). */
  notifications: NotificationsRepo;
  /** The signed-webhook outbox of notifications and Zapier deliveries. */
  hookDeliveries: HookDeliveriesRepo;
  zapierHooks: ZapierHooksRepo;
  /** Closes the connection(s); waits for queries in progress. Safe to call twice. */
  close(): Promise<void>;
}

class StoreOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreOpenError';
  }
}

/** The URL without its password, for error messages. */
function redactUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return databaseUrl.split(':')[0] ?? 'database';
  }
}

const SEARCH_PATH = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** PostgreSQL connections of a process when OpenStoreOptions.postgres.max is not given (DATABASE_POOL_SIZE). */
const DEFAULT_POOL_SIZE = 10;

/**
 * Group commits a store runs side by side (group-commit.ts): one on SQLite (one writer); on
 * PostgreSQL a third of the pool, so the rest of it stays for reads and the queues' own statements.
 */
function commitLanes(dialect: StoreDialect, poolSize: number): number {
  return dialect === 'sqlite' ? 1 : Math.max(1, Math.floor(poolSize / 3));
}

async function openKysely(
  databaseUrl: string,
  options: OpenStoreOptions,
): Promise<{ db: Kysely<Database>; dialect: StoreDialect; pool: BoundedPool | null }> {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.dialect === 'sqlite') {
    if (target.filename !== ':memory:') mkdirSync(dirname(target.filename), { recursive: true });
    const { default: SqliteDatabase } = await import('better-sqlite3');
    const database = new SqliteDatabase(target.filename);
    // WAL: readers do not block the writer; busy_timeout: a second handle on the same file
    // (a CLI, a test reopening it) waits for the lock instead of failing at once.
    if (target.filename !== ':memory:') database.pragma('journal_mode = WAL');
    // NORMAL under WAL: a commit survives a crash of the process (the sync crash test kills it
    // mid-run); only a power loss can drop the last commits, which the idempotent resume redoes.
    // FULL fsynced every autocommit and cost the batch sync more than its Roofr requests.
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    return {
      db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }),
      dialect: 'sqlite',
      pool: null,
    };
  }
  const searchPath = options.postgres?.searchPath;
  if (searchPath !== undefined && !SEARCH_PATH.test(searchPath)) {
    throw new Error(`postgres searchPath "${searchPath}" is not a plain schema name`);
  }
  const [{ default: pg }, { boundedPool, DEFAULT_DEPENDENCY_TIMEOUT_MS }] = await Promise.all([
    import('pg'),
    import('./bounded-pg-pool.js'),
  ]);
  const timeoutMs = options.postgres?.timeoutMs ?? DEFAULT_DEPENDENCY_TIMEOUT_MS;
  const pgPool = new pg.Pool({
    connectionString: target.connectionString,
    max: options.postgres?.max ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: timeoutMs,
    ...(searchPath !== undefined ? { options: `-c search_path=${searchPath}` } : {}),
  });
  // Without a listener, an idle connection dropped by the server would crash the process.
  pgPool.on('error', (error) => options.postgres?.onIdleError?.(error));
  const pool = boundedPool(pgPool, timeoutMs);
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres', pool };
}

/**
 * The schema unqualified names resolve to (search_path), named to the Migrator explicitly:
 * Kysely otherwise finds its bookkeeping tables in any schema of the database.
 */
async function currentSchema(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (schema === null || schema === undefined)
    throw new Error(
      'PostgreSQL has no current schema: the search_path names no existing schema; create it or fix DATABASE_URL',
    );
  return schema;
}

/** Opens the database named by DATABASE_URL and brings its schema up to date. */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const { db, dialect, pool } = await openKysely(databaseUrl, options);
  let appliedMigrations: string[];
  try {
    appliedMigrations = await migrateToLatest(
      db,
      dialect,
      dialect === 'postgres' ? { schema: await currentSchema(db) } : {},
    );
  } catch (error) {
    await db.destroy();
    if (error instanceof MigrationError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreOpenError(
      `Could not open the database ${redactUrl(databaseUrl)}: ${reason}. Check DATABASE_URL and that the database is running.`,
      { cause: error },
    );
  }

  // Migrated: from now on no query may hang (long DDL above was allowed to take its time).
  pool?.boundQueries();
  const ctx: StoreContext = {
    db,
    dialect,
    now: options.now ?? (() => new Date()),
    ...(options.events === undefined ? {} : { events: options.events }),
  };
  const outboxMaxAttempts = options.outboxMaxAttempts ?? DEFAULT_OUTBOX_MAX_ATTEMPTS;
  let closing: Promise<void> | undefined;

  return {
    db,
    dialect,
    appliedMigrations,
    commits: createGroupCommit(db, { lanes: commitLanes(dialect, options.postgres?.max ?? DEFAULT_POOL_SIZE) }),
    links: createLinksRepo(ctx),
    hashes: createHashesRepo(ctx),
    outbox: createOutboxRepo(ctx, { maxAttempts: outboxMaxAttempts }),
    webhooks: createWebhooksRepo(ctx, { maxAttempts: options.inboundMaxAttempts ?? outboxMaxAttempts }),
    syncJobs: createSyncJobsRepo(ctx),
    syncRuns: createSyncRunsRepo(ctx),
    syncRunEntries: createSyncRunEntriesRepo(ctx),
    cursors: createCursorsRepo(ctx),
    tokens: createTokensRepo(ctx),
    apiKeys: createApiKeysRepo(ctx),
    secrets: createSecretsRepo(ctx),
    trustedDocuments: createTrustedDocumentsRepo(ctx),
    notifications: createNotificationsRepo(ctx),
    hookDeliveries: createHookDeliveriesRepo(ctx, {
      maxAttempts: options.hookDeliveryMaxAttempts ?? DEFAULT_HOOK_DELIVERY_MAX_ATTEMPTS,
    }),
    zapierHooks: createZapierHooksRepo(ctx),
    close() {
      closing ??= db.destroy();
      return closing;
    },
  };
}
