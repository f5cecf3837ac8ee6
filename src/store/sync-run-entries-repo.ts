/**
 * The entries of a dry run (its plan: per record, what a real run would write and the fields it
 * would change) and of a verify (its findings, with the repair queued for each). Bounded on
 * every axis, because a location can have a million contacts: at most `cap` entries per run
 * (the run's tallies still count every record), at most MAX_ENTRY_FIELDS fields per entry (the
 * rest counted in `fieldsOmitted`), string values cut at MAX_FIELD_CHARS. An entry is keyed by
 * (run, entry key): a page redone after a crash records its entries once. Entries page in the
 * order they were recorded, by id (the cursor).
 */
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { clampPageSize, decodeIdCursor, toPage, type Page } from './paging.js';
import type { SyncRunEntriesTable } from './schema.js';
import { inTransaction, isoAt, type StoreContext } from './store-context.js';

/** Entries kept per run by default (the plan past it is counted, not stored). */
export const DEFAULT_MAX_RUN_ENTRIES = 10_000;
export const MAX_ENTRY_FIELDS = 50;
export const MAX_FIELD_CHARS = 500;

const RunEntryFieldSchema = z.object({ field: z.string(), from: z.unknown(), to: z.unknown() });
export type RunEntryField = z.infer<typeof RunEntryFieldSchema>;
const FieldsSchema = z.array(RunEntryFieldSchema);

/** What a verify did about a finding. */
export type RepairStatus = 'queued' | 'already_queued' | 'manual' | 'retired' | 'none';

export interface RunEntryInput {
  /** Unique within the run, e.g. "contact:abc>customer". */
  entryKey: string;
  entityKind: string;
  entityId: string;
  targetKind: string;
  roofrId: string | null;
  action: string;
  reason: string | null;
  fields: RunEntryField[];
  repair?: RepairStatus | null;
  outboxId?: number | null;
}

export interface RunEntry extends Required<Omit<RunEntryInput, 'entryKey'>> {
  id: number;
  runId: string;
  fieldsOmitted: number;
  createdAt: string;
}

export interface AppendResult {
  stored: number;
  /** Entries left out because the run reached its cap. */
  omitted: number;
}

export interface SyncRunEntriesRepo {
  append(runId: string, entries: readonly RunEntryInput[], cap?: number): Promise<AppendResult>;
  /** In the order recorded. */
  list(runId: string, page: { first: number; after?: string | null }): Promise<Page<RunEntry>>;
  count(runId: string): Promise<number>;
}

function bounded(value: unknown): unknown {
  if (typeof value === 'string' && value.length > MAX_FIELD_CHARS) return `${value.slice(0, MAX_FIELD_CHARS)}…`;
  if (Array.isArray(value)) return value.slice(0, MAX_ENTRY_FIELDS).map(bounded);
  return value === undefined ? null : value;
}

function parseFields(text: string): RunEntryField[] {
  try {
    const parsed = FieldsSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Reported below as one unreadable field rather than hiding the entry.
  }
  return [{ field: '(unreadable)', from: null, to: null }];
}

function toEntry(row: Selectable<SyncRunEntriesTable>): RunEntry {
  return {
    id: row.id,
    runId: row.run_id,
    entityKind: row.entity_kind,
    entityId: row.entity_id,
    targetKind: row.target_kind,
    roofrId: row.roofr_id,
    action: row.action,
    reason: row.reason,
    fields: parseFields(row.fields),
    fieldsOmitted: row.fields_omitted,
    repair: (row.repair as RepairStatus | null) ?? null,
    outboxId: row.outbox_id,
    createdAt: row.created_at,
  };
}

export function createSyncRunEntriesRepo(ctx: StoreContext): SyncRunEntriesRepo {
  const { db } = ctx;

  async function count(runId: string, executor = db): Promise<number> {
    const row = await executor
      .selectFrom('sync_run_entries')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('run_id', '=', runId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  return {
    async append(runId, entries, cap = DEFAULT_MAX_RUN_ENTRIES) {
      if (entries.length === 0) return { stored: 0, omitted: 0 };
      return inTransaction(db, async (tx) => {
        // Entries already recorded (a redone page) neither count against the cap nor repeat.
        const known = new Set<string>();
        const keys = [...new Set(entries.map((entry) => entry.entryKey))];
        for (let start = 0; start < keys.length; start += 500) {
          const rows = await tx
            .selectFrom('sync_run_entries')
            .select('entry_key')
            .where('run_id', '=', runId)
            .where('entry_key', 'in', keys.slice(start, start + 500))
            .execute();
          for (const row of rows) known.add(row.entry_key);
        }
        const fresh = entries.filter((entry) => !known.has(entry.entryKey));
        const room = Math.max(0, cap - (await count(runId, tx)));
        const kept = fresh.slice(0, room);
        let stored = 0;
        const at = isoAt(ctx.now());
        // Chunks keep each statement well under SQLite's bound-parameter limit.
        for (let start = 0; start < kept.length; start += 200) {
          const rows = kept.slice(start, start + 200).map((entry) => ({
            run_id: runId,
            entry_key: entry.entryKey,
            entity_kind: entry.entityKind,
            entity_id: entry.entityId,
            target_kind: entry.targetKind,
            roofr_id: entry.roofrId,
            action: entry.action,
            reason: entry.reason,
            fields: JSON.stringify(
              entry.fields
                .slice(0, MAX_ENTRY_FIELDS)
                .map((field) => ({ field: field.field, from: bounded(field.from), to: bounded(field.to) })),
            ),
            fields_omitted: Math.max(0, entry.fields.length - MAX_ENTRY_FIELDS),
            repair: entry.repair ?? null,
            outbox_id: entry.outboxId ?? null,
            created_at: at,
          }));
          const inserted = await tx
            .insertInto('sync_run_entries')
            .values(rows)
            .onConflict((oc) => oc.columns(['run_id', 'entry_key']).doNothing())
            .returning('id')
            .execute();
          stored += inserted.length;
        }
        return { stored, omitted: fresh.length - kept.length };
      });
    },

    async list(runId, page) {
      const limit = clampPageSize(page.first);
      const rows = await db
        .selectFrom('sync_run_entries')
        .selectAll()
        .where('run_id', '=', runId)
        .where('id', '>', decodeIdCursor(page.after))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toEntry), limit, (entry) => String(entry.id));
    },

    count: (runId) => count(runId),
  };
}
