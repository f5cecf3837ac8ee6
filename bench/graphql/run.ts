/**
 * GraphQL benchmark: what the per-request loaders save. Three operations, each cold (fresh ids
 * every iteration, a new per-request context as always), against the simulator in its own
 * process with 20 ms latency per answer, run through two gateways in this process over real
 * HTTP: the loader-backed resolvers and a naive set (src/graphql/naive-resolvers.ts: every
 * field calls the client directly). Reports upstream calls per query, p50/p95 latency
 * (sequential queries) and requests/s (4 queries in flight), prints them and writes
 * bench/results/graphql.json.
 *
 * Run: `npx tsx bench/graphql/run.ts` (or call `run()`). Not a test: timings vary by machine.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { encodeCursor } from '../../src/graphql/cursor.js';
import { naiveResolvers } from '../../src/graphql/naive-resolvers.js';
import { nextMessage } from '../support/child-messages.js';
import { percentile } from '../support/percentile.js';

const here = dirname(fileURLToPath(import.meta.url));
const CONTACTS = 2_000;
const LATENCY_MS = 20;
const SEQUENTIAL_RUNS = 15;
const THROUGHPUT_RUNS = 12;
const IN_FLIGHT = 4;

interface Ready {
  type: 'ready';
  url: string;
  locationId: string;
  token: string;
  contactIds: string[];
}

type Variant = 'loaders' | 'naive';

interface Scenario {
  name: string;
  /** Query and variables of the i-th run; ids advance so no run reuses another's contacts. */
  operation(run: number): { query: string; variables: Record<string, unknown> };
}

export interface ScenarioResult {
  scenario: string;
  variant: Variant;
  runs: number;
  upstreamCallsPerQuery: number;
  batchesPerQuery: number;
  p50Ms: number;
  p95Ms: number;
  requestsPerSecond: number;
  errors: number;
}

export interface GraphqlBenchResult {
  at: string;
  simulator: { contacts: number; latencyMs: number };
  results: ScenarioResult[];
  comparison: Array<{
    scenario: string;
    callsNaive: number;
    callsLoaders: number;
    callReduction: number;
    p50SpeedUp: number;
  }>;
}

function scenarios(contactIds: string[], locationId: string): Scenario[] {
  const id = (index: number): string => contactIds[index % contactIds.length] ?? '';
  return [
    {
      name: 'contacts(first: 50) with tasks, notes, appointments',
      // Each run starts at another page (a cursor as the API would issue it), so no run reads
      // contacts another run read.
      operation: (run) => {
        const start = (run * 50) % (contactIds.length - 50);
        return {
          query: `query($after: String) { contacts(first: 50, after: $after) { edges { node { id tasks { id } notes { id } appointments { id } } } } }`,
          variables: { after: start === 0 ? null : encodeCursor({ k: 'search', n: start, sa: null }, locationId) },
        };
      },
    },
    {
      name: 'contact(id) with tasks, notes, appointments',
      operation: (run) => ({
        query: `query($id: ID!) { contact(id: $id) { id name email tasks { id title } notes { id body } appointments { id startTime } } }`,
        variables: { id: id(run) },
      }),
    },
    {
      name: '_entities with 100 Contact representations',
      operation: (run) => ({
        query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Contact { id email } } }`,
        variables: {
          r: Array.from({ length: 100 }, (_, index) => ({ __typename: 'Contact', id: id(run * 100 + index) })),
        },
      }),
    },
  ];
}

interface Answer {
  ms: number;
  calls: number;
  batches: number;
  failed: boolean;
}

async function execute(
  gateway: Gateway,
  operation: { query: string; variables: Record<string, unknown> },
): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(operation),
  });
  const body = (await response.json()) as {
    errors?: unknown[];
    extensions?: { upstream?: { calls: number; batches: number } };
  };
  return {
    ms: performance.now() - started,
    calls: body.extensions?.upstream?.calls ?? 0,
    batches: body.extensions?.upstream?.batches ?? 0,
    failed: response.status !== 200 || (body.errors?.length ?? 0) > 0,
  };
}

async function measure(
  gateway: Gateway,
  variant: Variant,
  scenario: Scenario,
  offset: number,
): Promise<ScenarioResult> {
  const answers: Answer[] = [];
  for (let run = 0; run < SEQUENTIAL_RUNS; run += 1)
    answers.push(await execute(gateway, scenario.operation(offset + run)));
  const latencies = answers.map((answer) => answer.ms).sort((a, b) => a - b);

  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < THROUGHPUT_RUNS) {
      const run = next;
      next += 1;
      answers.push(await execute(gateway, scenario.operation(offset + SEQUENTIAL_RUNS + run)));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, () => worker()));
  const elapsed = performance.now() - started;

  const calls = answers.reduce((sum, answer) => sum + answer.calls, 0);
  const batches = answers.reduce((sum, answer) => sum + answer.batches, 0);
  return {
    scenario: scenario.name,
    variant,
    runs: answers.length,
    upstreamCallsPerQuery: Math.round((calls / answers.length) * 10) / 10,
    batchesPerQuery: Math.round((batches / answers.length) * 10) / 10,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    requestsPerSecond: Math.round((THROUGHPUT_RUNS * 1000 * 100) / elapsed) / 100,
    errors: answers.filter((answer) => answer.failed).length,
  };
}

export async function run(
  options: { write?: boolean; log?: (line: string) => void } = {},
): Promise<GraphqlBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const child = fork(join(here, 'simulator-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SIM_CONTACTS: String(CONTACTS), BENCH_SIM_LATENCY_MS: String(LATENCY_MS) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const gateways: Gateway[] = [];
  try {
    const ready = await nextMessage<Ready>(child, 'ready');
    log(`simulator ready at ${ready.url} (${CONTACTS} contacts, ${LATENCY_MS} ms latency per answer)`);
    const config = parseConfig({
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
    });
    const withLoaders = await startGateway(config);
    gateways.push(withLoaders);
    const naive = await startGateway(config, { resolvers: naiveResolvers });
    gateways.push(naive);

    const results: ScenarioResult[] = [];
    const all = scenarios(ready.contactIds, ready.locationId);
    for (const [index, scenario] of all.entries()) {
      // Disjoint id ranges per variant and scenario: every run is cold for both.
      const base = index * 4 * (SEQUENTIAL_RUNS + THROUGHPUT_RUNS);
      for (const [variant, gateway, offset] of [
        ['loaders', withLoaders, base],
        ['naive', naive, base + 2 * (SEQUENTIAL_RUNS + THROUGHPUT_RUNS)],
      ] as const) {
        const result = await measure(gateway, variant, scenario, offset);
        results.push(result);
        log(
          `${scenario.name.padEnd(52)} ${variant.padEnd(7)} calls/query ${String(result.upstreamCallsPerQuery).padStart(6)}  ` +
            `p50 ${String(result.p50Ms).padStart(7)} ms  p95 ${String(result.p95Ms).padStart(7)} ms  ${String(result.requestsPerSecond).padStart(6)} req/s` +
            (result.errors > 0 ? `  (${result.errors} failed)` : ''),
        );
      }
    }

    const comparison = all.map((scenario) => {
      const loaders = results.find((result) => result.scenario === scenario.name && result.variant === 'loaders');
      const naiveResult = results.find((result) => result.scenario === scenario.name && result.variant === 'naive');
      const callsLoaders = loaders?.upstreamCallsPerQuery ?? 0;
      const callsNaive = naiveResult?.upstreamCallsPerQuery ?? 0;
      return {
        scenario: scenario.name,
        callsNaive,
        callsLoaders,
        callReduction: callsNaive > 0 ? Math.round((1 - callsLoaders / callsNaive) * 1000) / 1000 : 0,
        p50SpeedUp:
          loaders && naiveResult && loaders.p50Ms > 0 ? Math.round((naiveResult.p50Ms / loaders.p50Ms) * 100) / 100 : 0,
      };
    });
    for (const row of comparison) {
      log(
        `${row.scenario}: ${row.callsNaive} → ${row.callsLoaders} upstream calls (${Math.round(row.callReduction * 100)}% fewer), p50 ${row.p50SpeedUp}× the naive speed`,
      );
    }

    const result: GraphqlBenchResult = {
      at: new Date().toISOString(),
      simulator: { contacts: CONTACTS, latencyMs: LATENCY_MS },
      results,
      comparison,
    };
    if (options.write !== false) {
      mkdirSync('bench/results', { recursive: true });
      writeFileSync('bench/results/graphql.json', `${JSON.stringify(result, null, 2)}\n`);
      log('wrote bench/results/graphql.json');
    }
    return result;
  } finally {
    for (const gateway of gateways) await gateway.close();
    child.send('close');
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
