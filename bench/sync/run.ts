/**
 * Sync benchmark: a FULL sync of 10,000 contacts (with their tasks and notes) from the HighLevel
 * simulator, limited to 100 requests / 1,000 ms, into the Roofr simulator, both in their own
 * process. Reports the duration over the rate-limit lower bound (the fewest HighLevel calls the
 * sync needs ÷ the allowed rate; target ≤ 1.15), 429s (target 0), Roofr records missing or
 * duplicated (target 0) and the peak RSS of the syncing gateway (target < 250 MB).
 *
 * The gateway side runs as deployed: compiled (tsconfig.build.json, as `npm run build`) on plain
 * node in a process of its own (sync-process.ts), so its RSS is the gateway's own, without the
 * simulators and without tsx (whose loader costs ~60 MB that `node dist/…` never pays).
 *
 * Fewest calls: one search page per 500 contacts (the largest page), one notes call per contact
 * (notes have no batch endpoint) and one tasks-search call per 100 tasks of a page.
 *
 * Run: `npx tsx bench/sync/run.ts` (or `npm run bench -- sync`). Writes bench/results/sync.json.
 * Not a test: timings vary by machine.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nextMessage } from '../support/child-messages.js';
import type { SyncDone, SyncProgress, SyncStart } from './sync-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const CONTACTS = Number(process.env.BENCH_SYNC_CONTACTS ?? 10_000);
const MAX = 100;
const INTERVAL_MS = 1000;
const PAGE_SIZE = 500;
const TASK_PAGE = 100;

interface Ready {
  type: 'ready';
  ghlUrl: string;
  locationId: string;
  token: string;
  roofr: { apiBaseUrl: string; apiKey: string; authHeader: string; authScheme: string };
}

interface Stats {
  type: 'stats';
  ghlCalls: number;
  rateLimited: number;
  counts: Record<string, number>;
  roofr: {
    missing: number;
    duplicated: number;
    jobs: number;
    customers: number;
    tasks: number;
    notes: number;
    expectedTasks: number;
    expectedNotes: number;
  };
}

export interface SyncBenchResult {
  at: string;
  contacts: number;
  rateLimit: { max: number; intervalMs: number };
  durationMs: number;
  ghlCalls: number;
  minimumGhlCalls: number;
  lowerBoundMs: number;
  durationOverLowerBound: number;
  rateLimited429: number;
  roofrMissing: number;
  roofrDuplicated: number;
  roofrRecords: Stats['roofr'];
  run: { status: string; counts: Record<string, number> };
  peakRssMb: number;
  /** Where peakRssMb was measured. */
  measured: string;
  targets: {
    durationOverLowerBound: number;
    rateLimited429: number;
    roofrMissingOrDuplicated: number;
    peakRssMb: number;
  };
  pass: boolean;
}

export async function run(options: { write?: boolean; log?: (line: string) => void } = {}): Promise<SyncBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const child = fork(join(here, 'simulators-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      BENCH_SIM_CONTACTS: String(CONTACTS),
      BENCH_SIM_MAX: String(MAX),
      BENCH_SIM_INTERVAL_MS: String(INTERVAL_MS),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'bench-sync-'));
  let syncProcess: ChildProcess | null = null;
  try {
    const ready = await nextMessage<Ready>(child, 'ready');
    log(`simulators up: ${CONTACTS} contacts, HighLevel limited to ${MAX} per ${INTERVAL_MS} ms`);
    syncProcess = forkCompiledSync(dir, log);
    const start: SyncStart = {
      type: 'start',
      stateDir: dir,
      pageSize: PAGE_SIZE,
      ghlUrl: ready.ghlUrl,
      locationId: ready.locationId,
      token: ready.token,
      roofr: ready.roofr,
    };
    syncProcess.on('message', (message: SyncProgress | SyncDone) => {
      if (message.type === 'progress')
        log(`  ${message.processed}/${message.total ?? '?'} contacts after ${Math.round(message.elapsedMs / 1000)} s`);
    });
    const done = nextMessage<SyncDone>(syncProcess, 'done');
    syncProcess.send(start);
    const { durationMs, peakRssBytes, status, counts } = await done;
    const finished = { status, counts };

    child.send('stats');
    const stats = await nextMessage<Stats>(child, 'stats');
    const pages = Math.ceil(CONTACTS / PAGE_SIZE);
    const minimumGhlCalls = pages + CONTACTS + Math.max(pages, Math.ceil(stats.roofr.expectedTasks / TASK_PAGE));
    const lowerBoundMs = (minimumGhlCalls / MAX) * INTERVAL_MS;
    const targets = { durationOverLowerBound: 1.15, rateLimited429: 0, roofrMissingOrDuplicated: 0, peakRssMb: 250 };
    const result: SyncBenchResult = {
      at: new Date().toISOString(),
      contacts: CONTACTS,
      rateLimit: { max: MAX, intervalMs: INTERVAL_MS },
      durationMs,
      ghlCalls: stats.ghlCalls,
      minimumGhlCalls,
      lowerBoundMs,
      durationOverLowerBound: Math.round((durationMs / lowerBoundMs) * 1000) / 1000,
      rateLimited429: stats.rateLimited,
      roofrMissing: stats.roofr.missing,
      roofrDuplicated: stats.roofr.duplicated,
      roofrRecords: stats.roofr,
      run: { status: finished.status, counts: finished.counts },
      peakRssMb: Math.round((peakRssBytes / 1024 / 1024) * 10) / 10,
      measured:
        'peak RSS of the sync process alone: the gateway compiled by tsc (tsconfig.build.json) on plain node, as deployed; simulators in another process',
      targets,
      pass: false,
    };
    result.pass =
      result.durationOverLowerBound <= targets.durationOverLowerBound &&
      result.rateLimited429 <= targets.rateLimited429 &&
      result.roofrMissing + result.roofrDuplicated <= targets.roofrMissingOrDuplicated &&
      result.peakRssMb < targets.peakRssMb &&
      finished.status === 'succeeded';
    log(
      `${CONTACTS} contacts in ${durationMs} ms; lower bound ${lowerBoundMs} ms (${minimumGhlCalls} calls, ${stats.ghlCalls} made): ratio ${result.durationOverLowerBound} (target ≤ ${targets.durationOverLowerBound}); ` +
        `429s ${result.rateLimited429}; Roofr missing ${result.roofrMissing}, duplicated ${result.roofrDuplicated}; peak RSS ${result.peakRssMb} MB; run ${finished.status}; ${result.pass ? 'PASS' : 'FAIL'}`,
    );
    if (options.write !== false) {
      mkdirSync('bench/results', { recursive: true });
      writeFileSync('bench/results/sync.json', `${JSON.stringify(result, null, 2)}\n`);
      log('wrote bench/results/sync.json');
    }
    return result;
  } finally {
    if (syncProcess !== null && syncProcess.exitCode === null) syncProcess.kill();
    child.send('close');
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Compiles the gateway and the sync process as `npm run build` does (into `dir`, with the repo's
 * node_modules and package type) and forks it on plain node.
 */
function forkCompiledSync(dir: string, log: (line: string) => void): ChildProcess {
  const out = join(dir, 'build');
  log('compiling the gateway (tsc, as npm run build)…');
  execFileSync(
    process.execPath,
    [resolve('node_modules/typescript/bin/tsc'), '-p', join(here, 'tsconfig.build.json'), '--outDir', out],
    { stdio: 'inherit' },
  );
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module' }));
  symlinkSync(resolve('node_modules'), join(out, 'node_modules'), 'dir');
  return fork(join(out, 'bench/sync/sync-process.js'), [], {
    execArgv: [],
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await run();
  process.exitCode = result.pass ? 0 : 1;
}
