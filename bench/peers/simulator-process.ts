/**
 * The HighLevel simulator every system of the peer benchmark talks to, in its own process so its
 * work shares no event loop with the load or with the system measured. Real limits: 100 requests
 * per 10 s per token (GHL's burst limit), 20 ms added to every answer, seed 42 for all systems.
 * Started by run.ts with `fork`. IPC: sends "ready"; answers "stats" with the request log's
 * figures; "reset" forgets the log and the rate-limit counts (a fresh budget); "close" stops it.
 */
import { startGhlSimulator } from '../../src/simulators/ghl/index.js';

const contacts = Number(process.env.BENCH_SIM_CONTACTS ?? 2_000);
const latencyMs = Number(process.env.BENCH_SIM_LATENCY_MS ?? 20);
const max = Number(process.env.BENCH_SIM_RATE_MAX ?? 100);
const intervalMs = Number(process.env.BENCH_SIM_RATE_INTERVAL_MS ?? 10_000);

const sim = await startGhlSimulator({
  seed: 42,
  contacts,
  latencyMs,
  rateLimit: { max, intervalMs, dailyMax: 10_000_000 },
});

process.on('message', (message: unknown) => {
  if (message === 'stats') {
    process.send?.({
      type: 'stats',
      total: sim.log.total(),
      rateLimited: sim.log.statusCount(429),
      counts: sim.log.counts(),
    });
  }
  if (message === 'reset') {
    sim.log.reset();
    sim.resetRateLimitCounters();
    process.send?.({ type: 'reset-done' });
  }
  if (message === 'close') void sim.close().then(() => process.exit(0));
});

process.send?.({
  type: 'ready',
  url: sim.url,
  locationId: sim.locationId,
  token: sim.demoToken,
  contactIds: sim.data.listContactIds(),
  rateLimit: { max, intervalMs },
  latencyMs,
});
