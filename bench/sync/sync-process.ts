/**
 * The sync benchmark's gateway side, in a process of its own that runs as a deployed gateway
 * does: compiled JavaScript on plain node (run.ts compiles it with tsconfig.build.json first),
 * without tsx, whose loader thread and transpile caches cost ~60 MB of RSS that `node dist/…`
 * never pays. Waits for the simulators' URLs over IPC, runs one FULL batch sync, samples its own
 * RSS throughout and answers with the run, its duration and the peak RSS.
 */
import { join } from 'node:path';
import { GhlClient } from '../../src/ghl/client.js';
import { StaticTokenProvider } from '../../src/ghl/token-provider.js';
import { resolveRoofrPaths } from '../../src/roofr/api-paths.js';
import { loadMappingFile } from '../../src/roofr/mapping-file.js';
import { RoofrRestAdapter } from '../../src/roofr/rest-adapter.js';
import { openStore } from '../../src/store/open-store.js';
import { runBatchSync } from '../../src/sync/batch-sync.js';
import { createRoofrPush } from '../../src/sync/roofr-push.js';

export interface SyncStart {
  type: 'start';
  stateDir: string;
  pageSize: number;
  ghlUrl: string;
  locationId: string;
  token: string;
  roofr: { apiBaseUrl: string; apiKey: string; authHeader: string; authScheme: string };
}

export interface SyncProgress {
  type: 'progress';
  processed: number;
  total: number | null;
  elapsedMs: number;
}

export interface SyncDone {
  type: 'done';
  durationMs: number;
  peakRssBytes: number;
  status: string;
  counts: Record<string, number>;
}

async function runSync(start: SyncStart): Promise<SyncDone> {
  const store = await openStore(`sqlite://${join(start.stateDir, 'state.db')}`);
  const mapping = await loadMappingFile('mapping/default.yaml');
  // Roofr is local and unthrottled here: a few writes in flight keep it off the critical path.
  const roofr = new RoofrRestAdapter({
    adapter: 'simulator',
    baseUrl: start.roofr.apiBaseUrl,
    apiKey: start.roofr.apiKey,
    authHeader: start.roofr.authHeader,
    authScheme: start.roofr.authScheme,
    paths: resolveRoofrPaths(undefined),
    timeoutMs: 15_000,
    maxRetries: 3,
    maxInFlight: 8,
  });
  // The sync is the only caller: no interactive share to keep free.
  const ghl = new GhlClient({
    baseUrl: start.ghlUrl,
    tokenProvider: new StaticTokenProvider(start.token, start.locationId, null),
    timeoutMs: 15_000,
    maxRetries: 4,
    concurrencyPerLocation: 8,
    dailyReserve: 0,
    interactiveShare: 0,
  });
  const push = createRoofrPush({ ghl, store, roofr, mapping, deletePolicy: 'archive' });
  // memoryUsage.rss() alone: process.memoryUsage() also walks the V8 heap, which every 100 ms
  // showed up in the sync's own CPU profile.
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 100);
  const syncRun = await store.syncRuns.start({ trigger: 'bench', locationId: start.locationId, mode: 'FULL' });
  const started = performance.now();
  const finished = await runBatchSync(
    { ghl, push, store, pageSize: start.pageSize, concurrency: 8 },
    { runId: syncRun.id, locationId: start.locationId, businessId: null, mode: 'FULL' },
    {
      onPage: ({ processed, total }) => {
        const progress: SyncProgress = { type: 'progress', processed, total, elapsedMs: performance.now() - started };
        process.send?.(progress);
      },
    },
  );
  const durationMs = Math.round(performance.now() - started);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  await store.close();
  roofr.transport.close();
  return { type: 'done', durationMs, peakRssBytes: peakRss, status: finished.status, counts: { ...finished.counts } };
}

process.once('message', (message: SyncStart) => {
  void runSync(message).then(
    (done) => process.send?.(done, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
