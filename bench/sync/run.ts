/**
 * Sync benchmark: a FULL sync of 10,000 contacts (with their tasks and notes) from the HighLevel
 * simulator, limited to 100 requests / 1,000 ms, into the Roofr simulator, both in their own
 * process. Reports the duration over the rate-limit lower bound (the fewest HighLevel calls the
 * sync needs ÷ the allowed rate; target ≤ 1.15), 429s (target 0), Roofr records missing or
 * duplicated (target 0) and the peak RSS of this process (target < 250 MB).
 *
 * Fewest calls: one search page per 500 contacts (the largest page), one notes call per contact
 * (notes have no batch endpoint) and one tasks-search call per 100 tasks of a page.
 *
 * Run: `npx tsx bench/sync/run.ts` (or `npm run bench -- sync`). Writes bench/results/sync.json.
 * Not a test: timings vary by machine.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GhlClient } from '../../src/ghl/client.js';
import { StaticTokenProvider } from '../../src/ghl/token-provider.js';
import { resolveRoofrPaths } from '../../src/roofr/api-paths.js';
import { RoofrRestAdapter } from '../../src/roofr/rest-adapter.js';
import { loadMappingFile } from '../../src/roofr/mapping-file.js';
import { openStore } from '../../src/store/open-store.js';
import { runBatchSync } from '../../src/sync/batch-sync.js';
import { createRoofrPush } from '../../src/sync/roofr-push.js';
import { nextMessage } from '../support/child-messages.js';

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
  roofr: { missing: number; duplicated: number; jobs: number; customers: number; tasks: number; notes: number; expectedTasks: number; expectedNotes: number };
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
  targets: { durationOverLowerBound: number; rateLimited429: number; roofrMissingOrDuplicated: number; peakRssMb: number };
  pass: boolean;
}


export async function run(options: { write?: boolean; log?: (line: string) => void } = {}): Promise<SyncBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const child = fork(join(here, 'simulators-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_OPTIONS: '', BENCH_SIM_CONTACTS: String(CONTACTS), BENCH_SIM_MAX: String(MAX), BENCH_SIM_INTERVAL_MS: String(INTERVAL_MS) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'bench-sync-'));
  try {
    const ready = await nextMessage<Ready>(child, 'ready');
    log(`simulators up: ${CONTACTS} contacts, HighLevel limited to ${MAX} per ${INTERVAL_MS} ms`);
    const store = await openStore(`sqlite://${join(dir, 'state.db')}`);
    const mapping = await loadMappingFile('mapping/default.yaml');
    // Roofr is local and unthrottled here: more writes in flight keep it off the critical path.
    const roofr = new RoofrRestAdapter({ adapter: 'simulator', baseUrl: ready.roofr.apiBaseUrl, apiKey: ready.roofr.apiKey, authHeader: ready.roofr.authHeader, authScheme: ready.roofr.authScheme, paths: resolveRoofrPaths(undefined), timeoutMs: 15_000, maxRetries: 3, maxInFlight: 16 });
    // The sync is the only caller: no interactive share to keep free.
    const ghl = new GhlClient({ baseUrl: ready.ghlUrl, tokenProvider: new StaticTokenProvider(ready.token, ready.locationId, null), timeoutMs: 15_000, maxRetries: 4, concurrencyPerLocation: 8, dailyReserve: 0, interactiveShare: 0 });
    const push = createRoofrPush({ ghl, store, roofr, mapping, deletePolicy: 'archive' });
    // memoryUsage.rss() alone: process.memoryUsage() also walks the V8 heap, which every 100 ms
    // showed up in the sync's own CPU profile.
    let peakRss = process.memoryUsage.rss();
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 100);
    const syncRun = await store.syncRuns.start({ trigger: 'bench', locationId: ready.locationId, mode: 'FULL' });
    const started = performance.now();
    const finished = await runBatchSync(
      { ghl, push, store, pageSize: PAGE_SIZE, concurrency: 16 },
      { runId: syncRun.id, locationId: ready.locationId, businessId: null, mode: 'FULL' },
      { onPage: ({ processed, total }) => log(`  ${processed}/${total ?? '?'} contacts after ${Math.round((performance.now() - started) / 1000)} s`) },
    );
    const durationMs = Math.round(performance.now() - started);
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    await store.close();

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
      run: { status: finished.status, counts: { ...finished.counts } },
      peakRssMb: Math.round((peakRss / 1024 / 1024) * 10) / 10,
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
    child.send('close');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await run();
  process.exitCode = result.pass ? 0 : 1;
}
