/**
 * `npm run bench:peers`: this gateway beside the alternatives a team would pick (GraphQL Mesh
 * served by Hive Gateway with its response cache, Apollo Server with @apollo/datasource-rest,
 * our own naive resolvers), all against the same HighLevel simulator (seed 42, 20 ms per answer,
 * 100 requests per 10 s per token). Each system gets a fresh simulator, and a fresh process of
 * its own for each workload, so caches start cold and peak RSS is per workload. Prints a table,
 * writes bench/results/peers.json and bench/results/peers.md. See bench/peers/README.md.
 *
 * Environment: BENCH_MIXED_SECONDS (60), BENCH_MIXED_CLIENTS (16), BENCH_WARM_SECONDS (10), BENCH_WARM_UP_SECONDS (3), BENCH_WARM_IN_FLIGHT (16),
 * BENCH_PEERS (comma list of mesh, apollo, naive, gateway; default all), BENCH_WORKLOADS (comma list of
 * a, b, c, d, e, xa, xb; default all), BENCH_PEERS_KEEP=1 (with BENCH_PEERS or BENCH_WORKLOADS: keep
 * the rows this run did not measure from the last bench/results/peers.json), BENCH_GATEWAY_CPU_PROF=<dir> (this
 * gateway's processes run under --cpu-prof, a profile per workload in <dir>), BENCH_APOLLO_CPU_PROF=<dir> (the same for the Apollo peer), BENCH_ANSWER_LOG=<dir> (every answer of the mixed runs, timed, in <dir>/<system>-<workload>.json), BENCH_MEMORY_TRACE=<dir> (this
 * gateway's and the Apollo peer's processes write process.memoryUsage() every 250 ms, see memory-trace.ts).
 * `tsx bench/peers/run.ts render` rewrites peers.md from peers.json without measuring.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { consoleTable, machine, markdown, targets, withRatios, type PeersReport } from './report.js';
import { startSimulator } from './simulator-control.js';
import { composeMesh, SYSTEMS, type PeerSystem } from './systems.js';
import {
  coldOperations,
  executionOperations,
  forgetConnections,
  measureCold,
  measureExecution,
  measureMixed,
  measureWarm,
  WORKLOAD_KEYS,
  type PhaseResult,
  type WorkloadKey,
  type WorkloadSettings,
} from './workloads.js';

const here = dirname(fileURLToPath(import.meta.url));
const RESULTS_JSON = 'bench/results/peers.json';
const RESULTS_MD = 'bench/results/peers.md';

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got "${raw}")`);
  return value;
}

export function settingsFromEnv(): WorkloadSettings {
  return {
    coldRuns: { a: 10, b: 2, c: 2 },
    warmUpSeconds: numberFromEnv('BENCH_WARM_UP_SECONDS', 3),
    warmSeconds: numberFromEnv('BENCH_WARM_SECONDS', 10),
    // Saturating: with 4 in flight a sub-millisecond server is bound by round trips, not by what it can serve.
    warmInFlight: numberFromEnv('BENCH_WARM_IN_FLIGHT', 16),
    mixedSeconds: numberFromEnv('BENCH_MIXED_SECONDS', 60),
    mixedClients: numberFromEnv('BENCH_MIXED_CLIENTS', 16),
    requestTimeoutMs: 15_000,
    rateIntervalMs: 10_000,
  };
}

function listFromEnv(name: string): string[] {
  return (process.env[name] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function workloadsFromEnv(): WorkloadKey[] {
  const asked = listFromEnv('BENCH_WORKLOADS');
  const unknown = asked.filter((key) => !(WORKLOAD_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0)
    throw new Error(`BENCH_WORKLOADS: unknown ${unknown.join(', ')} (known: ${WORKLOAD_KEYS.join(', ')})`);
  return WORKLOAD_KEYS.filter((key) => asked.length === 0 || asked.includes(key));
}

/** HighLevel's limits (a, b, c, d, e); the execution workloads' simulator has a budget that never binds. */
function simulatorEnv(execution: boolean): Record<string, string> {
  return {
    BENCH_SIM_CONTACTS: '2000',
    BENCH_SIM_LATENCY_MS: '20',
    BENCH_SIM_RATE_MAX: execution ? '100000000' : '100',
    BENCH_SIM_RATE_INTERVAL_MS: '10000',
  };
}

async function runSystem(
  system: PeerSystem,
  settings: WorkloadSettings,
  workloads: readonly WorkloadKey[],
  log: (line: string) => void,
): Promise<PhaseResult[]> {
  const results: PhaseResult[] = [];
  const report = (row: PhaseResult): void => {
    results.push(row);
    log(
      `${system.key.padEnd(8)} (${row.workload}) ${row.phase.padEnd(5)} ${String(row.queries).padStart(5)} queries ${String(row.errors).padStart(4)} errors  ` +
        `${String(row.upstreamCallsPerQuery).padStart(6)} calls/query ${String(row.rateLimited).padStart(5)} 429s  p50 ${row.p50Ms} p95 ${row.p95Ms} p99 ${row.p99Ms} ms  ` +
        `${row.requestsPerSecond} ok req/s  ${row.peakRssMb} MB` +
        (row.firstError ? `  first error: ${row.firstError}` : ''),
    );
  };
  const limited = workloads.filter((workload) => workload !== 'xa' && workload !== 'xb');
  const execution = system.executes ? workloads.filter((workload) => workload === 'xa' || workload === 'xb') : [];
  if (limited.length > 0) {
    const sim = await startSimulator(simulatorEnv(false), settings.coldRuns.b);
    try {
      const ids = sim.ready.contactIds;
      for (const workload of limited) {
        const peer = await system.start(sim.upstream, log, { wholeResponseCache: true });
        try {
          if (workload === 'd' || workload === 'e') {
            report(await measureMixed(system, peer, sim, workload, ids, settings));
            continue;
          }
          const operations = coldOperations(system, workload, settings.coldRuns[workload], ids, sim.upstream);
          report(await measureCold(system, peer, sim, workload, operations, settings));
          report(await measureWarm(system, peer, sim, workload, operations, settings));
        } finally {
          forgetConnections(peer.graphqlUrl);
          await peer.process.stop();
        }
      }
    } finally {
      await sim.stop();
    }
  }
  if (execution.length > 0) {
    const sim = await startSimulator(simulatorEnv(true), settings.coldRuns.b);
    try {
      for (const workload of execution) {
        const peer = await system.start(sim.upstream, log, { wholeResponseCache: false });
        try {
          const operations = executionOperations(system, workload, sim.ready.contactIds, sim.upstream);
          report(await measureExecution(system, peer, sim, workload, operations, settings));
        } finally {
          forgetConnections(peer.graphqlUrl);
          await peer.process.stop();
        }
      }
    } finally {
      await sim.stop();
    }
  }
  return results;
}

export async function run(options: { write?: boolean; log?: (line: string) => void } = {}): Promise<PeersReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const settings = settingsFromEnv();
  const only = listFromEnv('BENCH_PEERS');
  const workloads = workloadsFromEnv();
  const systems = SYSTEMS.filter((system) => only.length === 0 || only.includes(system.key));
  if (!existsSync(join(here, 'node_modules/.bin/hive-gateway'))) {
    throw new Error(
      'bench/peers has no node_modules: run `npm --prefix bench/peers install` (npm run bench:peers does)',
    );
  }
  log(
    `peers: ${systems.map((system) => system.key).join(', ')}; workloads ${workloads.join(', ')}; mixed runs ${settings.mixedSeconds} s with ${settings.mixedClients} clients`,
  );

  const outcomes: PeersReport['systems'] = [];
  const results: PhaseResult[] = [];
  for (const system of systems) {
    log(`\n--- ${system.label} ---`);
    try {
      if (system.key === 'mesh') await composeMesh(log);
      results.push(...(await runSystem(system, settings, workloads, log)));
      outcomes.push({ key: system.key, label: system.label, error: null });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${system.key} failed: ${message}`);
      outcomes.push({ key: system.key, label: system.label, error: message });
    }
  }

  const partial = only.length > 0 || workloads.length < WORKLOAD_KEYS.length;
  if (partial && process.env.BENCH_PEERS_KEEP === '1' && existsSync(RESULTS_JSON)) {
    // Keep the rows this run did not measure from the last run, each system saying when it ran.
    const previous = JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as PeersReport;
    const ran = new Set(systems.map((system) => system.key as string));
    const measured = (row: PhaseResult): boolean => ran.has(row.system) && workloads.includes(row.workload);
    const now = new Date().toISOString();
    for (const outcome of outcomes) {
      const before = previous.systems.find((entry) => entry.key === outcome.key);
      const keptRows = previous.results.some((row) => row.system === outcome.key && !measured(row));
      outcome.at = keptRows
        ? `${now} (workloads ${workloads.join(', ')}; the others ${before?.at ?? previous.at})`
        : now;
    }
    for (const system of previous.systems.filter((entry) => !ran.has(entry.key)))
      outcomes.push({ ...system, at: system.at ?? previous.at });
    results.push(...previous.results.filter((row) => !measured(row)).map(({ vsGateway: _ratios, ...row }) => row));
    log(`kept the rows this run did not measure from ${RESULTS_JSON}`);
  }
  const order = SYSTEMS.map((system) => system.key as string);
  results.sort(
    (left, right) =>
      order.indexOf(left.system) - order.indexOf(right.system) ||
      WORKLOAD_KEYS.indexOf(left.workload) - WORKLOAD_KEYS.indexOf(right.workload),
  );
  outcomes.sort((left, right) => order.indexOf(left.key) - order.indexOf(right.key));

  const verdicts = targets(results);
  const report: PeersReport = {
    at: new Date().toISOString(),
    machine: machine(),
    settings: {
      ...settings,
      simulator: { contacts: 2000, latencyMs: 20, rateLimit: '100 per 10 s per token', seed: 42 },
    },
    systems: outcomes,
    results: withRatios(results),
    targets: verdicts,
    pass: verdicts.every((verdict) => verdict.met === true),
  };
  log(`\n${consoleTable(report)}`);
  if (options.write !== false) {
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(RESULTS_JSON, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(RESULTS_MD, markdown(report, readFileSync(join(here, 'README.md'), 'utf8')));
    log('wrote bench/results/peers.json and bench/results/peers.md');
  }
  return report;
}

/** Recomputes ratios, targets and peers.md from peers.json (after a change to the report only). */
export function render(): PeersReport {
  const previous = JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as PeersReport;
  const rows = previous.results.map(({ vsGateway: _ratios, ...row }) => row);
  const verdicts = targets(rows);
  const report: PeersReport = {
    ...previous,
    results: withRatios(rows),
    targets: verdicts,
    pass: verdicts.every((verdict) => verdict.met === true),
  };
  writeFileSync(RESULTS_JSON, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(RESULTS_MD, markdown(report, readFileSync(join(here, 'README.md'), 'utf8')));
  return report;
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(process.argv[1]).href &&
  process.argv[2] === 'render'
) {
  console.log(consoleTable(render()));
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await run();
  process.exitCode = report.systems.some((system) => system.error !== null) ? 1 : 0;
}
