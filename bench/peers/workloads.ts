/**
 * The four workloads and how each phase is measured. Every query goes over real HTTP to the
 * system's own process; upstream calls and 429s come from the simulator's request log, not from
 * the system's own account.
 *
 * cold  (a, b, c): queries one after another, each on ids no earlier query read. An answer with a
 *       RATE_LIMITED error carrying retryAfterMs is retried as it advises (up to 3 times), its
 *       calls and time counted for the query, as a client following the contract would. A (b) or (c)
 *       query costs a peer about a whole burst window, so before each the runner waits for a
 *       fresh window (the limit's interval): every query then meets a full budget, at the
 *       simulator and in any budget the system keeps itself, and its figures are its own cost,
 *       not the pacing of the one before. (a) runs on one budget (10 × 4 calls fit in it).
 * warm  (a, b, c): the cold queries again, cycling, warmInFlight (16) at once: first warmUpSeconds unmeasured
 *       (caches and JIT warm), then warmSeconds measured, on one budget (after a fresh window for
 *       b and c).
 * mixed (d): many clients for BENCH_MIXED_SECONDS on one budget, repeated and new ids.
 */
import { Agent } from 'node:http';
import { mulberry32 } from '../../src/simulators/prng.js';
import { postJson } from '../support/http-post.js';
import { latencyStats, perSecond, type LatencyStats } from './latency-stats.js';
import type { SimControl } from './simulator-control.js';
import type { Operation, PeerSystem, RunningPeer, Upstream } from './systems.js';

export type WorkloadKey = 'a' | 'b' | 'c' | 'd';
export type Phase = 'cold' | 'warm' | 'mixed';

export const WORKLOAD_NAMES: Record<WorkloadKey, string> = {
  a: 'contact(id) with tasks, notes, appointments',
  b: '50 contacts with tasks, notes, appointments',
  c: '100 entities by id (_entities / aliases / list)',
  d: 'mixed: many clients, repeated and new ids',
};

export interface PhaseResult extends LatencyStats {
  system: string;
  workload: WorkloadKey;
  phase: Phase;
  queries: number;
  ok: number;
  errors: number;
  upstreamCalls: number;
  upstreamCallsPerQuery: number;
  rateLimited: number;
  /** Answers without errors per second. */
  requestsPerSecond: number;
  peakRssMb: number;
  firstError: string | null;
}

export interface WorkloadSettings {
  coldRuns: Record<'a' | 'b' | 'c', number>;
  /** Unmeasured closed-loop seconds before each warm measurement. */
  warmUpSeconds: number;
  /** Measured closed-loop seconds of each warm phase. */
  warmSeconds: number;
  warmInFlight: number;
  mixedSeconds: number;
  mixedClients: number;
  requestTimeoutMs: number;
  /** The simulator's burst window: how long to wait for a fresh budget. */
  rateIntervalMs: number;
}

/** Waits out the burst window, so the simulator and the system's own budget both start afresh. */
async function freshWindow(sim: SimControl, settings: WorkloadSettings): Promise<void> {
  await new Promise((resolveWait) => setTimeout(resolveWait, settings.rateIntervalMs + 500));
  // The counts would have rolled over by now anyway; resetting also clears the request log.
  await sim.reset();
}

interface Answer {
  ms: number;
  ok: boolean;
  error: string | null;
  /** The server's advice to retry after this long (a RATE_LIMITED error's extensions.retryAfterMs). */
  retryAfterMs: number | null;
}

/** How many times a cold query follows the server's retry advice before its answer counts as failed. */
const COLD_RETRIES = 3;

/** One keep-alive agent per system URL, so no phase pays for new connections (and all systems alike). */
const agents = new Map<string, Agent>();

function agentFor(url: string): Agent {
  let agent = agents.get(url);
  if (agent === undefined) {
    agent = new Agent({ keepAlive: true, maxSockets: 64 });
    agents.set(url, agent);
  }
  return agent;
}

/** Closes the keep-alive connections to a system (before its process stops). */
export function forgetConnections(url: string): void {
  agents.get(url)?.destroy();
  agents.delete(url);
}

async function send(url: string, operation: Operation, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await postJson(agentFor(url), url, JSON.stringify(operation), timeoutMs);
    const ms = performance.now() - started;
    let body: { data?: unknown; errors?: Array<{ message?: string; extensions?: { retryAfterMs?: unknown } }> } = {};
    try {
      body = JSON.parse(response.text) as typeof body;
    } catch {
      return { ms, ok: false, error: `HTTP ${response.status}: not JSON`, retryAfterMs: null };
    }
    const firstError = body.errors?.[0]?.message;
    if (response.status !== 200 || firstError !== undefined || body.data == null) {
      const advice = body.errors?.find((error) => typeof error.extensions?.retryAfterMs === 'number')?.extensions
        ?.retryAfterMs;
      return {
        ms,
        ok: false,
        error: `HTTP ${response.status}: ${(firstError ?? 'no data').slice(0, 160)}`,
        retryAfterMs: typeof advice === 'number' ? advice : null,
      };
    }
    return { ms, ok: true, error: null, retryAfterMs: null };
  } catch (error) {
    return {
      ms: performance.now() - started,
      ok: false,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      retryAfterMs: null,
    };
  }
}

/** Operations of a workload's cold phase: run i reads ids (or a page) no other run reads. */
export function coldOperations(
  system: PeerSystem,
  workload: 'a' | 'b' | 'c',
  runs: number,
  ids: readonly string[],
  upstream: Upstream,
): Operation[] {
  return Array.from({ length: runs }, (_, run) => {
    if (workload === 'a') return system.contact(ids[run % ids.length] ?? '');
    if (workload === 'b') return system.page(run, upstream);
    return system.entities(Array.from({ length: 100 }, (_, index) => ids[(run * 100 + index) % ids.length] ?? ''));
  });
}

function summarize(
  base: Pick<PhaseResult, 'system' | 'workload' | 'phase'>,
  answers: readonly Answer[],
  elapsedMs: number,
  upstream: { total: number; rateLimited: number },
  peakRssMb: number,
): PhaseResult {
  const ok = answers.filter((answer) => answer.ok).length;
  return {
    ...base,
    queries: answers.length,
    ok,
    errors: answers.length - ok,
    upstreamCalls: upstream.total,
    upstreamCallsPerQuery: answers.length > 0 ? Math.round((upstream.total / answers.length) * 10) / 10 : 0,
    rateLimited: upstream.rateLimited,
    ...latencyStats(answers.map((answer) => answer.ms)),
    requestsPerSecond: perSecond(ok, elapsedMs),
    peakRssMb,
    firstError: answers.find((answer) => !answer.ok)?.error ?? null,
  };
}

export async function measureCold(
  system: PeerSystem,
  peer: RunningPeer,
  sim: SimControl,
  workload: 'a' | 'b' | 'c',
  operations: readonly Operation[],
  settings: WorkloadSettings,
): Promise<PhaseResult> {
  const answers: Answer[] = [];
  const upstream = { total: 0, rateLimited: 0 };
  let elapsed = 0;
  await sim.reset();
  for (const operation of operations) {
    if (workload !== 'a') await freshWindow(sim, settings);
    const before = await sim.stats();
    const started = performance.now();
    let answer = await send(peer.graphqlUrl, operation, settings.requestTimeoutMs);
    // A client does what a RATE_LIMITED answer advises: the query's cost and time include the retries.
    for (let retry = 0; !answer.ok && answer.retryAfterMs !== null && retry < COLD_RETRIES; retry += 1) {
      await new Promise((resolveWait) => setTimeout(resolveWait, (answer.retryAfterMs ?? 0) + 100));
      answer = await send(peer.graphqlUrl, operation, settings.requestTimeoutMs);
    }
    answer = { ...answer, ms: performance.now() - started };
    answers.push(answer);
    elapsed += answer.ms;
    // Late upstream calls of a query (a peer still fetching after it answered) count for it too.
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
    const after = await sim.stats();
    upstream.total += after.total - before.total;
    upstream.rateLimited += after.rateLimited - before.rateLimited;
  }
  return summarize(
    { system: system.key, workload, phase: 'cold' },
    answers,
    elapsed,
    upstream,
    peer.process.peakRssMb(),
  );
}

/** Runs `next()` on `inFlight` loops until it returns null or the deadline passes. */
async function closedLoop(
  url: string,
  inFlight: number,
  deadline: number,
  timeoutMs: number,
  next: () => Operation | null,
): Promise<{ answers: Answer[]; elapsedMs: number }> {
  const answers: Answer[] = [];
  const started = performance.now();
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const operation = next();
      if (operation === null) return;
      answers.push(await send(url, operation, timeoutMs));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, () => loop()));
  return { answers, elapsedMs: performance.now() - started };
}

export async function measureWarm(
  system: PeerSystem,
  peer: RunningPeer,
  sim: SimControl,
  workload: 'a' | 'b' | 'c',
  operations: readonly Operation[],
  settings: WorkloadSettings,
): Promise<PhaseResult> {
  if (workload === 'a') await sim.reset();
  else await freshWindow(sim, settings);
  let issued = 0;
  const nextOperation = (): Operation | null => {
    const operation = operations[issued % operations.length] ?? null;
    issued += 1;
    return operation;
  };
  // Not measured: "warm" means warm caches and a warm JIT, not the first seconds of a process.
  await closedLoop(
    peer.graphqlUrl,
    settings.warmInFlight,
    performance.now() + settings.warmUpSeconds * 1000,
    settings.requestTimeoutMs,
    nextOperation,
  );
  const before = await sim.stats();
  const deadline = performance.now() + settings.warmSeconds * 1000;
  const { answers, elapsedMs } = await closedLoop(
    peer.graphqlUrl,
    settings.warmInFlight,
    deadline,
    settings.requestTimeoutMs,
    nextOperation,
  );
  const after = await sim.stats();
  const upstream = { total: after.total - before.total, rateLimited: after.rateLimited - before.rateLimited };
  return summarize(
    { system: system.key, workload, phase: 'warm' },
    answers,
    elapsedMs,
    upstream,
    peer.process.peakRssMb(),
  );
}

/**
 * The mix: 55% one contact from a hot set of 20, 25% one contact never asked before, 12% ten
 * entities (five hot, five new), 8% one of the first two pages of 50. Sequence seeded alike for all.
 */
function mixedOperations(system: PeerSystem, ids: readonly string[], upstream: Upstream): () => Operation {
  // Seeded, so every system gets the same sequence of mixed operations.
  const random = mulberry32(7);
  const hot = ids.slice(0, 20);
  let fresh = 1_000;
  const newId = (): string => {
    fresh += 1;
    return ids[fresh % ids.length] ?? '';
  };
  const hotId = (): string => hot[Math.floor(random() * hot.length)] ?? '';
  return () => {
    const roll = random();
    if (roll < 0.55) return system.contact(hotId());
    if (roll < 0.8) return system.contact(newId());
    if (roll < 0.92) return system.entities([...Array.from({ length: 5 }, hotId), ...Array.from({ length: 5 }, newId)]);
    return system.page(random() < 0.5 ? 0 : 1, upstream);
  };
}

export async function measureMixed(
  system: PeerSystem,
  peer: RunningPeer,
  sim: SimControl,
  ids: readonly string[],
  settings: WorkloadSettings,
): Promise<PhaseResult> {
  await sim.reset();
  const next = mixedOperations(system, ids, sim.upstream);
  const deadline = performance.now() + settings.mixedSeconds * 1000;
  const { answers, elapsedMs } = await closedLoop(
    peer.graphqlUrl,
    settings.mixedClients,
    deadline,
    settings.requestTimeoutMs,
    next,
  );
  await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  const stats = await sim.stats();
  return summarize(
    { system: system.key, workload: 'd', phase: 'mixed' },
    answers,
    elapsedMs,
    stats,
    peer.process.peakRssMb(),
  );
}
