/**
 * Runs the HighLevel simulator in its own process for the client benchmark, so the benchmark's
 * peak RSS is the client's alone. Started by run.ts with `fork`; reports its URL over IPC and
 * stops on "close".
 */
import { startGhlSimulator } from '../../src/simulators/ghl/index.js';

const contacts = Number(process.env.BENCH_SIM_CONTACTS ?? 10_000);
const max = Number(process.env.BENCH_SIM_MAX ?? 100);
const intervalMs = Number(process.env.BENCH_SIM_INTERVAL_MS ?? 1000);
const latencyMs = Number(process.env.BENCH_SIM_LATENCY_MS ?? 20);

const sim = await startGhlSimulator({
  seed: 42,
  contacts,
  rateLimit: { max, intervalMs, dailyMax: 1_000_000 },
  latencyMs,
});

process.on('message', (message: unknown) => {
  if (message === 'stats') {
    process.send?.({
      type: 'stats',
      total: sim.log.total(),
      rateLimited: sim.log.statusCount(429),
      ok: sim.log.statusCount(200),
    });
  }
  if (message === 'close') {
    void sim.close().then(() => process.exit(0));
  }
});

process.send?.({ type: 'ready', url: sim.url, locationId: sim.locationId, token: sim.demoToken });
