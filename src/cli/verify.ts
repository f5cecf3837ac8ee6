/**
 * `npm run verify -- [--sample <n>] [--business <id>] [--repair] [--report-out <file.json|file.csv>]`:
 * the integrity check of the configured location in this process (src/sync/verify-run.ts):
 * every contact, or n drawn at random among the linked ones, compared on both sides. It prints
 * a table of the findings, what a sample says about the rest, and what the check cost; with
 * --repair the fixes are queued in the outbox and this process delivers them before it exits.
 * Killed, it resumes with the same arguments. Exit codes: 0 both sides agree (or every fix
 * landed), 3 findings remain (see the report), 2 partial (some contacts could not be checked),
 * 1 failed or bad usage.
 */
import { parseConfig } from '../config.js';
import { runCli } from './run-cli.js';
import type { SyncRun } from '../store/sync-runs-repo.js';
import { planFormatOf, runCostLine, runSummaryTable, writePlanFile, type PlanFormat } from '../sync/run-report.js';
import { verifyMode } from '../sync/sync-engine.js';
import { createProgressReporter } from '../sync/sync-progress.js';
import { awaitRepairs } from '../sync/verify-repairs.js';
import { openSyncRuntime } from './sync-runtime.js';

export const VERIFY_USAGE = `Usage: npm run verify -- [--location <id>] [--sample <n>] [--business <id>] [--repair] [--report-out <file.json|file.csv>]

  (no options)          check every contact of the location (GHL_LOCATION_ID) and every link
  --location <id>       another location (with OAuth installs: any installed one)
  --sample <n>          check n contacts drawn at random among the linked ones, and say what
                        that means for the rest (e.g. "at most 3.0% have problems, 95% confidence")
  --business <id>       check only the contacts of this business
  --repair              queue the writes that fix what is found (outbox) and deliver them
  --report-out <file>   write every finding (with the fields that differ) as JSON or CSV

Costs about the HighLevel calls of a sync of the same contacts (background lane) plus ~6 Roofr
reads per contact. Needs the same settings as npm run sync.`;

export interface VerifyArgs {
  location: string | null;
  sample: number | null;
  businessId: string | null;
  repair: boolean;
  reportOut: { file: string; format: PlanFormat } | null;
}

export function parseVerifyArgs(argv: string[]): VerifyArgs | { error: string } {
  const args: VerifyArgs = { location: null, sample: null, businessId: null, repair: false, reportOut: null };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg];
    if (flag === '--repair') {
      args.repair = true;
      continue;
    }
    if (flag !== '--sample' && flag !== '--business' && flag !== '--report-out' && flag !== '--location')
      return { error: `unknown argument ${arg}` };
    const value = inline ?? argv[index + 1];
    if (value === undefined || value.startsWith('--')) return { error: `${flag} needs a value` };
    if (inline === undefined) index += 1;
    if (flag === '--sample') {
      if (!/^\d+$/.test(value) || Number(value) < 1)
        return { error: '--sample needs a whole number of contacts, 1 or more' };
      args.sample = Number(value);
    } else if (flag === '--business') args.businessId = value;
    else if (flag === '--location') args.location = value;
    else {
      const format = planFormatOf(value);
      if (format === null) return { error: '--report-out needs a file ending in .json or .csv' };
      args.reportOut = { file: value, format };
    }
  }
  if (args.sample !== null && args.businessId !== null)
    return { error: 'a sample is drawn from the whole location: give --sample or --business, not both' };
  return args;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${VERIFY_USAGE}\n`);
    return 0;
  }
  const args = parseVerifyArgs(argv);
  if ('error' in args) {
    process.stderr.write(`${args.error}\n\n${VERIFY_USAGE}\n`);
    return 1;
  }
  const config = parseConfig(process.env);
  const runtime = await openSyncRuntime(config, args.location === null ? {} : { location: args.location });
  const { store, engine, locationId } = runtime;
  const mode = verifyMode(args.sample, args.repair);
  try {
    const previous = await store.syncRuns.latest(locationId, 'running');
    let run: SyncRun =
      previous !== null &&
      previous.trigger === 'cli' &&
      previous.kind === 'verify' &&
      previous.mode === mode &&
      previous.businessId === args.businessId
        ? previous
        : await store.syncRuns.start({ trigger: 'cli', locationId, businessId: args.businessId, kind: 'verify', mode });
    const reporter = createProgressReporter(process.stderr);
    if (run === previous) reporter.update(`resuming verify ${run.id} from its last checkpoint`);
    run = await engine.runVerify(
      { runId: run.id, locationId, businessId: args.businessId, sample: args.sample, repair: args.repair },
      {
        onPage: ({ run: current, total, processed }) =>
          reporter.update(
            `${processed}${total === null ? '' : `/${total}`} contacts · ${current.counts.conflicts} with findings · ${current.counts.unchanged} in agreement`,
          ),
      },
    );
    reporter.done(`verify ${run.id} ${run.status}`);
    const lines = [runSummaryTable(run), run.summary?.sample?.statement ?? '', runCostLine(run, config.SYNC_PAGE_SIZE)];
    let outstanding = run.counts.conflicts;
    if (args.repair) {
      const delivery = await awaitRepairs({ entries: store.syncRunEntries, outbox: store.outbox }, run.id, {
        timeoutMs: 60_000,
      });
      const manual = run.summary?.tallies['repair.manual'] ?? 0;
      const retired = run.summary?.tallies['repair.retired'] ?? 0;
      const waiting = run.summary?.tallies['repair.already_queued'] ?? 0;
      lines.push(
        run.counts.conflicts === 0
          ? 'Nothing to repair.'
          : `Repairs delivered: ${delivery.delivered}; dead letters: ${delivery.dead} (see deadLetters); still queued: ${delivery.waiting}; already queued before: ${waiting}; links retired: ${retired}; left for a person: ${manual}. Run npm run verify again to confirm.`,
      );
      outstanding = delivery.dead + delivery.waiting + manual;
    } else if (run.counts.conflicts > 0) {
      lines.push('Nothing was written. npm run verify -- --repair queues the fixes.');
    }
    if (args.reportOut !== null) {
      await writePlanFile(store.syncRunEntries, run, args.reportOut);
      lines.push(`Findings written to ${args.reportOut.file} (${args.reportOut.format}).`);
    }
    process.stdout.write(`${lines.filter((line) => line !== '').join('\n')}\n`);
    process.stdout.write(
      `${JSON.stringify({ id: run.id, kind: run.kind, status: run.status, mode: run.mode, counts: run.counts, sample: run.summary?.sample ?? null })}\n`,
    );
    if (run.status === 'failed') {
      process.stderr.write(`The verify failed: ${run.errors.at(-1)?.message ?? 'see the run'}.\n`);
      return 1;
    }
    if (run.status === 'partial') return 2;
    return outstanding > 0 ? 3 : 0;
  } finally {
    await runtime.close();
  }
}

runCli('verify', main);
