/**
 * Response-cache benchmark: how fast a reused answer is served, by where it is served. The same
 * warm single-contact reads (with tasks, notes and appointments; 20 contacts cycled, 16 in
 * flight) go to a gateway whose reused responses are answered
 *   - front:    by the layer in front of Express (src/http/cached-response.ts, as shipped),
 *   - pipeline: by the Apollo plugin's responseForOperation only (Express, auth, trusted
 *               documents, hardening, admission all run first),
 *   - off:      not at all (every request executes on the warm entity cache).
 * The variants alternate over several rounds (the machine is noisy); the medians and their
 * ratios to `front` are printed and written to bench/results/response-cache.json.
 *
 * Run: `npm run bench -- response-cache` (or `npx tsx bench/response-cache/run.ts`); RC_ROUNDS and
 * RC_MEASURE_MS change the rounds and their length, RC_CPU_PROF=pipeline (or front, off) writes a
 * CPU profile of that gateway to bench/results/tmp/response-cache-profiles/.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nextMessage } from '../support/child-messages.js';
import { postJson } from '../support/http-post.js';
import { percentile } from '../support/percentile.js';

const here = dirname(fileURLToPath(import.meta.url));
const PROFILE_DIR = join(here, '../results/tmp/response-cache-profiles');
const VARIANTS = ['front', 'pipeline', 'off'] as const;
type Variant = (typeof VARIANTS)[number];
const ROUNDS = Number(process.env.RC_ROUNDS ?? 3);
const WARM_MS = 2_000;
const MEASURE_MS = Number(process.env.RC_MEASURE_MS ?? 8_000);
const IN_FLIGHT = 16;
const IDS = 20;
const QUERY =
  'query Contact($id: ID!) { contact(id: $id) { id name email phone tasks { id title completed } notes { id body } appointments { id startTime } } }';

interface Round {
  variant: Variant;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  reused: number;
  errors: number;
}

export interface ResponseCacheBenchResult {
  at: string;
  settings: { rounds: number; measureMs: number; inFlight: number; contacts: number };
  rounds: Round[];
  medians: Record<Variant, { requestsPerSecond: number; p50Ms: number; p99Ms: number }>;
  /** Median requests/s of each variant over `front`'s. */
  ratioToFront: Record<Variant, number>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function forkChild(script: string, env: Record<string, string>): Promise<ChildProcess> {
  return fork(join(here, script), [], {
    env: { ...process.env, ...env },
    execArgv: [
      '--import',
      'tsx',
      // RC_CPU_PROF=<variant>: a CPU profile of that variant's gateway, for where its time goes.
      ...(process.env.RC_CPU_PROF === env.RC_VARIANT ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('close');
  await exited;
}

/** Sends requests `IN_FLIGHT` at a time for `ms`; records each latency and whether it was reused. */
async function load(url: string, ids: string[], ms: number): Promise<Omit<Round, 'variant'>> {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const latencies: number[] = [];
  let reused = 0;
  let errors = 0;
  let sent = 0;
  const until = performance.now() + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const id = ids[sent++ % ids.length];
      const started = performance.now();
      const answer = await postJson(agent, url, JSON.stringify({ query: QUERY, variables: { id } }));
      latencies.push(performance.now() - started);
      const body = JSON.parse(answer.text) as {
        errors?: unknown[];
        extensions?: { responseCache?: { hit?: boolean } };
      };
      if (answer.status !== 200 || (body.errors?.length ?? 0) > 0) errors += 1;
      if (body.extensions?.responseCache?.hit === true) reused += 1;
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const elapsed = performance.now() - began;
  agent.destroy();
  return {
    requestsPerSecond: Math.round((latencies.length / elapsed) * 1000),
    p50Ms: percentile(latencies, 50, 2),
    p99Ms: percentile(latencies, 99, 2),
    reused,
    errors,
  };
}

export async function run(
  options: { write?: boolean; log?: (line: string) => void } = {},
): Promise<ResponseCacheBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const simulator = fork(join(here, '../graphql/simulator-process.ts'), [], {
    env: { ...process.env, BENCH_SIM_CONTACTS: '200', BENCH_SIM_LATENCY_MS: '20' },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const sim = await nextMessage<{
    type: 'ready';
    url: string;
    locationId: string;
    token: string;
    contactIds: string[];
  }>(simulator, 'ready');
  const ids = sim.contactIds.slice(0, IDS);
  const rounds: Round[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of VARIANTS) {
        const gateway = await forkChild('gateway-process.ts', {
          RC_VARIANT: variant,
          RC_GHL_BASE_URL: sim.url,
          RC_GHL_TOKEN: sim.token,
          RC_GHL_LOCATION_ID: sim.locationId,
        });
        try {
          const { graphqlUrl } = await nextMessage<{ type: 'ready'; graphqlUrl: string }>(gateway, 'ready');
          await load(graphqlUrl, ids, WARM_MS);
          const measured = { variant, ...(await load(graphqlUrl, ids, MEASURE_MS)) };
          rounds.push(measured);
          log(
            `round ${round + 1} ${variant.padEnd(8)} ${String(measured.requestsPerSecond).padStart(6)} req/s  p50 ${measured.p50Ms} ms  p99 ${measured.p99Ms} ms  reused ${measured.reused}  errors ${measured.errors}`,
          );
        } finally {
          await stop(gateway);
        }
      }
    }
  } finally {
    await stop(simulator);
  }
  const medians = Object.fromEntries(
    VARIANTS.map((variant) => {
      const of = rounds.filter((round) => round.variant === variant);
      return [
        variant,
        {
          requestsPerSecond: median(of.map((round) => round.requestsPerSecond)),
          p50Ms: median(of.map((round) => round.p50Ms)),
          p99Ms: median(of.map((round) => round.p99Ms)),
        },
      ];
    }),
  ) as ResponseCacheBenchResult['medians'];
  const ratioToFront = Object.fromEntries(
    VARIANTS.map((variant) => [
      variant,
      Number((medians[variant].requestsPerSecond / Math.max(1, medians.front.requestsPerSecond)).toFixed(2)),
    ]),
  ) as ResponseCacheBenchResult['ratioToFront'];
  const result: ResponseCacheBenchResult = {
    at: new Date().toISOString(),
    settings: { rounds: ROUNDS, measureMs: MEASURE_MS, inFlight: IN_FLIGHT, contacts: IDS },
    rounds,
    medians,
    ratioToFront,
  };
  log(
    `medians: ${VARIANTS.map((variant) => `${variant} ${medians[variant].requestsPerSecond} req/s (×${ratioToFront[variant]})`).join(', ')}`,
  );
  if (options.write !== false) {
    const out = join(here, '../results/response-cache.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${out}`);
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run();
}
