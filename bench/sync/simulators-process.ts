/**
 * The sync benchmark's upstreams in their own process (so the benchmark's peak RSS is the sync
 * engine's alone): the HighLevel simulator limited to BENCH_SIM_MAX per BENCH_SIM_INTERVAL_MS and
 * an unthrottled Roofr simulator. Reports URLs over IPC; answers "stats" with the HighLevel call
 * and 429 counts and Roofr's records by external ref (missing / duplicated contacts).
 */
import { startGhlSimulator } from '../../src/simulators/ghl/index.js';
import { startRoofrSimulator } from '../../src/simulators/roofr/index.js';

const contacts = Number(process.env.BENCH_SIM_CONTACTS ?? 10_000);
const max = Number(process.env.BENCH_SIM_MAX ?? 100);
const intervalMs = Number(process.env.BENCH_SIM_INTERVAL_MS ?? 1000);
const latencyMs = Number(process.env.BENCH_SIM_LATENCY_MS ?? 20);

const ghl = await startGhlSimulator({
  seed: 42,
  contacts,
  rateLimit: { max, intervalMs, dailyMax: 10_000_000 },
  latencyMs,
});
const roofr = await startRoofrSimulator({ rateLimit: { limit: 100_000_000 } });

function roofrSummary(): {
  missing: number;
  duplicated: number;
  jobs: number;
  customers: number;
  tasks: number;
  notes: number;
  expectedTasks: number;
  expectedNotes: number;
} {
  const refs = new Map<string, number>();
  for (const job of roofr.data.jobs.values())
    if (job.external_ref) refs.set(job.external_ref, (refs.get(job.external_ref) ?? 0) + 1);
  let missing = 0;
  let expectedTasks = 0;
  let expectedNotes = 0;
  for (const id of ghl.data.listContactIds()) {
    if (!refs.has(`ghl:contact:${id}`)) missing += 1;
    expectedTasks += ghl.data.tasksOf(id).length;
    expectedNotes += ghl.data.notesOf(id).length;
  }
  const duplicated =
    [...refs.values()].reduce((sum, count) => sum + (count - 1), 0) +
    Math.max(0, roofr.data.customers.size - roofr.data.jobs.size);
  return {
    missing,
    duplicated,
    jobs: roofr.data.jobs.size,
    customers: roofr.data.customers.size,
    tasks: roofr.data.jobTasks.size,
    notes: roofr.data.jobNotes.size,
    expectedTasks,
    expectedNotes,
  };
}

process.on('message', (message: unknown) => {
  if (message === 'stats') {
    process.send?.({
      type: 'stats',
      ghlCalls: ghl.log.total(),
      rateLimited: ghl.log.statusCount(429),
      counts: ghl.log.counts(),
      roofr: roofrSummary(),
    });
  }
  if (message === 'close') {
    void Promise.all([ghl.close(), roofr.close()]).then(() => process.exit(0));
  }
});

process.send?.({
  type: 'ready',
  ghlUrl: ghl.url,
  locationId: ghl.locationId,
  token: ghl.demoToken,
  roofr: {
    apiBaseUrl: roofr.apiBaseUrl,
    apiKey: roofr.apiKey,
    authHeader: roofr.authHeader,
    authScheme: roofr.authScheme,
  },
});
