/**
 * The HighLevel simulator in its own process for the cache benchmark (its CPU work must not
 * share the gateway's event loop). Rate limit and latency come from the environment; reports
 * its URL and contact ids over IPC, answers "stats" (requests and 429s), stops on "close".
 */
import { startGhlSimulator } from '../../src/simulators/ghl/index.js';

const contacts = Number(process.env.BENCH_SIM_CONTACTS ?? 500);
const latencyMs = Number(process.env.BENCH_SIM_LATENCY_MS ?? 20);
const max = Number(process.env.BENCH_SIM_RATE_MAX ?? 1_000_000);
const intervalMs = Number(process.env.BENCH_SIM_RATE_INTERVAL_MS ?? 10_000);

const sim = await startGhlSimulator({
  seed: 42,
  contacts,
  rateLimit: { max, intervalMs, dailyMax: 100_000_000 },
  latencyMs,
});

process.on('message', (message: unknown) => {
  if (message === 'stats') {
    const snapshot = sim.log.snapshot();
    process.send?.({ type: 'stats', total: snapshot.total, rateLimited: snapshot.rateLimited });
  }
  if (message === 'close') void sim.close().then(() => process.exit(0));
});

process.send?.({
  type: 'ready',
  url: sim.url,
  locationId: sim.locationId,
  token: sim.demoToken,
  contactIds: sim.data.listContactIds(),
});
