/**
 * Agency scale: one deployment serving many sub-accounts. For each size (10, 25 and 50 locations;
 * AGENCY_LOCATIONS runs one size) a HighLevel simulator holds that many locations of one agency,
 * AGENCY_CONTACTS (400) contacts each, every location on its own 100-per-10 s window; the agency
 * installs the app once (OAuth, user_type Company: a location token is minted per location, each
 * spending its own location's budget). Two compiled gateway replicas share Redis (rate budget,
 * cache, BullMQ sync queue) and a PostgreSQL database of the run's own. The nightly batch is
 * queued as an operator would (`npm run sync -- --every-location --full`: one FULL run per
 * installed location) while one client per location reads `contact(id)` from 10 of them.
 *
 * Figures per size: wall time (first run queued → last run finished) against the largest single
 * location's lower bound (its fewest HighLevel calls ÷ 100 per 10 s) and against this machine's
 * CPU bound (the same batch with HighLevel's limit lifted, measured first: what the two replicas,
 * the simulators, Redis and PostgreSQL can do on these cores); the target is wall ≤ 1.5 × the
 * larger of the two. Also: upstream 429s (target 0), Roofr records missing or duplicated (target
 * 0), how many runs were on HighLevel at once, interactive p50/p95 during the sync, and each
 * replica's peak RSS (VmHWM). Writes bench/results/agency.json and agency.md.
 *
 * AGENCY_SYNC_CONCURRENCY overrides SYNC_CONCURRENCY (e.g. 1: one run per replica at a time, as before);
 * AGENCY_DATABASE_POOL_SIZE sets each replica's DATABASE_POOL_SIZE (default 20, as docs/operations.md
 * advises an agency at this size); AGENCY_LOG_DIR keeps each replica's log there (replica-<port>.log).
 * Needs REDIS_URL and DATABASE_URL_PG (an admin URL of a PostgreSQL server; a database per phase
 * is created and dropped); without them it says so and skips. Run under the bench lock:
 * `flock /tmp/gateway-bench.lock npm run bench -- agency` (AGENCY_LOCATIONS=10 for one size).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SignJWT } from 'jose';
import { Redis } from 'ioredis';
import { buildGateway, freePort } from '../chaos/processes.js';
import { percentile } from '../support/percentile.js';
import { startInteractiveLoad, type LoadResult } from './interactive-load.js';
import {
  createDatabase,
  queueEveryLocation,
  startReplica,
  startSimulators,
  type Replica,
  type RunRow,
} from './processes.js';
import type { AgencyStats } from './simulators-process.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CONTACTS = Number(process.env.AGENCY_CONTACTS ?? 400);
const RATE_MAX = 100;
const RATE_INTERVAL_MS = 10_000;
const PAGE_SIZE = 100;
const READ_LOCATIONS = 10;
const TARGET_RATIO = 1.5;
/** Background sync may use 80% of each window; 20% stays for interactive reads (see docs/operations.md). */
const INTERACTIVE_SHARE = 0.2;
const RUN_TIMEOUT_MS = 20 * 60_000;
/** The Roofr simulator is unthrottled; real Roofr's headers would pace these. */
const ROOFR_IN_FLIGHT = Number(process.env.AGENCY_ROOFR_MAX_IN_FLIGHT ?? 16);
/** 25 runs per replica at 50 locations: their group commits and token refreshes get a share of it each. */
const POOL_SIZE = Number(process.env.AGENCY_DATABASE_POOL_SIZE ?? 20);

interface PhaseResult {
  locations: number;
  rateLimited: boolean;
  wallMs: number;
  runs: { succeeded: number; other: number; read: number; failed: number };
  /** Per run: its span on HighLevel (first → last request), in ms. */
  runSpanMs: { min: number; median: number; max: number };
  /** The most runs that were calling HighLevel at one moment. */
  maxRunsAtOnce: number;
  /** Medians: queued → the run's first HighLevel call; its last HighLevel call → finished (Roofr confirmed). */
  queuedToFirstCallMs: number;
  lastCallToFinishedMs: number;
  ghlCalls: number;
  rateLimited429: number;
  roofr: AgencyStats['roofr'];
  largestLocationBoundMs: number;
  interactive: {
    requests: number;
    answered: number;
    p50Ms: number;
    p95Ms: number;
    errors: Record<string, number>;
  } | null;
  peakRssMb: number[];
  /** 1-minute load average of the machine when the phase ended (other work on it skews the figures). */
  loadAverageAtEnd: number;
  /** Runs that did not succeed: status and their last errors. */
  notSucceeded: Array<{ locationId: string; status: string; errors: string }>;
}

interface SizeResult {
  /** When and at which commit this size ran (a run of one size keeps the others' figures). */
  at: string;
  commit: string;
  locations: number;
  contacts: number;
  cpuBoundMs: number;
  largestLocationBoundMs: number;
  targetMs: number;
  wallMs: number;
  wallOverLocationBound: number;
  wallOverTarget: number;
  rateLimited429: number;
  roofrMissing: number;
  roofrDuplicated: number;
  maxRunsAtOnce: number;
  interactiveP50Ms: number | null;
  interactiveP95Ms: number | null;
  interactiveErrors: Record<string, number>;
  peakRssMbPerReplica: number[];
  cpuPhasePeakRssMbPerReplica: number[];
  phases: { cpu: PhaseResult; rated: PhaseResult };
  pass: boolean;
}

export interface AgencyBenchResult {
  at: string;
  commit: string;
  machine: { cpus: number; model: string; memoryGb: number; loadAverage: number[] };
  setup: Record<string, unknown>;
  sizes: SizeResult[];
  pass: boolean;
  skipped?: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function commitOf(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The agency installs the app once: install link → consent (the agency, every location) → callback. */
async function installAgency(gatewayUrl: string, companyId: string): Promise<void> {
  const start = await fetch(`${gatewayUrl}/oauth/install`, { redirect: 'manual' });
  const consentUrl = new URL(start.headers.get('location') ?? '');
  consentUrl.searchParams.set('companyId', companyId);
  const consent = await fetch(consentUrl, { redirect: 'manual' });
  let callback = await fetch(consent.headers.get('location') ?? '', { redirect: 'manual' });
  // 503 "reload this page": the replica's nonce store (Redis) was still connecting; the link is unspent.
  for (let attempt = 0; attempt < 20 && callback.status === 503; attempt += 1) {
    await sleep(500);
    callback = await fetch(consent.headers.get('location') ?? '', { redirect: 'manual' });
  }
  if (callback.status !== 200)
    throw new Error(`the agency install failed: callback answered ${callback.status}: ${await callback.text()}`);
}

/** The most intervals that overlap at one point. */
function maxOverlap(spans: Array<[number, number]>): number {
  const events = spans.flatMap(([from, to]) => [
    [from, 1],
    [to, -1],
  ]) as Array<[number, number]>;
  events.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of events) {
    now += delta;
    most = Math.max(most, now);
  }
  return most;
}

async function runPhase(
  locations: number,
  rated: boolean,
  urls: { redis: string; pgAdmin: string },
  log: (line: string) => void,
): Promise<PhaseResult> {
  const tag = randomBytes(4).toString('hex');
  const cleanups: Array<() => Promise<void>> = [];
  const queueName = `agency-bench-${tag}`;
  try {
    const db = await createDatabase(urls.pgAdmin, `agency_bench_${tag}`);
    cleanups.push(() => db.drop());
    const sims = await startSimulators(ROOT, {
      AGENCY_SIM_LOCATIONS: String(locations),
      AGENCY_SIM_CONTACTS: String(CONTACTS),
      AGENCY_SIM_TAG: tag,
      AGENCY_SIM_PAGE_SIZE: String(PAGE_SIZE),
      // The CPU phase: HighLevel's limit lifted, so only this machine bounds the batch.
      AGENCY_SIM_RATE_MAX: String(rated ? RATE_MAX : 1_000_000),
      AGENCY_SIM_RATE_INTERVAL_MS: String(RATE_INTERVAL_MS),
    });
    cleanups.push(() => sims.stop());
    const { ghl, roofr, minimumCalls } = sims.ready;
    const [portA, portB] = [await freePort(), await freePort()];
    const jwtSecret = randomBytes(32).toString('hex');
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      JWT_SECRET: jwtSecret,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      REDIS_URL: urls.redis,
      CACHE_URL: urls.redis,
      GHL_API_BASE_URL: ghl.url,
      GHL_CLIENT_ID: 'sim-oauth-client',
      GHL_CLIENT_SECRET: 'sim-oauth-secret',
      GHL_REDIRECT_URI: `http://127.0.0.1:${portA}/oauth/callback`,
      GHL_OAUTH_CONSENT_URL: `${ghl.url}/v2/oauth/chooselocation`,
      GHL_OAUTH_USER_TYPE: 'Company',
      GHL_SCOPES: 'contacts.write locations/tasks.readonly calendars/events.readonly oauth.write',
      GHL_INTERACTIVE_SHARE: String(INTERACTIVE_SHARE),
      TOKEN_ENCRYPTION_KEY: `k1:${randomBytes(32).toString('base64')}`,
      OAUTH_STATE_SECRET: randomBytes(32).toString('hex'),
      ROOFR_ADAPTER: 'rest',
      ROOFR_API_BASE_URL: roofr.apiBaseUrl,
      ROOFR_API_KEY: roofr.apiKey,
      // Roofr is one account for every location: its writes in flight per replica bound the batch.
      ROOFR_MAX_IN_FLIGHT: String(ROOFR_IN_FLIGHT),
      SYNC_SCHEDULE: 'off',
      SYNC_QUEUE: 'bullmq',
      SYNC_QUEUE_NAME: queueName,
      SYNC_PAGE_SIZE: String(PAGE_SIZE),
      // Every location's run on a worker at once: half of them on each replica.
      SYNC_CONCURRENCY: process.env.AGENCY_SYNC_CONCURRENCY ?? String(Math.ceil(locations / 2)),
    };
    cleanups.push(async () => {
      const redis = new Redis(urls.redis);
      for (const pattern of [`bull:${queueName}:*`, `*${tag}*`]) {
        const keys = await redis.keys(pattern);
        if (keys.length > 0) await redis.del(...keys);
      }
      redis.disconnect();
    });
    // One after the other: the first applies the migrations.
    const replicas: Replica[] = [];
    cleanups.push(async () => {
      await Promise.all(replicas.map((replica) => replica.stop()));
    });
    replicas.push(await startReplica(ROOT, env, portA));
    replicas.push(await startReplica(ROOT, env, portB));
    await installAgency(replicas[0]?.url ?? '', ghl.companyId);
    log(
      `  ${locations} locations × ${CONTACTS} contacts, ${rated ? `${RATE_MAX} per ${RATE_INTERVAL_MS / 1000} s each` : 'HighLevel unthrottled (CPU bound)'}; agency installed; 2 replicas up`,
    );

    const readLocations = ghl.locationIds.slice(0, READ_LOCATIONS);
    const bearer = await new SignJWT({ locations: readLocations, roles: ['read'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('agency-bench')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(jwtSecret));
    const load = rated
      ? startInteractiveLoad({
          graphqlUrls: replicas.map((replica) => `${replica.url}/graphql`),
          bearer,
          contacts: Object.fromEntries(readLocations.map((id) => [id, sims.ready.contacts[id] ?? []])),
          thinkMs: 250,
          seed: 17,
        })
      : null;

    const { DATABASE_URL: _own, ...cliEnv } = env;
    const runIds = await queueEveryLocation(ROOT, { ...cliEnv, DATABASE_URL: db.url });
    if (runIds.length !== locations) throw new Error(`${runIds.length} runs queued for ${locations} locations`);
    let rows: RunRow[] = [];
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    let lastLog = Date.now();
    for (;;) {
      rows = await db.runs(runIds);
      const running = rows.filter((row) => row.status === 'running').length;
      if (running === 0 && rows.length === runIds.length) break;
      if (Date.now() > deadline) throw new Error(`${running} runs still running after ${RUN_TIMEOUT_MS} ms`);
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(`    ${rows.length - running}/${runIds.length} runs finished`);
      }
      await sleep(250);
    }
    const interactive: LoadResult | null = load === null ? null : await load.stop();
    const peakRssMb = replicas.map((replica) => replica.peakRssMb());
    const stats = await sims.stats(runIds);
    const wallMs = Math.max(...rows.map((row) => row.finishedAt ?? 0)) - Math.min(...rows.map((row) => row.startedAt));
    const spans = Object.values(stats.runs)
      .filter((span) => span !== null)
      .map((span) => [Date.parse(span.firstAt), Date.parse(span.lastAt)] as [number, number]);
    const lengths = spans.map(([from, to]) => to - from).sort((a, b) => a - b);
    const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const byRun = new Map(rows.map((row) => [row.id, row]));
    const edges = Object.entries(stats.runs).flatMap(([id, span]) => {
      const row = byRun.get(id);
      return span === null || row === undefined
        ? []
        : [
            {
              toFirst: Date.parse(span.firstAt) - row.startedAt,
              toEnd: (row.finishedAt ?? 0) - Date.parse(span.lastAt),
            },
          ];
    });
    const largestCalls = Math.max(...Object.values(minimumCalls));
    const result: PhaseResult = {
      locations,
      rateLimited: rated,
      wallMs,
      runs: {
        succeeded: rows.filter((row) => row.status === 'succeeded').length,
        other: rows.filter((row) => row.status !== 'succeeded').length,
        read: rows.reduce((sum, row) => sum + row.read, 0),
        failed: rows.reduce((sum, row) => sum + row.failed, 0),
      },
      runSpanMs: {
        min: lengths[0] ?? 0,
        median: lengths[Math.floor(lengths.length / 2)] ?? 0,
        max: lengths.at(-1) ?? 0,
      },
      maxRunsAtOnce: maxOverlap(spans),
      queuedToFirstCallMs: median(edges.map((edge) => edge.toFirst)),
      lastCallToFinishedMs: median(edges.map((edge) => edge.toEnd)),
      ghlCalls: stats.ghlCalls,
      rateLimited429: stats.rateLimited,
      roofr: stats.roofr,
      largestLocationBoundMs: (largestCalls / RATE_MAX) * RATE_INTERVAL_MS,
      interactive:
        interactive === null
          ? null
          : {
              requests: interactive.latenciesMs.length,
              answered: interactive.answered,
              p50Ms: percentile(interactive.latenciesMs, 50),
              p95Ms: percentile(interactive.latenciesMs, 95),
              errors: interactive.errors,
            },
      peakRssMb,
      loadAverageAtEnd: Math.round((loadavg()[0] ?? 0) * 10) / 10,
      notSucceeded: rows
        .filter((row) => row.status !== 'succeeded')
        .map((row) => ({ locationId: row.locationId, status: row.status, errors: row.errors.slice(0, 500) })),
    };
    for (const failed of result.notSucceeded) log(`    ${failed.locationId} ${failed.status}: ${failed.errors}`);
    log(
      `  wall ${(wallMs / 1000).toFixed(1)} s; runs ${result.runs.succeeded} succeeded, ${result.runs.other} not; ` +
        `up to ${result.maxRunsAtOnce} runs on HighLevel at once (span median ${(result.runSpanMs.median / 1000).toFixed(1)} s, queued→first call ${result.queuedToFirstCallMs} ms, last call→finished ${result.lastCallToFinishedMs} ms); ` +
        `${stats.ghlCalls} HighLevel calls, ${stats.rateLimited} 429s; Roofr ${stats.roofr.jobs}/${stats.roofr.expected} jobs, ` +
        `missing ${stats.roofr.missing}, duplicated ${stats.roofr.duplicated}; ` +
        (result.interactive === null
          ? ''
          : `interactive ${result.interactive.requests} requests, p50 ${result.interactive.p50Ms} ms, p95 ${result.interactive.p95Ms} ms, errors ${JSON.stringify(result.interactive.errors)}; `) +
        `peak RSS ${peakRssMb.join(' / ')} MB`,
    );
    return result;
  } finally {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((error: unknown) => log(`  cleanup: ${String(error)}`));
  }
}

async function runSize(
  locations: number,
  urls: { redis: string; pgAdmin: string },
  log: (line: string) => void,
): Promise<SizeResult> {
  log(`${locations} locations: CPU bound first (HighLevel unthrottled), then the rate-limited batch with reads`);
  const cpu = await runPhase(locations, false, urls, log);
  const rated = await runPhase(locations, true, urls, log);
  const targetMs = TARGET_RATIO * Math.max(cpu.wallMs, rated.largestLocationBoundMs);
  const result: SizeResult = {
    at: new Date().toISOString(),
    commit: commitOf(),
    locations,
    contacts: CONTACTS,
    cpuBoundMs: cpu.wallMs,
    largestLocationBoundMs: rated.largestLocationBoundMs,
    targetMs,
    wallMs: rated.wallMs,
    wallOverLocationBound: Math.round((rated.wallMs / rated.largestLocationBoundMs) * 100) / 100,
    wallOverTarget: Math.round((rated.wallMs / targetMs) * 100) / 100,
    rateLimited429: rated.rateLimited429 + cpu.rateLimited429,
    roofrMissing: rated.roofr.missing,
    roofrDuplicated: rated.roofr.duplicated,
    maxRunsAtOnce: rated.maxRunsAtOnce,
    interactiveP50Ms: rated.interactive?.p50Ms ?? null,
    interactiveP95Ms: rated.interactive?.p95Ms ?? null,
    interactiveErrors: rated.interactive?.errors ?? {},
    peakRssMbPerReplica: rated.peakRssMb,
    cpuPhasePeakRssMbPerReplica: cpu.peakRssMb,
    phases: { cpu, rated },
    pass: false,
  };
  result.pass =
    result.wallMs <= targetMs &&
    result.rateLimited429 === 0 &&
    result.roofrMissing === 0 &&
    result.roofrDuplicated === 0 &&
    rated.runs.other === 0 &&
    cpu.roofr.missing + cpu.roofr.duplicated === 0;
  log(
    `${locations} locations: wall ${(rated.wallMs / 1000).toFixed(1)} s = ${result.wallOverLocationBound}× the largest location's bound ` +
      `(${(rated.largestLocationBoundMs / 1000).toFixed(1)} s); CPU bound ${(cpu.wallMs / 1000).toFixed(1)} s; target ≤ ${(targetMs / 1000).toFixed(1)} s: ${result.pass ? 'PASS' : 'FAIL'}`,
  );
  return result;
}

function markdown(result: AgencyBenchResult): string {
  const rows = result.sizes.map(
    (size) =>
      `| ${size.locations} (${size.commit ?? result.commit}) | ${(size.wallMs / 1000).toFixed(1)} s | ${(size.largestLocationBoundMs / 1000).toFixed(1)} s | ${size.wallOverLocationBound}× | ${(size.cpuBoundMs / 1000).toFixed(1)} s | ${(size.targetMs / 1000).toFixed(1)} s | ${size.maxRunsAtOnce} | ${size.rateLimited429} | ${size.roofrMissing} / ${size.roofrDuplicated} | ${size.interactiveP50Ms ?? '-'} / ${size.interactiveP95Ms ?? '-'} ms | ${size.peakRssMbPerReplica.join(' / ')} MB | ${size.pass ? 'PASS' : 'FAIL'} |`,
  );
  return [
    '# Agency scale (bench/agency)',
    '',
    `${result.at}, commit ${result.commit}, ${result.machine.cpus} × ${result.machine.model}, ${result.machine.memoryGb} GB.`,
    `Each location: ${CONTACTS} contacts, its own ${RATE_MAX} requests per ${RATE_INTERVAL_MS / 1000} s; 2 replicas (compiled, production mode) on one Redis and one PostgreSQL, BullMQ sync queue, SYNC_CONCURRENCY = locations ÷ 2, DATABASE_POOL_SIZE ${POOL_SIZE}, ROOFR_MAX_IN_FLIGHT ${ROOFR_IN_FLIGHT}, GHL_INTERACTIVE_SHARE ${INTERACTIVE_SHARE}; the batch queued with \`npm run sync -- --every-location --full\` while one client per location reads \`contact(id)\` from ${READ_LOCATIONS} locations (250 ms between requests).`,
    '',
    '| Locations (commit) | Wall | Largest location bound | Wall ÷ bound | CPU bound (unthrottled) | Target (1.5 × max) | Runs on HighLevel at once | 429s | Roofr missing / duplicated | Interactive p50 / p95 | Peak RSS per replica | |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    "Wall: first run queued → last run finished (sync_runs). Bound: the location's fewest HighLevel calls (pages + one notes call per contact + task searches) ÷ 100 per 10 s. CPU bound: the same batch with HighLevel unthrottled on this machine (simulators, both replicas, Redis and PostgreSQL share its cores).",
    '',
  ].join('\n');
}

export async function run(options: { write?: boolean; log?: (line: string) => void } = {}): Promise<AgencyBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const redis = process.env.REDIS_URL;
  const pgAdmin = process.env.DATABASE_URL_PG;
  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    loadAverage: loadavg(),
  };
  const base = { at: new Date().toISOString(), commit: commitOf(), machine, sizes: [] };
  if (redis === undefined || pgAdmin === undefined) {
    const skipped =
      'skipped: set REDIS_URL (e.g. redis://127.0.0.1:6379) and DATABASE_URL_PG (e.g. postgres://postgres@127.0.0.1:5432/test): two replicas share them';
    log(skipped);
    return { ...base, setup: {}, pass: true, skipped };
  }
  const sizes = process.env.AGENCY_LOCATIONS === undefined ? [10, 25, 50] : [Number(process.env.AGENCY_LOCATIONS)];
  log('compiling the gateway (npm run build)…');
  buildGateway(ROOT);
  const results: SizeResult[] = [];
  for (const size of sizes) results.push(await runSize(size, { redis, pgAdmin }, log));
  // AGENCY_LOCATIONS runs one size: the other sizes of the last full run stay, each with its commit.
  const file = resolve(ROOT, 'bench/results/agency.json');
  if (process.env.AGENCY_LOCATIONS !== undefined && existsSync(file)) {
    const previous = (JSON.parse(readFileSync(file, 'utf8')) as { sizes?: SizeResult[] }).sizes ?? [];
    for (const size of previous) if (!sizes.includes(size.locations)) results.push(size);
    results.sort((a, b) => a.locations - b.locations);
  }
  const result: AgencyBenchResult = {
    ...base,
    setup: {
      contactsPerLocation: CONTACTS,
      rateLimit: { max: RATE_MAX, intervalMs: RATE_INTERVAL_MS },
      replicas: 2,
      syncQueue: 'bullmq',
      syncConcurrency: 'ceil(locations / 2) per replica',
      syncPageSize: PAGE_SIZE,
      roofrMaxInFlight: ROOFR_IN_FLIGHT,
      databasePoolSize: POOL_SIZE,
      interactiveShare: INTERACTIVE_SHARE,
      readLocations: READ_LOCATIONS,
      readThinkMs: 250,
      targetRatio: TARGET_RATIO,
    },
    sizes: results,
    pass: results.every((size) => size.pass),
  };
  if (options.write !== false) {
    mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(resolve(ROOT, 'bench/results/agency.md'), markdown(result));
    log('wrote bench/results/agency.json and agency.md');
  }
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await run();
  process.exitCode = result.pass ? 0 : 1;
}
