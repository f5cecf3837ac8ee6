/**
 * The HighLevel simulator in its own process for the GraphQL benchmark, so its CPU work does not
 * share the gateway's event loop (that would blur the latencies measured). Started by run.ts
 * with `fork`; reports its URL and contact ids over IPC, answers "stats", stops on "close".
 */
import { startGhlSimulator } from '../../src/simulators/ghl/index.js';

const contacts = Number(process.env.BENCH_SIM_CONTACTS ?? 500);
const latencyMs = Number(process.env.BENCH_SIM_LATENCY_MS ?? 20);

// A rate limit far above what the benchmark sends: it measures batching, not pacing.
const sim = await startGhlSimulator({
  seed: 42,
  contacts,
  rateLimit: { max: 1_000_000, intervalMs: 10_000, dailyMax: 100_000_000 },
  latencyMs,
});

process.on('message', (message: unknown) => {
  if (message === 'stats') process.send?.({ type: 'stats', total: sim.log.total(), counts: sim.log.counts() });
  if (message === 'close') void sim.close().then(() => process.exit(0));
});

process.send?.({
  type: 'ready',
  url: sim.url,
  locationId: sim.locationId,
  token: sim.demoToken,
  contactIds: sim.data.listContactIds(),
});
