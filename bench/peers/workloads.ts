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
 * mixed (e): the same load, the same ids in the same order, but every request draws its own
 *       selection (which contact fields, which of tasks, notes and appointments and which of their
 *       fields), as frontend apps send: identical requests are rare, so a whole-response cache
 *       cannot carry it.
 * execution (xa, xb): the whole-response cache off (where a system has one to turn off) and the
 *       entity cache warm, against a simulator whose budget never binds: what executing a query
 *       costs. (xa) contact(id) with tasks, notes and appointments over 1,000 rotating ids, (xb)
 *       the first two pages of 50; every operation is run once first (warming the cache), then
 *       warmUpSeconds unmeasured and warmSeconds measured, warmInFlight at once.
 */
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { mulberry32 } from '../../src/simulators/prng.js';
import { postJson } from '../support/http-post.js';
import { latencyStats, perSecond, type LatencyStats } from './latency-stats.js';
import type { SimControl } from './simulator-control.js';
import type { ContactScalar, Operation, PeerSystem, RunningPeer, Selection, Upstream } from './systems.js';

export type WorkloadKey = 'a' | 'b' | 'c' | 'd' | 'e' | 'xa' | 'xb';
export type Phase = 'cold' | 'warm' | 'mixed';

export const WORKLOAD_KEYS: readonly WorkloadKey[] = ['a', 'b', 'c', 'd', 'e', 'xa', 'xb'];

export const WORKLOAD_NAMES: Record<WorkloadKey, string> = {
  a: 'contact(id) with tasks, notes, appointments',
  b: '50 contacts with tasks, notes, appointments',
  c: '100 entities by id (_entities / aliases / list)',
  d: 'mixed: many clients, repeated and new ids',
  e: 'mixed as (d), fields and lists varying per request',
  xa: 'execution: contact(id) with tasks, notes, appointments over 1,000 rotating ids, whole-response cache off, entity cache warm',
  xb: 'execution: the first two pages of 50 contacts, whole-response cache off, entity cache warm',
};

export interface PhaseResult extends LatencyStats {
  system: string;
  workload: WorkloadKey;
  phase: Phase;
  queries: number;
  ok: number;
  errors: number;
  /** Answers with errors that were RATE_LIMITED with retryAfterMs (the gateway's way of refusing). */
  advisedRetries: number;
  upstreamCalls: number;
  upstreamCallsPerQuery: number;
  rateLimited: number;
  /** Answers without errors per second. */
  requestsPerSecond: number;
  peakRssMb: number;
  /**
   * CPU ms the system's processes used per answer during the phase (warm and mixed phases); null
   * for cold phases or where /proc is absent. Steadier than requests/s on a shared machine.
   */
  cpuMsPerAnswer: number | null;
  firstError: string | null;
  /** Mixed phases: answers by kind of operation, to say which kinds carry errors and which take long. */
  byKind?: Record<string, KindFigures>;
}

export interface KindFigures {
  queries: number;
  ok: number;
  meanMs: number;
  /** Answers of this kind that took longer than a second (a wait for budget, in this gateway). */
  overOneSecond: number;
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
  /** Mixed phases: which kind of operation this answers (see MIXED_KINDS). */
  kind?: string;
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
  cpuMs: number | null = null,
): PhaseResult {
  const ok = answers.filter((answer) => answer.ok).length;
  return {
    ...base,
    queries: answers.length,
    ok,
    errors: answers.length - ok,
    advisedRetries: answers.filter((answer) => !answer.ok && answer.retryAfterMs !== null).length,
    upstreamCalls: upstream.total,
    upstreamCallsPerQuery: answers.length > 0 ? Math.round((upstream.total / answers.length) * 10) / 10 : 0,
    rateLimited: upstream.rateLimited,
    ...latencyStats(answers.map((answer) => answer.ms)),
    requestsPerSecond: perSecond(ok, elapsedMs),
    peakRssMb,
    cpuMsPerAnswer: cpuMs === null || answers.length === 0 ? null : Math.round((cpuMs / answers.length) * 1000) / 1000,
    firstError: answers.find((answer) => !answer.ok)?.error ?? null,
    ...(answers.some((answer) => answer.kind !== undefined) ? { byKind: figuresByKind(answers) } : {}),
  };
}

function figuresByKind(answers: readonly Answer[]): Record<string, KindFigures> {
  const sums = new Map<string, { queries: number; ok: number; ms: number; overOneSecond: number }>();
  for (const answer of answers) {
    const kind = answer.kind ?? 'other';
    const sum = sums.get(kind) ?? { queries: 0, ok: 0, ms: 0, overOneSecond: 0 };
    sum.queries += 1;
    sum.ok += answer.ok ? 1 : 0;
    sum.ms += answer.ms;
    sum.overOneSecond += answer.ms > 1_000 ? 1 : 0;
    sums.set(kind, sum);
  }
  const figures: Record<string, KindFigures> = {};
  for (const kind of MIXED_KINDS) {
    const sum = sums.get(kind);
    if (sum === undefined) continue;
    figures[kind] = {
      queries: sum.queries,
      ok: sum.ok,
      meanMs: Math.round((sum.ms / sum.queries) * 10) / 10,
      overOneSecond: sum.overOneSecond,
    };
  }
  return figures;
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
  kindOf?: (operation: Operation) => string | undefined,
  answerLog?: Array<Answer & { at: number }>,
): Promise<{ answers: Answer[]; elapsedMs: number }> {
  const answers: Answer[] = [];
  const started = performance.now();
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const operation = next();
      if (operation === null) return;
      const answer = await send(url, operation, timeoutMs);
      const kind = kindOf?.(operation);
      answers.push(kind === undefined ? answer : { ...answer, kind });
      if (answerLog !== undefined)
        answerLog.push({ at: Math.round(performance.now() - started), kind, ...answer, ms: Math.round(answer.ms) });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, () => loop()));
  return { answers, elapsedMs: performance.now() - started };
}

export async function measureWarm(
  system: PeerSystem,
  peer: RunningPeer,
  sim: SimControl,
  workload: 'a' | 'b' | 'c' | 'xa' | 'xb',
  operations: readonly Operation[],
  settings: WorkloadSettings,
): Promise<PhaseResult> {
  // The execution workloads' simulator has a budget that never binds: no window to wait for.
  if (workload === 'a' || workload === 'xa' || workload === 'xb') await sim.reset();
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
  const cpuBefore = peer.process.cpuMs();
  const deadline = performance.now() + settings.warmSeconds * 1000;
  const { answers, elapsedMs } = await closedLoop(
    peer.graphqlUrl,
    settings.warmInFlight,
    deadline,
    settings.requestTimeoutMs,
    nextOperation,
  );
  const cpuAfter = peer.process.cpuMs();
  const after = await sim.stats();
  const upstream = { total: after.total - before.total, rateLimited: after.rateLimited - before.rateLimited };
  return summarize(
    { system: system.key, workload, phase: 'warm' },
    answers,
    elapsedMs,
    upstream,
    peer.process.peakRssMb(),
    cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
  );
}

/** The kinds of operation in the mixed runs, in the order the report lists them. */
const MIXED_KINDS = ['hot contact', 'new contact', 'entities', 'page'] as const;

/**
 * The mix: 55% one contact from a hot set of 20, 25% one contact never asked before, 12% ten
 * entities (five hot, five new), 8% one of the first two pages of 50. Sequence seeded alike for all.
 * `kinds` learns which kind each operation is, for the report's breakdown.
 */
function mixedOperations(
  system: PeerSystem,
  ids: readonly string[],
  upstream: Upstream,
  varying: boolean,
  kinds: WeakMap<Operation, string>,
): () => Operation {
  // Seeded, so every system gets the same sequence of mixed operations.
  const random = mulberry32(7);
  // A stream of its own, so (e) draws the same ids in the same order as (d).
  const selection = varying ? selections(mulberry32(11)) : (): undefined => undefined;
  const hot = ids.slice(0, 20);
  let fresh = 1_000;
  const newId = (): string => {
    fresh += 1;
    return ids[fresh % ids.length] ?? '';
  };
  const hotId = (): string => hot[Math.floor(random() * hot.length)] ?? '';
  const tagged = (operation: Operation, kind: (typeof MIXED_KINDS)[number]): Operation => {
    kinds.set(operation, kind);
    return operation;
  };
  return () => {
    const roll = random();
    if (roll < 0.55) return tagged(system.contact(hotId(), selection()), 'hot contact');
    if (roll < 0.8) return tagged(system.contact(newId(), selection()), 'new contact');
    if (roll < 0.92)
      return tagged(
        system.entities([...Array.from({ length: 5 }, hotId), ...Array.from({ length: 5 }, newId)], selection()),
        'entities',
      );
    return tagged(system.page(random() < 0.5 ? 0 : 1, upstream, selection()), 'page');
  };
}

const SCALARS: readonly ContactScalar[] = ['name', 'firstName', 'lastName', 'email', 'phone'];

/** Each field kept with probability 1/2, in schema order: 2^5 scalar sets × 4 × 3 × 3 list choices. */
function selections(random: () => number): () => Selection {
  const some = <T>(fields: readonly T[]): T[] => fields.filter(() => random() < 0.5);
  const maybe = <T>(fields: readonly T[]): T[] | null => (random() < 0.25 ? null : some(fields));
  return () => ({
    scalars: some(SCALARS),
    tasks: maybe(['title', 'dueDate', 'completed'] as const),
    notes: maybe(['body', 'dateAdded'] as const),
    appointments: maybe(['title', 'startTime'] as const),
  });
}

export async function measureMixed(
  system: PeerSystem,
  peer: RunningPeer,
  sim: SimControl,
  workload: 'd' | 'e',
  ids: readonly string[],
  settings: WorkloadSettings,
): Promise<PhaseResult> {
  await sim.reset();
  const kinds = new WeakMap<Operation, string>();
  // BENCH_ANSWER_LOG=<dir>: every answer of the phase with its time since the start, to see when
  // a system stalls (the figures above are sums over the whole phase).
  const answerLogDir = process.env.BENCH_ANSWER_LOG;
  const answerLog = answerLogDir === undefined ? undefined : ([] as Array<Answer & { at: number }>);
  const next = mixedOperations(system, ids, sim.upstream, workload === 'e', kinds);
  const cpuBefore = peer.process.cpuMs();
  const deadline = performance.now() + settings.mixedSeconds * 1000;
  const { answers, elapsedMs } = await closedLoop(
    peer.graphqlUrl,
    settings.mixedClients,
    deadline,
    settings.requestTimeoutMs,
    next,
    (operation) => kinds.get(operation),
    answerLog,
  );
  const cpuAfter = peer.process.cpuMs();
  if (answerLogDir !== undefined)
    writeFileSync(join(answerLogDir, `${system.key}-${workload}.json`), JSON.stringify(answerLog));
  await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  const stats = await sim.stats();
  return summarize(
    { system: system.key, workload, phase: 'mixed' },
    answers,
    elapsedMs,
    stats,
    peer.process.peakRssMb(),
    cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
  );
}

/** The operations of an execution workload: 1,000 contacts (xa) or the first two pages (xb). */
export function executionOperations(
  system: PeerSystem,
  workload: 'xa' | 'xb',
  ids: readonly string[],
  upstream: Upstream,
): Operation[] {
  if (workload === 'xb') return [system.page(0, upstream), system.page(1, upstream)];
  return ids.slice(0, 1_000).map((id) => system.contact(id));
}

/**
 * Execution over a warm cache: every operation once (filling the system's cache; the simulator's
 * budget does not bind here), then warm-up and measurement cycling through them as (a) warm does.
 */
export async function measureExecution(
  system: PeerSystem,
  peer: RunningPeer,
  sim: SimControl,
  workload: 'xa' | 'xb',
  operations: readonly Operation[],
  settings: WorkloadSettings,
): Promise<PhaseResult> {
  let filled = 0;
  await closedLoop(peer.graphqlUrl, settings.warmInFlight, Number.POSITIVE_INFINITY, settings.requestTimeoutMs, () => {
    const operation = filled < operations.length ? (operations[filled] ?? null) : null;
    filled += 1;
    return operation;
  });
  await sim.reset();
  return measureWarm(system, peer, sim, workload, operations, settings);
}
