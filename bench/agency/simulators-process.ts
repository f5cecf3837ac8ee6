/**
 * The agency benchmark's upstreams in a process of their own: one HighLevel simulator holding
 * AGENCY_SIM_LOCATIONS locations of one agency (company), AGENCY_SIM_CONTACTS contacts each, each
 * location on its own burst window (the simulator counts bursts per app and location, as GHL
 * does: every location token minted from the agency install has its own 100 per 10 s), and an
 * unthrottled Roofr simulator. Sends one "ready" message; answers "stats" (IPC) with what
 * HighLevel served (calls, 429s, each run's first and last request) and what Roofr holds per
 * contact (missing, duplicated); "close" stops both.
 */
import { startGhlSimulator } from '../../src/simulators/ghl/index.js';
import { startRoofrSimulator } from '../../src/simulators/roofr/index.js';

export interface AgencySimulatorsReady {
  type: 'ready';
  ghl: { url: string; companyId: string; locationIds: string[] };
  roofr: { apiBaseUrl: string; apiKey: string };
  /** Per location: the fewest HighLevel calls a FULL sync needs (see run.ts). */
  minimumCalls: Record<string, number>;
  contacts: Record<string, string[]>;
}

export interface AgencyStats {
  type: 'stats';
  ghlCalls: number;
  rateLimited: number;
  /** `sync-<runId>` → when HighLevel saw the run's first and last request (ISO), and how many. */
  runs: Record<string, { count: number; firstAt: string; lastAt: string } | null>;
  roofr: { expected: number; jobs: number; customers: number; missing: number; duplicated: number };
}

const env = process.env;
const locations = Number(env.AGENCY_SIM_LOCATIONS ?? 10);
const contacts = Number(env.AGENCY_SIM_CONTACTS ?? 400);
const tag = env.AGENCY_SIM_TAG ?? 'bench';
const pageSize = Number(env.AGENCY_SIM_PAGE_SIZE ?? 100);
const companyId = `AgencyCo${tag}`.padEnd(20, '0').slice(0, 20);
// 20 characters like HighLevel's ids; the tag keeps Redis keys (rate budget, cache) of runs apart.
const locationIds = Array.from({ length: locations }, (_, index) =>
  `Ag${tag}`.padEnd(16, '0').slice(0, 16).concat(String(index).padStart(4, '0')),
);

const ghl = await startGhlSimulator({
  seed: 42,
  companyId,
  locations: locationIds.map((locationId) => ({ locationId, contacts })),
  // Agency installs only: no Private Integration Token.
  tokens: [],
  rateLimit: {
    max: Number(env.AGENCY_SIM_RATE_MAX ?? 100),
    intervalMs: Number(env.AGENCY_SIM_RATE_INTERVAL_MS ?? 10_000),
    dailyMax: 10_000_000,
  },
  latencyMs: Number(env.AGENCY_SIM_LATENCY_MS ?? 20),
});
const roofr = await startRoofrSimulator({ rateLimit: { limit: 100_000_000 } });

/** pages + one notes call per contact + tasks searches (one per 100 tasks, at least one per page). */
function minimumCalls(locationId: string): number {
  const ids = ghl.data.listContactIds(locationId);
  const pages = Math.ceil(ids.length / pageSize);
  const tasks = ids.reduce((sum, id) => sum + ghl.data.tasksOf(id).length, 0);
  return pages + ids.length + Math.max(pages, Math.ceil(tasks / 100));
}

function roofrSummary(): AgencyStats['roofr'] {
  const refs = new Map<string, number>();
  for (const job of roofr.data.jobs.values())
    if (job.external_ref) refs.set(job.external_ref, (refs.get(job.external_ref) ?? 0) + 1);
  let missing = 0;
  let expected = 0;
  for (const locationId of locationIds)
    for (const id of ghl.data.listContactIds(locationId)) {
      expected += 1;
      if (!refs.has(`ghl:contact:${id}`)) missing += 1;
    }
  const duplicated =
    [...refs.values()].reduce((sum, count) => sum + (count - 1), 0) +
    Math.max(0, roofr.data.customers.size - roofr.data.jobs.size);
  return { expected, jobs: roofr.data.jobs.size, customers: roofr.data.customers.size, missing, duplicated };
}

process.on('message', (message: unknown) => {
  if (typeof message === 'object' && message !== null && 'stats' in message && Array.isArray(message.stats)) {
    const runs: AgencyStats['runs'] = {};
    for (const runId of message.stats as string[]) runs[runId] = ghl.log.forRequestId(`sync-${runId}`);
    const stats: AgencyStats = {
      type: 'stats',
      ghlCalls: ghl.log.total(),
      rateLimited: ghl.log.statusCount(429),
      runs,
      roofr: roofrSummary(),
    };
    process.send?.(stats);
  }
  if (message === 'close') void Promise.allSettled([ghl.close(), roofr.close()]).then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));

const ready: AgencySimulatorsReady = {
  type: 'ready',
  ghl: { url: ghl.url, companyId, locationIds },
  roofr: { apiBaseUrl: roofr.apiBaseUrl, apiKey: roofr.apiKey },
  minimumCalls: Object.fromEntries(locationIds.map((id) => [id, minimumCalls(id)])),
  contacts: Object.fromEntries(locationIds.map((id) => [id, ghl.data.listContactIds(id).slice(0, 50)])),
};
process.send?.(ready);
