/**
 * Sync runs: one row per run (manual, scheduled, webhook-triggered…) with its counts, errors
 * and the cursor it reached, so an operator can see what a sync did and a resumed run knows
 * where the last one stopped. Counts are added with SQL arithmetic, so concurrent progress
 * reports from parallel batches never lose an increment. A run's kind says whether it wrote
 * (sync), only planned (dry_run) or compared both sides (verify); the latter two also keep a
 * summary (tallies per record kind, a sample's confidence) merged in the same transaction as
 * their counts, and their entries in sync-run-entries-repo.ts.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import type { GatewayEvent } from '../domain/gateway-events.js';
import { clampPageSize, InvalidCursorError, toPage, type Page } from './paging.js';
import type { SyncRunKind, SyncRunStatus, SyncRunsTable } from './schema.js';
import { inTransaction, isoAt, type Executor, type StoreContext } from './store-context.js';

export const SyncRunErrorSchema = z.object({
  message: z.string(),
  code: z.string().optional(),
  entityKind: z.string().optional(),
  entityId: z.string().optional(),
  at: z.string().optional(),
});
export type SyncRunError = z.infer<typeof SyncRunErrorSchema>;
const SyncRunErrorsSchema = z.array(SyncRunErrorSchema);

/** Errors kept per run: enough to diagnose, bounded so a run failing everything stays small. */
const MAX_RUN_ERRORS = 100;

export interface SyncRunCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** Records skipped for a reason (the adapter cannot carry them, no mapping rules); dry runs and verifies. */
  skipped: number;
  /** Dry run: updates that would overwrite a change made in Roofr. Verify: records with findings. */
  conflicts: number;
}

const SampleSummarySchema = z.object({
  population: z.number().int(),
  sampled: z.number().int(),
  withFindings: z.number().int(),
  confidence: z.number(),
  maxAffected: z.number().int(),
  maxAffectedPercent: z.number(),
  statement: z.string(),
});

/** What a dry run or verify reports beyond its counts. */
const RunSummarySchema = z.object({
  /** Records per "<target kind>.<ACTION>", e.g. "customer.CREATE": 3 (every record, also past the entry cap). */
  tallies: z.record(z.string(), z.number().int()).default({}),
  /** Entries past the run's cap: in the tallies, not in the stored plan. */
  omittedEntries: z.number().int().default(0),
  /** Roofr reads the run made (dry run: for the field diffs of updates; verify: every comparison). */
  roofrReads: z.number().int().default(0),
  /** HighLevel requests the run sent (all on the background lane). */
  ghlCalls: z.number().int().default(0),
  /** Verify: what was checked, and what a sample says about the rest. */
  sample: SampleSummarySchema.nullable().default(null),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

function emptySummary(): RunSummary {
  return { tallies: {}, omittedEntries: 0, roofrReads: 0, ghlCalls: 0, sample: null };
}

/** Adds counters; a given sample replaces the stored one. */
function mergeSummary(into: RunSummary, delta: Partial<RunSummary>): RunSummary {
  const tallies = { ...into.tallies };
  for (const [key, count] of Object.entries(delta.tallies ?? {})) tallies[key] = (tallies[key] ?? 0) + count;
  return {
    tallies,
    omittedEntries: into.omittedEntries + (delta.omittedEntries ?? 0),
    roofrReads: into.roofrReads + (delta.roofrReads ?? 0),
    ghlCalls: into.ghlCalls + (delta.ghlCalls ?? 0),
    sample: delta.sample ?? into.sample,
  };
}

function parseSummary(text: string | null): RunSummary | null {
  if (text === null) return null;
  try {
    const parsed = RunSummarySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : emptySummary();
  } catch {
    return emptySummary();
  }
}

export interface SyncRun {
  id: string;
  /** What started it, e.g. "manual", "schedule", "webhook", "startup". */
  trigger: string;
  locationId: string;
  businessId: string | null;
  /** sync writes; dry_run only plans; verify compares both sides (and may queue repairs). */
  kind: SyncRunKind;
  /** e.g. "full" or "incremental"; owned by the sync layer. */
  mode: string;
  status: SyncRunStatus;
  counts: SyncRunCounts;
  startedAt: string;
  finishedAt: string | null;
  errors: SyncRunError[];
  cursor: string | null;
  /** Dry runs and verifies; null for syncs. */
  summary: RunSummary | null;
}

export interface StartSyncRunInput {
  trigger: string;
  locationId: string;
  businessId?: string | null;
  /** Default sync. */
  kind?: SyncRunKind;
  mode: string;
  /** Optional caller-chosen id (e.g. a job id); default a random UUID. */
  id?: string;
}

export interface SyncRunProgress {
  counts?: Partial<SyncRunCounts>;
  errors?: SyncRunError[];
  cursor?: string | null;
  /** Merged into the run's summary (counters added, a sample replaced). */
  summary?: Partial<RunSummary>;
}

export interface SyncRunsRepo {
  /** Records a running run; in the caller's transaction when given one (e.g. with its queued job). */
  start(input: StartSyncRunInput, trx?: Executor): Promise<SyncRun>;
  /** Adds counts, appends errors (up to MAX_RUN_ERRORS) and moves the cursor of a run. */
  recordProgress(id: string, progress: SyncRunProgress): Promise<SyncRun | null>;
  /** Ends a running run; null when it is unknown or already finished. */
  finish(id: string, outcome: SyncRunProgress & { status: Exclude<SyncRunStatus, 'running'> }): Promise<SyncRun | null>;
  get(id: string): Promise<SyncRun | null>;
  /** Newest first. */
  list(page: { first: number; after?: string | null; locationId?: string }): Promise<Page<SyncRun>>;
  latest(locationId: string, status?: SyncRunStatus): Promise<SyncRun | null>;
  /** Marks runs still "running" that started before `before` as failed: their process died. */
  abandonRunning(before: Date): Promise<number>;
}

function parseErrors(text: string): SyncRunError[] {
  const parsed = SyncRunErrorsSchema.safeParse(JSON.parse(text));
  // A malformed errors column is reported as one error rather than hiding the run.
  return parsed.success ? parsed.data : [{ message: 'stored errors of this run are unreadable' }];
}

function toRun(row: Selectable<SyncRunsTable>): SyncRun {
  return {
    id: row.id,
    trigger: row.trigger,
    locationId: row.location_id,
    businessId: row.business_id,
    kind: row.kind,
    mode: row.mode,
    status: row.status,
    counts: {
      read: row.read_count,
      created: row.created_count,
      updated: row.updated_count,
      unchanged: row.unchanged_count,
      failed: row.failed_count,
      skipped: row.skipped_count,
      conflicts: row.conflict_count,
    },
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    errors: parseErrors(row.errors),
    cursor: row.cursor,
    summary: parseSummary(row.summary),
  };
}

const RunCursorSchema = z.object({ s: z.string(), i: z.string() });

function encodeRunCursor(run: SyncRun): string {
  return Buffer.from(JSON.stringify({ s: run.startedAt, i: run.id })).toString('base64url');
}

function decodeRunCursor(after: string): { startedAt: string; id: string } {
  try {
    const parsed = RunCursorSchema.parse(JSON.parse(Buffer.from(after, 'base64url').toString('utf8')));
    return { startedAt: parsed.s, id: parsed.i };
  } catch {
    throw new InvalidCursorError(after);
  }
}

/** Errors a finished-run event carries: enough for a one-sentence summary. */
const EVENT_ERRORS = 3;

function finishedEvent(run: SyncRun, status: Exclude<SyncRunStatus, 'running'>, at: string): GatewayEvent {
  return {
    type: 'sync_run.finished',
    at,
    run: {
      id: run.id,
      trigger: run.trigger,
      locationId: run.locationId,
      businessId: run.businessId,
      mode: run.mode,
      status,
      counts: run.counts,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      errors: run.errors.slice(0, EVENT_ERRORS).map((error) => ({ code: error.code, message: error.message })),
    },
  };
}

export function createSyncRunsRepo(ctx: StoreContext): SyncRunsRepo {
  const { db } = ctx;

  async function get(id: string): Promise<SyncRun | null> {
    const row = await db.selectFrom('sync_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : toRun(row);
  }

  async function applyProgress(
    id: string,
    progress: SyncRunProgress,
    finish?: Exclude<SyncRunStatus, 'running'>,
  ): Promise<SyncRun | null> {
    return inTransaction(db, async (tx) => {
      // Errors are appended read-modify-write: lock the row on PostgreSQL so concurrent reports
      // of one run do not drop each other's errors (SQLite transactions are already exclusive).
      const row = await tx
        .selectFrom('sync_runs')
        .select(['status', 'errors', 'summary'])
        .where('id', '=', id)
        .$if(ctx.dialect === 'postgres', (query) => query.forUpdate())
        .executeTakeFirst();
      if (row === undefined || (finish !== undefined && row.status !== 'running')) return null;
      const counts = progress.counts ?? {};
      const errors =
        progress.errors !== undefined && progress.errors.length > 0
          ? [...parseErrors(row.errors), ...progress.errors].slice(0, MAX_RUN_ERRORS)
          : undefined;
      const summary =
        progress.summary === undefined
          ? undefined
          : mergeSummary(parseSummary(row.summary) ?? emptySummary(), progress.summary);
      const nowIso = isoAt(ctx.now());
      await tx
        .updateTable('sync_runs')
        .set((eb) => ({
          read_count: eb('read_count', '+', counts.read ?? 0),
          created_count: eb('created_count', '+', counts.created ?? 0),
          updated_count: eb('updated_count', '+', counts.updated ?? 0),
          unchanged_count: eb('unchanged_count', '+', counts.unchanged ?? 0),
          failed_count: eb('failed_count', '+', counts.failed ?? 0),
          skipped_count: eb('skipped_count', '+', counts.skipped ?? 0),
          conflict_count: eb('conflict_count', '+', counts.conflicts ?? 0),
          ...(summary !== undefined ? { summary: JSON.stringify(summary) } : {}),
          ...(errors !== undefined ? { errors: JSON.stringify(errors) } : {}),
          ...(progress.cursor !== undefined ? { cursor: progress.cursor } : {}),
          ...(finish !== undefined ? { status: finish, finished_at: nowIso } : {}),
        }))
        .where('id', '=', id)
        .execute();
      const updated = await tx.selectFrom('sync_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return toRun(updated);
    });
  }

  return {
    async start(input, trx) {
      const row = await (trx ?? db)
        .insertInto('sync_runs')
        .values({
          id: input.id ?? randomUUID(),
          trigger: input.trigger,
          location_id: input.locationId,
          business_id: input.businessId ?? null,
          kind: input.kind ?? 'sync',
          mode: input.mode,
          status: 'running',
          read_count: 0,
          created_count: 0,
          updated_count: 0,
          unchanged_count: 0,
          failed_count: 0,
          started_at: isoAt(ctx.now()),
          finished_at: null,
          errors: '[]',
          cursor: null,
          summary: (input.kind ?? 'sync') === 'sync' ? null : JSON.stringify(emptySummary()),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRun(row);
    },

    recordProgress: (id, progress) => applyProgress(id, progress),

    async finish(id, outcome) {
      const run = await applyProgress(id, outcome, outcome.status);
      // Only the call that finished the run reports it (a second finish returns null).
      if (run !== null && run.status !== 'running') ctx.events?.emit(finishedEvent(run, run.status, isoAt(ctx.now())));
      return run;
    },

    get,

    async list(page) {
      const limit = clampPageSize(page.first);
      let query = db
        .selectFrom('sync_runs')
        .selectAll()
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (page.locationId !== undefined) query = query.where('location_id', '=', page.locationId);
      if (page.after !== undefined && page.after !== null && page.after !== '') {
        const cursor = decodeRunCursor(page.after);
        query = query.where((eb) =>
          eb.or([
            eb('started_at', '<', cursor.startedAt),
            eb.and([eb('started_at', '=', cursor.startedAt), eb('id', '<', cursor.id)]),
          ]),
        );
      }
      const rows = await query.execute();
      return toPage(rows.map(toRun), limit, encodeRunCursor);
    },

    async latest(locationId, status) {
      let query = db
        .selectFrom('sync_runs')
        .selectAll()
        .where('location_id', '=', locationId)
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1);
      if (status !== undefined) query = query.where('status', '=', status);
      const row = await query.executeTakeFirst();
      return row === undefined ? null : toRun(row);
    },

    async abandonRunning(before) {
      const nowIso = isoAt(ctx.now());
      const note = JSON.stringify({
        message: 'abandoned: the process running it stopped before it finished',
        at: nowIso,
      });
      const result = await db
        .updateTable('sync_runs')
        .set({
          status: 'failed',
          finished_at: nowIso,
          // Appends to the JSON array text without parsing it in SQL (portable across dialects).
          errors: sql<string>`case when errors = '[]' then ${`[${note}]`} else substr(errors, 1, length(errors) - 1) || ${`,${note}]`} end`,
        })
        .where('status', '=', 'running')
        .where('started_at', '<', isoAt(before))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
