/**
 * `npm run sync -- [--business <businessId>] [--full]`: one batch sync of the configured location
 * (or one business) to Roofr in this process, with a progress bar on stderr (redrawn on a TTY,
 * a line per page otherwise) and the run's summary on stdout. Killed at any point, the next
 * invocation with the same arguments resumes the unfinished run from its last checkpoint.
 * Exit codes: 0 succeeded, 2 partial (see the run's errors), 1 failed or bad usage.
 */
import { hostname } from 'node:os';
import { ConfigError, parseConfig, type Config } from '../config.js';
import { createGhlClient } from '../ghl/from-config.js';
import { createRoofrPort } from '../roofr/create-roofr-port.js';
import { loadConfiguredMapping } from '../roofr/mapping-file.js';
import { openStore } from '../store/open-store.js';
import type { SyncRun } from '../store/sync-runs-repo.js';
import type { SyncMode } from '../sync/batch-sync.js';
import { parseEventTasks } from '../sync/event-tasks.js';
import { createOutboxDelivery } from '../sync/outbox-delivery.js';
import { createOutboxWorker } from '../sync/outbox-worker.js';
import { createRoofrPush } from '../sync/roofr-push.js';
import { createSyncEngine } from '../sync/sync-engine.js';
import { callsPerContact, createProgressReporter, progressLine } from '../sync/sync-progress.js';

export const SYNC_USAGE = `Usage: npm run sync -- [--business <businessId>] [--full]

  (no options)          incremental sync of the whole location (GHL_LOCATION_ID) from its watermark
  --full                every contact, not only those changed since the last sync
  --business <id>       only the contacts of this business (GET /contacts/business/{id})

Needs GHL_PRIVATE_INTEGRATION_TOKEN and GHL_LOCATION_ID, DATABASE_URL, and the Roofr settings
(ROOFR_ADAPTER …). Run it again after an interruption: it resumes where it stopped.`;

export interface SyncArgs {
  businessId: string | null;
  mode: SyncMode;
}

export function parseSyncArgs(argv: string[]): SyncArgs | { error: string } {
  let businessId: string | null = null;
  let mode: SyncMode = 'INCREMENTAL';
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--full') mode = 'FULL';
    else if (arg === '--business') {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) return { error: '--business needs a business id' };
      businessId = value;
      index += 1;
    } else if (arg?.startsWith('--business=')) businessId = arg.slice('--business='.length);
    else return { error: `unknown argument ${arg ?? ''}` };
  }
  return { businessId, mode };
}

function roofrSimulatorOf(config: Config): {
  apiBaseUrl: string;
  apiKey: string;
  authHeader: string;
  authScheme: string;
} {
  return {
    apiBaseUrl: `http://127.0.0.1:${config.ROOFR_SIM_PORT}/v1`,
    apiKey: config.ROOFR_SIM_API_KEY,
    authHeader: config.ROOFR_AUTH_HEADER,
    authScheme: config.ROOFR_AUTH_SCHEME,
  };
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
  const locationId = config.GHL_LOCATION_ID;
  if (locationId === undefined) {
    process.stderr.write(
      'npm run sync needs GHL_PRIVATE_INTEGRATION_TOKEN and GHL_LOCATION_ID (for the simulator: npm run simulate, then its token and location).\n',
    );
    return 1;
  }
  const store = await openStore(config.DATABASE_URL, {
    outboxMaxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    postgres: { timeoutMs: config.DEPENDENCY_TIMEOUT_MS },
  });
  const owner = `sync-cli:${hostname()}:${process.pid}`;
  // Without a shared (Redis) budget this process is the only HighLevel caller of its budget:
  // no interactive traffic to keep a share for.
  const ghl = createGhlClient(config.REDIS_URL === undefined ? { ...config, GHL_INTERACTIVE_SHARE: 0 } : config);
  const roofr = createRoofrPort(
    config,
    config.ROOFR_ADAPTER === 'simulator' ? { simulator: roofrSimulatorOf(config) } : {},
  );
  const mapping = await loadConfiguredMapping(config);
  const outbox = createOutboxWorker({
    store,
    handler: createOutboxDelivery({ store, roofr, db: store.db }),
    owner,
    pollMs: config.OUTBOX_POLL_MS,
    leaseMs: config.QUEUE_LEASE_MS,
  });
  const push = createRoofrPush({
    ghl,
    store,
    roofr,
    mapping,
    deletePolicy: config.ROOFR_DELETE_POLICY,
    onQueued: () => outbox.nudge(),
    inlineTimeoutMs: config.ROOFR_REQUEST_TIMEOUT_MS,
  });
  const engine = await createSyncEngine({
    ghl,
    roofr,
    push,
    mapping,
    store,
    locationId,
    pageSize: config.SYNC_PAGE_SIZE,
    eventTasks: parseEventTasks(config.SYNC_EVENT_TASKS),
    owner,
  });
  outbox.start();
  try {
    // An unfinished run with the same arguments (the process was killed) is resumed.
    const previous = await store.syncRuns.latest(locationId, 'running');
    let run: SyncRun =
      previous !== null &&
      previous.trigger === 'cli' &&
      previous.mode === args.mode &&
      previous.businessId === args.businessId
        ? previous
        : await store.syncRuns.start({ trigger: 'cli', locationId, businessId: args.businessId, mode: args.mode });
    const reporter = createProgressReporter(process.stderr);
    if (run === previous) reporter.update(`resuming run ${run.id} from its last checkpoint`);
    const perContact = callsPerContact(config.SYNC_PAGE_SIZE);
    run = await engine.runBatch(
      { runId: run.id, locationId, businessId: args.businessId, mode: args.mode },
      {
        onPage: ({ run: current, total, processed }) => {
          const budget = ghl.rateBudget.snapshot(locationId);
          const allowed =
            budget.limitsKnown && budget.intervalMs > 0 ? (budget.burstMax * 1000) / budget.intervalMs : null;
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
    reporter.done(`run ${run.id} ${run.status} in ${seconds.toFixed(1)} s`);
    process.stdout.write(
      `${JSON.stringify({ id: run.id, status: run.status, mode: run.mode, businessId: run.businessId, counts: run.counts, errors: run.errors.slice(0, 10) })}\n`,
    );
    if (run.status === 'failed')
      process.stderr.write(
        `The run failed: ${run.errors.at(-1)?.message ?? 'see the run'}. Run the same command again to resume.\n`,
      );
    return run.status === 'succeeded' ? 0 : run.status === 'partial' ? 2 : 1;
  } finally {
    await outbox.stop();
    await engine.stop();
    await store.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      error instanceof ConfigError
        ? `${error.message}\n`
        : `sync failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
