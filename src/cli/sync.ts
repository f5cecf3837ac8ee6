/**
 * `npm run sync -- --every-location [--full]`: queues one run per installed location (the nightly
 * batch, started now) for the running replicas' workers and prints the run ids; it syncs nothing
 * itself, so the runs spread over every replica's workers and progress side by side.
 * `npm run sync -- [--business <businessId>] [--full] [--dry-run [--plan-out plan.json|plan.csv]]`:
 * one batch sync of the configured location (or one business) to Roofr in this process, with a
 * progress bar on stderr (redrawn on a TTY, a line per page otherwise) and the run's summary on
 * stdout. Killed at any point, the next invocation with the same arguments resumes the
 * unfinished run from its last checkpoint. `--dry-run` plans the same run and writes nothing
 * (src/sync/dry-run-sink.ts): it prints what a real run would do and can write the plan to a file.
 * Exit codes: 0 succeeded, 2 partial (see the run's errors), 1 failed or bad usage.
 */
import { parseConfig, type Config } from '../config.js';
import { runCli } from './run-cli.js';
import type { SyncRun } from '../store/sync-runs-repo.js';
import type { SyncMode } from '../sync/batch-sync.js';
import { planFormatOf, runCostLine, runSummaryTable, writePlanFile, type PlanFormat } from '../sync/run-report.js';
import { callsPerContact, createProgressReporter, progressLine } from '../sync/sync-progress.js';
import { openSyncRuntime } from './sync-runtime.js';

export const SYNC_USAGE = `Usage: npm run sync -- [--location <id>] [--business <businessId>] [--full] [--dry-run [--plan-out <file.json|file.csv>]]
       npm run sync -- --every-location [--full]

  (no options)          incremental sync of the whole location (GHL_LOCATION_ID) from its watermark
  --location <id>       another location (with OAuth installs: any installed one; see npm run auth -- status)
  --full                every contact, not only those changed since the last sync
  --every-location      queue a run of every installed location (OAuth installs; else GHL_LOCATION_ID)
                        for the running gateways' workers, as the nightly schedule does, and print
                        the run ids; follow them with the syncRuns query or the sync_runs table
  --business <id>       only the contacts of this business (GET /contacts/business/{id})
  --dry-run             read what the sync reads and write nothing: print what it would create,
                        update, leave unchanged, skip, and where it would overwrite a Roofr change
  --plan-out <file>     with --dry-run: write the plan (per record, the field-level diff) as JSON or CSV

Needs HighLevel credentials (GHL_PRIVATE_INTEGRATION_TOKEN and GHL_LOCATION_ID, or OAuth installs),
DATABASE_URL and the Roofr settings (ROOFR_ADAPTER …; stored secrets count). With REDIS_URL it spends
from the same rate budget as the running gateway. Run it again after an interruption: it resumes.`;

export interface SyncArgs {
  location: string | null;
  everyLocation: boolean;
  businessId: string | null;
  mode: SyncMode;
  dryRun: boolean;
  planOut: { file: string; format: PlanFormat } | null;
}

export function parseSyncArgs(argv: string[]): SyncArgs | { error: string } {
  let location: string | null = null;
  let businessId: string | null = null;
  let mode: SyncMode = 'INCREMENTAL';
  let dryRun = false;
  let everyLocation = false;
  let planFile: string | null = null;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--full') mode = 'FULL';
    else if (arg === '--dry-run') dryRun = true;
    else if (arg === '--every-location') everyLocation = true;
    else if (arg === '--business' || arg === '--plan-out' || arg === '--location') {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--'))
        return {
          error: `${arg} needs ${arg === '--business' ? 'a business id' : arg === '--location' ? 'a location id' : 'a file name'}`,
        };
      if (arg === '--business') businessId = value;
      else if (arg === '--location') location = value;
      else planFile = value;
      index += 1;
    } else if (arg?.startsWith('--business=')) businessId = arg.slice('--business='.length);
    else if (arg?.startsWith('--location=')) location = arg.slice('--location='.length);
    else if (arg?.startsWith('--plan-out=')) planFile = arg.slice('--plan-out='.length);
    else return { error: `unknown argument ${arg ?? ''}` };
  }
  if (everyLocation && (location !== null || businessId !== null || dryRun))
    return { error: '--every-location goes only with --full' };
  let planOut: SyncArgs['planOut'] = null;
  if (planFile !== null) {
    if (!dryRun) return { error: '--plan-out goes with --dry-run' };
    const format = planFormatOf(planFile);
    if (format === null) return { error: '--plan-out needs a file ending in .json or .csv' };
    planOut = { file: planFile, format };
  }
  return { location, everyLocation, businessId, mode, dryRun, planOut };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${SYNC_USAGE}\n`);
    return 0;
  }
  const args = parseSyncArgs(argv);
  if ('error' in args) {
    process.stderr.write(`${args.error}\n\n${SYNC_USAGE}\n`);
    return 1;
  }
  const config = parseConfig(process.env);
  if (args.everyLocation) return queueEveryLocation(config, args.mode);
  const runtime = await openSyncRuntime(config, args.location === null ? {} : { location: args.location });
  const { store, rateBudget, engine, locationId } = runtime;
  const kind = args.dryRun ? 'dry_run' : 'sync';
  try {
    // An unfinished run with the same arguments (the process was killed) is resumed.
    const previous = await store.syncRuns.latest(locationId, 'running');
    let run: SyncRun =
      previous !== null &&
      previous.trigger === 'cli' &&
      previous.kind === kind &&
      previous.mode === args.mode &&
      previous.businessId === args.businessId
        ? previous
        : await store.syncRuns.start({
            trigger: 'cli',
            locationId,
            businessId: args.businessId,
            mode: args.mode,
            kind,
          });
    const reporter = createProgressReporter(process.stderr);
    if (run === previous) reporter.update(`resuming run ${run.id} from its last checkpoint`);
    const perContact = callsPerContact(config.SYNC_PAGE_SIZE);
    run = await engine.runBatch(
      { runId: run.id, locationId, businessId: args.businessId, mode: args.mode, dryRun: args.dryRun },
      {
        onPage: ({ run: current, total, processed }) => {
          const budget = rateBudget?.snapshot(locationId) ?? null;
          const allowed =
            budget !== null && budget.limitsKnown && budget.intervalMs > 0
              ? (budget.burstMax * 1000) / budget.intervalMs
              : null;
          reporter.update(
            progressLine({
              processed,
              total,
              counts: current.counts,
              callsPerContact: perContact,
              allowedPerSecond: allowed,
            }),
          );
        },
      },
    );
    const seconds =
      ((run.finishedAt === null ? Date.now() : Date.parse(run.finishedAt)) - Date.parse(run.startedAt)) / 1000;
    reporter.done(`${args.dryRun ? 'dry run' : 'run'} ${run.id} ${run.status} in ${seconds.toFixed(1)} s`);
    if (args.dryRun) {
      process.stdout.write(`${runSummaryTable(run)}\n${runCostLine(run)}\nNothing was written.\n`);
      if (args.planOut !== null) {
        await writePlanFile(store.syncRunEntries, run, args.planOut);
        process.stdout.write(`Plan written to ${args.planOut.file} (${args.planOut.format}).\n`);
      }
    }
    process.stdout.write(
      `${JSON.stringify({ id: run.id, kind: run.kind, status: run.status, mode: run.mode, businessId: run.businessId, counts: run.counts, errors: run.errors.slice(0, 10) })}\n`,
    );
    if (run.status === 'failed')
      process.stderr.write(
        `The run failed: ${run.errors.at(-1)?.message ?? 'see the run'}. Run the same command again to resume.\n`,
      );
    return run.status === 'succeeded' ? 0 : run.status === 'partial' ? 2 : 1;
  } finally {
    await runtime.close();
  }
}

/** --every-location: queues the batch for the replicas' workers; exit 1 when a location could not be queued. */
async function queueEveryLocation(config: Config, mode: SyncMode): Promise<number> {
  const runtime = await openSyncRuntime(config, { everyLocation: true });
  try {
    const { runs, refused } = await runtime.engine.startSyncEveryLocation({ mode, trigger: 'cli' });
    for (const run of runs)
      process.stdout.write(`${JSON.stringify({ id: run.id, locationId: run.locationId, mode: run.mode })}\n`);
    for (const { locationId, error } of refused)
      process.stderr.write(
        `${locationId}: not queued (${error instanceof Error ? error.message : String(error)}); run the command again\n`,
      );
    process.stderr.write(
      `${runs.length} runs queued for the gateways' workers${refused.length > 0 ? `, ${refused.length} refused` : ''}\n`,
    );
    return refused.length === 0 ? 0 : 1;
  } finally {
    await runtime.close();
  }
}

runCli('sync', main);
