/**
 * How a dry run or a verify reads outside GraphQL: the summary table the CLIs print (records per
 * kind and action, from the run's tallies, so it counts every record even past the plan's cap),
 * the cost line (HighLevel calls on the background lane, Roofr reads), and the plan exported as
 * JSON or CSV, streamed page by page from the store so a 10,000-entry plan is never one string.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { RunEntry, SyncRunEntriesRepo } from '../store/sync-run-entries-repo.js';
import type { SyncRun } from '../store/sync-runs-repo.js';
import { callsPerContact } from './sync-progress.js';

const ACTION_ORDER = [
  'CREATE',
  'UPDATE',
  'CONFLICT',
  'UNCHANGED',
  'SKIP',
  'ARCHIVE',
  'DELETE',
  'MISSING_IN_ROOFR',
  'MISSING_IN_GHL',
  'DRIFT',
  'LINK_TO_DELETED',
  'DUPLICATE',
];
const TARGET_ORDER = ['customer', 'job', 'job_task', 'job_note', 'contact'];

function ordered(values: Iterable<string>, order: readonly string[]): string[] {
  const rank = (value: string): number => {
    const index = order.indexOf(value);
    return index === -1 ? order.length : index;
  };
  return [...new Set(values)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
        .join('  '),
    )
    .join('\n');
}

/** The run's tallies as a table: one row per target kind, one column per action seen. */
export function runSummaryTable(run: SyncRun): string {
  const tallies = run.summary?.tallies ?? {};
  const cells = new Map<string, number>();
  const targets: string[] = [];
  const actions: string[] = [];
  const repairs: string[] = [];
  for (const [key, count] of Object.entries(tallies)) {
    const dot = key.indexOf('.');
    const target = key.slice(0, dot);
    const action = key.slice(dot + 1);
    if (target === 'repair') {
      repairs.push(`${action.replace('_', ' ')} ${count}`);
      continue;
    }
    targets.push(target);
    actions.push(action);
    cells.set(key, count);
  }
  const columns = ordered(actions, ACTION_ORDER);
  const lines: string[] = [];
  if (columns.length === 0) lines.push(run.kind === 'verify' ? 'no findings' : 'nothing read');
  else
    lines.push(
      table([
        ['record', ...columns],
        ...ordered(targets, TARGET_ORDER).map((target) => [
          target,
          ...columns.map((action) => String(cells.get(`${target}.${action}`) ?? 0)),
        ]),
      ]),
    );
  if (repairs.length > 0) lines.push(`repairs: ${repairs.join(', ')}`);
  return lines.join('\n');
}

/**
 * What the run read and what it cost; a dry run adds what the real run would report. With the
 * page size, a verify also says what a sync of as many contacts costs (the comparison operators
 * budget by).
 */
export function runCostLine(run: SyncRun, pageSize?: number): string {
  const summary = run.summary;
  const ghl = `${summary?.ghlCalls ?? 0} HighLevel call(s) on the background lane`;
  const roofr = `${summary?.roofrReads ?? 0} Roofr read(s)`;
  const stored =
    summary !== null && summary.omittedEntries > 0
      ? ` The stored plan keeps the first entries; ${summary.omittedEntries} more are only counted.`
      : '';
  const { counts } = run;
  if (run.kind === 'dry_run')
    return `${counts.read} contact(s) read with ${ghl} (what the real run reads) and ${roofr} (for the diffs of updates). A real run would report: created ${counts.created}, updated ${counts.updated}, unchanged ${counts.unchanged} (contacts); ${counts.conflicts} record(s) would overwrite a change made in Roofr, ${counts.skipped} skipped.${stored}`;
  const sync =
    pageSize === undefined
      ? ''
      : ` (a sync of as many contacts: about ${Math.ceil(counts.read * callsPerContact(pageSize))})`;
  return `${counts.read} contact(s) checked: ${counts.unchanged} in agreement, ${counts.conflicts} with findings, ${counts.skipped} not judged (a write still queued), ${counts.failed} failed. Cost: ${ghl}${sync} and ${roofr}.${stored}`;
}

export type PlanFormat = 'json' | 'csv';

export function planFormatOf(file: string): PlanFormat | null {
  const lower = file.toLowerCase();
  return lower.endsWith('.json') ? 'json' : lower.endsWith('.csv') ? 'csv' : null;
}

const CSV_COLUMNS = [
  'entry',
  'entityKind',
  'entityId',
  'targetKind',
  'roofrId',
  'action',
  'reason',
  'field',
  'from',
  'to',
  'repair',
  'outboxId',
];

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV row per changed field (an entry without fields: one row with the field cells empty). */
function csvRows(entry: RunEntry): string {
  const base = [
    entry.id,
    entry.entityKind,
    entry.entityId,
    entry.targetKind,
    entry.roofrId,
    entry.action,
    entry.reason,
  ];
  const tail = [entry.repair, entry.outboxId];
  const fields = entry.fields.length === 0 ? [null] : entry.fields;
  return fields
    .map((field) =>
      [...base, field?.field ?? null, field === null ? null : field.from, field === null ? null : field.to, ...tail]
        .map(csvCell)
        .join(','),
    )
    .join('\n');
}

/** The plan as text chunks, read from the store 500 entries at a time. */
export async function* exportPlan(
  entries: Pick<SyncRunEntriesRepo, 'list'>,
  run: SyncRun,
  format: PlanFormat,
): AsyncGenerator<string> {
  if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\n`;
  else {
    const { cursor: _cursor, ...header } = run;
    yield `{"run":${JSON.stringify(header)},"entries":[`;
  }
  let after: string | null = null;
  let first = true;
  for (;;) {
    const page = await entries.list(run.id, { first: 500, after });
    for (const entry of page.items) {
      if (format === 'csv') yield `${csvRows(entry)}\n`;
      else {
        yield `${first ? '' : ','}\n${JSON.stringify(entry)}`;
        first = false;
      }
    }
    if (!page.hasNextPage) break;
    after = page.endCursor;
  }
  if (format === 'json') yield '\n]}\n';
}

/** Streams the plan into `out.file`. */
export async function writePlanFile(
  entries: Pick<SyncRunEntriesRepo, 'list'>,
  run: SyncRun,
  out: { file: string; format: PlanFormat },
): Promise<void> {
  const stream = createWriteStream(out.file);
  const failed = once(stream, 'error');
  // Awaited through the races below; a failure between them must not go unhandled.
  failed.catch(() => undefined);
  try {
    for await (const chunk of exportPlan(entries, run, out.format)) {
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), failed]);
    }
    stream.end();
    await Promise.race([once(stream, 'finish'), failed]);
  } finally {
    stream.destroy();
  }
}
