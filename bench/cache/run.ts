/**
 * Cache benchmark: what the shared cache saves, per store, over real HTTP against the simulator
 * (own process, 20 ms latency per answer).
 *   1. contact(id) with tasks, notes, appointments, and contacts(first: 50) with the same
 *      nested lists, each cold (ids / pages never read before) and warm (the same again):
 *      requests/s (8 in flight), p50 / p99 (sequential), upstream calls per query; for the
 *      memory, SQLite and Redis stores side by side (Redis only when reachable).
 *   2. A 30-second mixed run: interactive GraphQL reads (mostly cached contacts, a few cold)
 *      while a background-lane sync pages through 5,000 contacts (search + task search + notes
 *      per contact) through the same client and rate budget, against GHL's default limit of 100
 *      requests per 10 s: 429s seen by the simulator, interactive p95 of cached reads.
 * Also warm contact(id) with the whole-response cache off, to show what executing costs.
 * Targets: warm contact(id) p50 < 2 ms; warm throughput ≥ 20× cold; mixed run 0 429s and cached
 * interactive p95 < 50 ms. Writes bench/results/cache.json and prints a table.
 *
 * Run: `npx tsx bench/cache/run.ts` (or call `run()`). Not a test: timings vary by machine.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';

import { parseConfig, type Config } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { GhlClient } from '../../src/ghl/client.js';
import { InMemoryRateBudget } from '../../src/ghl/rate-budget.js';
import { StaticTokenProvider } from '../../src/ghl/token-provider.js';
import { encodeCursor } from '../../src/graphql/cursor.js';
import { nextMessage } from '../support/child-messages.js';
import { executeGraphQL, type Answer } from '../support/graphql-answer.js';
import { percentile } from '../support/percentile.js';

const here = dirname(fileURLToPath(import.meta.url));
const CONTACTS = 5_000;
const LATENCY_MS = 20;
const IN_FLIGHT = 8;
const MIXED_SECONDS = Number(process.env.BENCH_MIXED_SECONDS ?? 30);

const CONTACT_QUERY = `query($id: ID!) { contact(id: $id) { id name email tasks { id title } notes { id body } appointments { id startTime } } }`;
const LIST_QUERY = `query($after: String) { contacts(first: 50, after: $after) { edges { node { id name tasks { id } notes { id } appointments { id } } } } }`;

interface Ready {
  type: 'ready';
  url: string;
  locationId: string;
  token: string;
  contactIds: string[];
}

interface Stats {
  type: 'stats';
  total: number;
  rateLimited: number;
}

export interface PhaseResult {
  store: string;
  scenario: string;
  warmth: 'cold' | 'warm';
  runs: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  upstreamCallsPerQuery: number;
  errors: number;
}

export interface MixedResult {
  store: string;
  seconds: number;
  rateLimit: { max: number; intervalMs: number };
  syncUpstreamCalls: number;
  syncContactsDone: number;
  interactiveCached: { runs: number; p50Ms: number; p95Ms: number };
  interactiveCold: { runs: number; p50Ms: number; p95Ms: number; rateLimitedAnswers: number };
  simulator429s: number;
}

export interface CacheBenchResult {
  at: string;
  simulator: { contacts: number; latencyMs: number };
  phases: PhaseResult[];
  /** Warm contact(id) with the whole-response cache off (memory store): every query executes. */
  entityCacheOnly: PhaseResult;
  ratios: Array<{ store: string; scenario: string; warmOverColdThroughput: number }>;
  memory: Array<{ store: string; rssMb: number; heapUsedMb: number }>;
  mixed: MixedResult | null;
  targets: {
    warmContactP50Under2Ms: boolean;
    warmThroughputAtLeast20x: boolean;
    mixedNo429: boolean;
    mixedCachedP95Under50Ms: boolean;
  };
  pass: boolean;
}

function startSimulator(env: Record<string, string>): ChildProcess {
  return fork(join(here, 'simulator-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SIM_CONTACTS: String(CONTACTS), BENCH_SIM_LATENCY_MS: String(LATENCY_MS), ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

interface LoadResult {
  type: 'result';
  sequential: Answer[];
  parallel: Answer[];
  parallelMs: number;
  error?: string;
}

/** Runs a job in the load process: sequential runs (latency), then the rest IN_FLIGHT at a time (requests/s). */
async function load(
  loader: ChildProcess,
  url: string,
  query: string,
  variables: Array<Record<string, unknown>>,
  sequentialRuns: number,
): Promise<LoadResult> {
  const answer = nextMessage<LoadResult>(loader, 'result');
  loader.send({ type: 'job', url, query, variables, sequentialRuns, inFlight: IN_FLIGHT });
  const result = await answer;
  if (result.error !== undefined) throw new Error(`load process: ${result.error}`);
  return result;
}

async function phase(
  loader: ChildProcess,
  gateway: Gateway,
  store: string,
  scenario: string,
  warmth: 'cold' | 'warm',
  variablesOf: (run: number) => Record<string, unknown>,
  query: string,
  sequentialRuns: number,
  throughputRuns: number,
): Promise<PhaseResult> {
  const variables = Array.from({ length: sequentialRuns + throughputRuns }, (_, run) => variablesOf(run));
  const {
    sequential,
    parallel,
    parallelMs: elapsed,
  } = await load(loader, gateway.graphqlUrl, query, variables, sequentialRuns);
  const all = [...sequential, ...parallel];
  return {
    store,
    scenario,
    warmth,
    runs: all.length,
    requestsPerSecond: Math.round((throughputRuns * 1000 * 10) / elapsed) / 10,
    p50Ms: percentile(
      sequential.map((answer) => answer.ms),
      50,
      2,
    ),
    p99Ms: percentile(
      sequential.map((answer) => answer.ms),
      99,
      2,
    ),
    upstreamCallsPerQuery: Math.round((all.reduce((sum, answer) => sum + answer.calls, 0) / all.length) * 100) / 100,
    errors: all.filter((answer) => answer.failed).length,
  };
}

async function redisReachable(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function baseConfig(ready: Ready, extra: Record<string, string>): Config {
  return parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATABASE_URL: 'sqlite::memory:',
    ROOFR_SIM_PORT: '0',
    GHL_API_BASE_URL: ready.url,
    GHL_PRIVATE_INTEGRATION_TOKEN: ready.token,
    GHL_LOCATION_ID: ready.locationId,
    // Read-only load without keys: the one anonymous opt-in with HighLevel credentials.
    CLIENT_AUTH: 'anonymous-read',
    GHL_TOKEN_SCOPES: 'contacts.readonly contacts.write locations/tasks.readonly calendars/events.readonly',
    ...extra,
  });
}

/** Variables of run n of the contact(id) phases: 60 contacts of the slot's own 300, so each store starts cold. */
function contactVariables(ready: Ready, slot: number): (run: number) => { id: string } {
  const contactIds = ready.contactIds.slice(slot * 300, slot * 300 + 300);
  return (run) => ({ id: contactIds[run % 60] ?? '' });
}

async function measureStore(
  loader: ChildProcess,
  ready: Ready,
  store: string,
  cacheUrl: string,
  slot: number,
  log: (line: string) => void,
): Promise<{ phases: PhaseResult[]; memory: { store: string; rssMb: number; heapUsedMb: number } }> {
  const gateway = await startGateway(baseConfig(ready, { CACHE_URL: cacheUrl }));
  try {
    // Disjoint contacts and pages per store: every cold run is cold, whatever ran before.
    const contactVars = contactVariables(ready, slot);
    const pageVars = (run: number) => {
      const start = (slot * 18 + (run % 18)) * 50;
      return { after: start === 0 ? null : encodeCursor({ k: 'search', n: start, sa: null }, ready.locationId) };
    };
    const phases: PhaseResult[] = [];
    phases.push(await phase(loader, gateway, store, 'contact(id) nested', 'cold', contactVars, CONTACT_QUERY, 20, 40));
    // JIT warm-up on cached data, not measured: "warm" means a warm cache, not a cold process.
    await load(
      loader,
      gateway.graphqlUrl,
      CONTACT_QUERY,
      Array.from({ length: 1000 }, (_, run) => contactVars(run)),
      0,
    );
    phases.push(
      await phase(loader, gateway, store, 'contact(id) nested', 'warm', contactVars, CONTACT_QUERY, 1000, 4000),
    );
    // Warm right after cold: searches stay fresh for 30 s (CACHE_TTLS search).
    phases.push(await phase(loader, gateway, store, 'contacts(first: 50) nested', 'cold', pageVars, LIST_QUERY, 6, 12));
    phases.push(
      await phase(loader, gateway, store, 'contacts(first: 50) nested', 'warm', pageVars, LIST_QUERY, 200, 600),
    );
    for (const result of phases) {
      log(
        `${store.padEnd(7)} ${result.scenario.padEnd(28)} ${result.warmth.padEnd(5)} ${String(result.requestsPerSecond).padStart(8)} req/s  ` +
          `p50 ${String(result.p50Ms).padStart(7)} ms  p99 ${String(result.p99Ms).padStart(7)} ms  calls/query ${String(result.upstreamCallsPerQuery).padStart(6)}` +
          (result.errors > 0 ? `  (${result.errors} failed)` : ''),
      );
    }
    const usage = process.memoryUsage();
    return {
      phases,
      memory: { store, rssMb: Math.round(usage.rss / 1e6), heapUsedMb: Math.round(usage.heapUsed / 1e6) },
    };
  } finally {
    await gateway.close();
  }
}

/**
 * What the whole-response cache adds: warm contact(id) on the memory store with it turned off
 * (RESPONSE_CACHE_MAX_ENTRIES=0), so every warm query executes over the entity cache.
 */
async function measureEntityCacheOnly(
  loader: ChildProcess,
  ready: Ready,
  slot: number,
  log: (line: string) => void,
): Promise<PhaseResult> {
  const gateway = await startGateway(baseConfig(ready, { CACHE_URL: 'memory://', RESPONSE_CACHE_MAX_ENTRIES: '0' }));
  try {
    const contactVars = contactVariables(ready, slot);
    await load(
      loader,
      gateway.graphqlUrl,
      CONTACT_QUERY,
      Array.from({ length: 1060 }, (_, run) => contactVars(run)),
      0,
    );
    const result = await phase(
      loader,
      gateway,
      'memory, response cache off',
      'contact(id) nested',
      'warm',
      contactVars,
      CONTACT_QUERY,
      1000,
      4000,
    );
    log(
      `${result.store} contact(id) nested warm ${result.requestsPerSecond} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms`,
    );
    return result;
  } finally {
    await gateway.close();
  }
}

/** Interactive reads while a background-lane sync pages through every contact. */
async function mixedRun(store: string, cacheUrl: string, log: (line: string) => void): Promise<MixedResult> {
  const rateLimit = { max: 100, intervalMs: 10_000 };
  const child = startSimulator({
    BENCH_SIM_RATE_MAX: String(rateLimit.max),
    BENCH_SIM_RATE_INTERVAL_MS: String(rateLimit.intervalMs),
  });
  try {
    const ready = await nextMessage<Ready>(child, 'ready');
    const config = baseConfig(ready, { CACHE_URL: cacheUrl });
    const rateBudget = new InMemoryRateBudget({
      dailyReserve: config.GHL_DAILY_RESERVE,
      interactiveShare: config.GHL_INTERACTIVE_SHARE,
    });
    const ghl = new GhlClient({
      baseUrl: ready.url,
      tokenProvider: new StaticTokenProvider(ready.token, ready.locationId, config.GHL_TOKEN_SCOPES ?? null),
      timeoutMs: config.GHL_REQUEST_TIMEOUT_MS,
      writeTimeoutMs: config.GHL_WRITE_TIMEOUT_MS,
      maxRetries: config.GHL_MAX_RETRIES,
      concurrencyPerLocation: config.GHL_CONCURRENCY_PER_LOCATION,
      dailyReserve: config.GHL_DAILY_RESERVE,
      interactiveShare: config.GHL_INTERACTIVE_SHARE,
      rateBudget,
    });
    const gateway = await startGateway(config, { ghl, locationId: ready.locationId, rateBudget });
    const location = ready.locationId;
    try {
      // Warm a small working set first (what users look at), then start the sync.
      const hot = ready.contactIds.slice(0, 10);
      for (const id of hot) await executeGraphQL(agent, gateway.graphqlUrl, CONTACT_QUERY, { id });
      const before = await (child.send('stats'), nextMessage<Stats>(child, 'stats'));

      const stop = new AbortController();
      // One listener per in-flight sync call (100 per page) on the shared signal.
      setMaxListeners(1_000, stop.signal);
      let syncCalls = 0;
      let syncContacts = 0;
      const observer = { onRequest: () => (syncCalls += 1) };
      const sync = (async () => {
        for (let page = 1; page <= CONTACTS / 100 && !stop.signal.aborted; page += 1) {
          const options = { lane: 'background' as const, signal: stop.signal, observer };
          const { contacts } = await ghl.searchContacts(location, { pageLimit: 100, page }, options);
          const ids = contacts.map((hit) => hit.contact.id);
          await ghl.searchTasks(location, { contactIds: ids, limit: 500 }, options);
          await Promise.all(
            ids.map(async (id) => {
              await ghl.listNotes(location, id, options);
              syncContacts += 1;
            }),
          );
        }
      })().catch((error: unknown) => {
        if (!stop.signal.aborted) throw error;
      });

      const cached: number[] = [];
      const cold: number[] = [];
      let coldLimited = 0;
      const deadline = performance.now() + MIXED_SECONDS * 1000;
      let run = 0;
      while (performance.now() < deadline) {
        run += 1;
        if (run % 20 === 0) {
          const answer = await executeGraphQL(agent, gateway.graphqlUrl, CONTACT_QUERY, {
            id: ready.contactIds[1000 + run] ?? '',
          });
          cold.push(answer.ms);
          if (answer.code === 'RATE_LIMITED') coldLimited += 1;
        } else {
          cached.push(
            (await executeGraphQL(agent, gateway.graphqlUrl, CONTACT_QUERY, { id: hot[run % hot.length] ?? '' })).ms,
          );
        }
        // A person-paced client, not a flood: ~100 queries/s.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      stop.abort();
      await sync;
      agent.destroy();
      child.send('stats');
      const after = await nextMessage<Stats>(child, 'stats');
      const result: MixedResult = {
        store,
        seconds: MIXED_SECONDS,
        rateLimit,
        syncUpstreamCalls: syncCalls,
        syncContactsDone: syncContacts,
        interactiveCached: { runs: cached.length, p50Ms: percentile(cached, 50, 2), p95Ms: percentile(cached, 95, 2) },
        interactiveCold: {
          runs: cold.length,
          p50Ms: percentile(cold, 50, 2),
          p95Ms: percentile(cold, 95, 2),
          rateLimitedAnswers: coldLimited,
        },
        simulator429s: after.rateLimited - before.rateLimited,
      };
      log(
        `mixed ${MIXED_SECONDS}s (${store}, GHL limit ${rateLimit.max}/${rateLimit.intervalMs / 1000}s): sync ${syncCalls} calls, ${syncContacts} contacts; ` +
          `cached reads p50 ${result.interactiveCached.p50Ms} ms p95 ${result.interactiveCached.p95Ms} ms (${cached.length}); ` +
          `cold reads p50 ${result.interactiveCold.p50Ms} ms p95 ${result.interactiveCold.p95Ms} ms (${cold.length}, ${coldLimited} RATE_LIMITED); 429s ${result.simulator429s}`,
      );
      return result;
    } finally {
      await gateway.close();
    }
  } finally {
    child.send('close');
  }
}

export async function run(options: { write?: boolean; log?: (line: string) => void } = {}): Promise<CacheBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const sqliteDir = mkdtempSync(join(tmpdir(), 'bench-cache-'));
  const child = startSimulator({});
  const loader = fork(join(here, 'load-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    await nextMessage<{ type: 'ready' }>(loader, 'ready');
    const ready = await nextMessage<Ready>(child, 'ready');
    log(`simulator ready at ${ready.url} (${CONTACTS} contacts, ${LATENCY_MS} ms latency per answer)`);
    const stores: Array<[string, string]> = [
      ['memory', 'memory://'],
      ['sqlite', `sqlite://${join(sqliteDir, 'cache.db')}`],
    ];
    if (await redisReachable(redisUrl)) stores.push(['redis', redisUrl]);
    else log(`Redis not reachable at ${redisUrl}: skipped`);

    const phases: PhaseResult[] = [];
    const memory: CacheBenchResult['memory'] = [];
    for (const [slot, [store, url]] of stores.entries()) {
      const measured = await measureStore(loader, ready, store, url, slot, log);
      phases.push(...measured.phases);
      memory.push(measured.memory);
    }
    const entityCacheOnly = await measureEntityCacheOnly(loader, ready, stores.length, log);
    child.send('close');

    const ratios = stores.flatMap(([store]) =>
      ['contact(id) nested', 'contacts(first: 50) nested'].map((scenario) => {
        const cold = phases.find(
          (item) => item.store === store && item.scenario === scenario && item.warmth === 'cold',
        );
        const warm = phases.find(
          (item) => item.store === store && item.scenario === scenario && item.warmth === 'warm',
        );
        return {
          store,
          scenario,
          warmOverColdThroughput:
            cold && warm && cold.requestsPerSecond > 0
              ? Math.round((warm.requestsPerSecond / cold.requestsPerSecond) * 10) / 10
              : 0,
        };
      }),
    );
    for (const ratio of ratios)
      log(
        `${ratio.store.padEnd(7)} ${ratio.scenario.padEnd(28)} warm/cold throughput ${ratio.warmOverColdThroughput}×`,
      );

    const mixed = MIXED_SECONDS > 0 ? await mixedRun('memory', 'memory://', log) : null;
    const warmContact = phases.filter((item) => item.scenario === 'contact(id) nested' && item.warmth === 'warm');
    const targets = {
      warmContactP50Under2Ms: warmContact.length > 0 && warmContact.every((item) => item.p50Ms < 2),
      warmThroughputAtLeast20x: ratios.every((ratio) => ratio.warmOverColdThroughput >= 20),
      mixedNo429: mixed !== null && mixed.simulator429s === 0,
      mixedCachedP95Under50Ms: mixed !== null && mixed.interactiveCached.p95Ms < 50,
    };
    const result: CacheBenchResult = {
      at: new Date().toISOString(),
      simulator: { contacts: CONTACTS, latencyMs: LATENCY_MS },
      phases,
      entityCacheOnly,
      ratios,
      memory,
      mixed,
      targets,
      pass: Object.values(targets).every(Boolean),
    };
    log(`targets: ${JSON.stringify(targets)}`);
    if (options.write !== false) {
      mkdirSync('bench/results', { recursive: true });
      writeFileSync('bench/results/cache.json', `${JSON.stringify(result, null, 2)}\n`);
      log('wrote bench/results/cache.json');
    }
    return result;
  } finally {
    if (child.connected) child.send('close');
    if (loader.connected) loader.send('close');
    rmSync(sqliteDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
