/**
 * The CLI's progress line: counts, percentage and an ETA computed from the rate budget —
 * remaining contacts × HighLevel calls per contact ÷ allowed calls per second — rather than
 * from the elapsed rate alone, because the upstream budget, not our CPU, bounds a sync.
 */
import type { SyncRunCounts } from '../store/sync-runs-repo.js';

interface ProgressInput {
  processed: number;
  total: number | null;
  counts: SyncRunCounts;
  /** HighLevel calls each contact costs (notes 1 + its share of search and task pages). */
  callsPerContact: number;
  /** Calls per second the rate budget allows (limit ÷ interval); null while unknown. */
  allowedPerSecond: number | null;
}

/** Calls per contact of the batch pipeline: a notes call each, plus search and task-search pages. */
export function callsPerContact(pageSize: number): number {
  return 1 + 2 / pageSize;
}

export function etaSeconds(
  input: Pick<ProgressInput, 'processed' | 'total' | 'callsPerContact' | 'allowedPerSecond'>,
): number | null {
  if (input.total === null || input.allowedPerSecond === null || input.allowedPerSecond <= 0) return null;
  const remaining = Math.max(0, input.total - input.processed);
  return (remaining * input.callsPerContact) / input.allowedPerSecond;
}

function formatDuration(seconds: number): string {
  const whole = Math.ceil(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

export function progressLine(input: ProgressInput, width = 24): string {
  const { counts } = input;
  const fraction = input.total !== null && input.total > 0 ? Math.min(1, input.processed / input.total) : null;
  const filled = fraction === null ? 0 : Math.round(fraction * width);
  const bar =
    fraction === null ? '' : `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% `;
  const eta = etaSeconds(input);
  const of = input.total === null ? '' : `/${input.total}`;
  return `${bar}${input.processed}${of} contacts · created ${counts.created} updated ${counts.updated} unchanged ${counts.unchanged} failed ${counts.failed}${eta === null ? '' : ` · ETA ${formatDuration(eta)}`}`;
}

/** Writes progress to stderr: one redrawn line on a TTY, a line per update otherwise (logs). */
export function createProgressReporter(stream: NodeJS.WriteStream): {
  update(line: string): void;
  done(line: string): void;
} {
  const tty = stream.isTTY === true;
  return {
    update(line) {
      if (tty) stream.write(`\r\x1b[2K${line}`);
      else stream.write(`${line}\n`);
    },
    done(line) {
      stream.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
  };
}
