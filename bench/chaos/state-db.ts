/**
 * The run's state database: a fresh PostgreSQL database per run (created on the server the suite
 * is pointed at, dropped after, so runs and the shared `test` database never see each other),
 * and the few reads the suite makes of the gateway's durable state, independent of whether a
 * gateway is alive: a sync run's progress, where each accepted webhook ended, queue depths.
 * These read the store's tables (src/store/schema.ts) directly: if they are renamed, this is the
 * one file to follow.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface SyncRunRow {
  status: string;
  read: number;
  failed: number;
  counts: Record<string, number>;
  errors: unknown[];
  startedAt: string;
  finishedAt: string | null;
}

export type QueueDepths = Record<'inbound' | 'outbox', Record<string, number>>;

export interface StateDb {
  url: string;
  name: string;
  syncRun(id: string): Promise<SyncRunRow | null>;
  /** `${source}:${webhookId}` → status (pending, in_flight, done, dead) of every queued webhook. */
  inboundEvents(): Promise<Map<string, { status: string; attempts: number; lastError: string | null }>>;
  queueDepths(): Promise<QueueDepths>;
  close(): Promise<void>;
  drop(): Promise<void>;
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createStateDb(adminUrl: string): Promise<StateDb> {
  const name = `gw_chaos_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = databaseUrl(adminUrl, name);
  // One connection is plenty, and a pool keeps no client stuck while a gateway is killed.
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // pool.end() resolves before its idle connections have finished closing, so the DROP … WITH
  // (FORCE) that follows can terminate one mid-close; without a listener that error would be
  // thrown as an unhandled 'error' event. A query's own failure still rejects that query.
  pool.on('error', () => undefined);
  // The gateway creates the tables at its first start; before that every read finds nothing.
  const tablesExist = async (): Promise<boolean> => {
    const result = await pool.query<{ found: string | null }>(`select to_regclass('sync_runs')::text as found`);
    return result.rows[0]?.found !== null && result.rows[0]?.found !== undefined;
  };
  return {
    url,
    name,
    async syncRun(id) {
      if (!(await tablesExist())) return null;
      const result = await pool.query<{
        status: string;
        read_count: number;
        created_count: number;
        updated_count: number;
        unchanged_count: number;
        failed_count: number;
        errors: string;
        started_at: string;
        finished_at: string | null;
      }>('select * from sync_runs where id = $1', [id]);
      const row = result.rows[0];
      if (row === undefined) return null;
      let errors: unknown[] = [];
      try {
        errors = JSON.parse(row.errors) as unknown[];
      } catch {
        errors = [row.errors];
      }
      return {
        // Stored lower-case; the API (SyncRunStatus) and this suite speak upper-case.
        status: row.status.toUpperCase(),
        read: row.read_count,
        failed: row.failed_count,
        counts: {
          read: row.read_count,
          created: row.created_count,
          updated: row.updated_count,
          unchanged: row.unchanged_count,
          failed: row.failed_count,
        },
        errors,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
      };
    },
    async inboundEvents() {
      const events = new Map<string, { status: string; attempts: number; lastError: string | null }>();
      if (!(await tablesExist())) return events;
      const result = await pool.query<{
        source: string;
        webhook_id: string;
        status: string;
        attempts: number;
        last_error: string | null;
      }>('select source, webhook_id, status, attempts, last_error from inbound_events');
      for (const row of result.rows)
        events.set(`${row.source}:${row.webhook_id}`, {
          status: row.status,
          attempts: row.attempts,
          lastError: row.last_error,
        });
      return events;
    },
    async queueDepths() {
      const depths: QueueDepths = { inbound: {}, outbox: {} };
      if (!(await tablesExist())) return depths;
      for (const [key, table] of [
        ['inbound', 'inbound_events'],
        ['outbox', 'outbox'],
      ] as const) {
        const result = await pool.query<{ status: string; count: string }>(
          `select status, count(*) as count from ${table} group by status`,
        );
        for (const row of result.rows) depths[key][row.status] = Number(row.count);
      }
      return depths;
    },
    close: () => pool.end(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      // FORCE: a gateway killed without closing its pool must not keep the database alive.
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
