/** The peer comparison's verdicts, console table and bench/results/peers.{json,md}. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { WORKLOAD_NAMES, type PhaseResult, type WorkloadKey } from './workloads.js';

export interface Machine {
  nproc: number;
  cpuModel: string;
  node: string;
  commit: string;
  /** 1, 5 and 15 minute load averages when the run ended: other work on the machine skews timings. */
  loadAverage: number[];
}

export interface TargetVerdict {
  target: string;
  gateway: number | null;
  /** The figure compared with: the peer's (named in `peerName`), or the bound the gateway must keep. */
  peer: number | null;
  peerName: string | null;
  met: boolean | null;
  /** Why a verdict says less than it seems (e.g. met only because Mesh answered nothing). */
  note: string | null;
}

export interface PeersReport {
  at: string;
  machine: Machine;
  settings: Record<string, unknown>;
  systems: Array<{ key: string; label: string; error: string | null; at?: string }>;
  results: Array<PhaseResult & { vsGateway: Ratios | null }>;
  targets: TargetVerdict[];
  /** Every target met (null targets, e.g. Mesh did not run, count as not met). */
  pass: boolean;
}

export interface Ratios {
  /** Peer's upstream calls per query ÷ the gateway's. */
  upstreamCalls: number | null;
  p50: number | null;
  /** Peer's requests/s ÷ the gateway's. */
  requestsPerSecond: number | null;
  peakRss: number | null;
  /** Peer's CPU ms per answer ÷ the gateway's (above 1: the peer spends more per answer). */
  cpuPerAnswer?: number | null;
}

export function machine(): Machine {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((row) => row.startsWith('model name'));
    if (line) cpuModel = line.split(':').slice(1).join(':').trim();
  } catch {
    // Not Linux: os.cpus() is the next best name.
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim() !== '';
    if (dirty) commit += ' (+ uncommitted changes)';
  } catch {
    // Not a git checkout.
  }
  return {
    nproc: cpus().length,
    cpuModel,
    node: process.version,
    commit,
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

function ratio(peer: number, gateway: number): number | null {
  return gateway > 0 ? Math.round((peer / gateway) * 100) / 100 : null;
}

export function withRatios(results: readonly PhaseResult[]): Array<PhaseResult & { vsGateway: Ratios | null }> {
  return results.map((result) => {
    const gateway = results.find(
      (row) => row.system === 'gateway' && row.workload === result.workload && row.phase === result.phase,
    );
    if (!gateway || result.system === 'gateway') return { ...result, vsGateway: null };
    return {
      ...result,
      vsGateway: {
        upstreamCalls: ratio(result.upstreamCallsPerQuery, gateway.upstreamCallsPerQuery),
        p50: ratio(result.p50Ms, gateway.p50Ms),
        requestsPerSecond: ratio(result.requestsPerSecond, gateway.requestsPerSecond),
        peakRss: ratio(result.peakRssMb, gateway.peakRssMb),
        cpuPerAnswer:
          result.cpuMsPerAnswer == null || gateway.cpuMsPerAnswer == null
            ? null
            : ratio(result.cpuMsPerAnswer, gateway.cpuMsPerAnswer),
      },
    };
  });
}

/** Issue 17's targets, each from one run's rows. */
export function targets(results: readonly PhaseResult[]): TargetVerdict[] {
  const find = (system: string, workload: WorkloadKey, phase: string): PhaseResult | undefined =>
    results.find((row) => row.system === system && row.workload === workload && row.phase === phase);
  const compare = (
    target: string,
    gateway: number | undefined,
    peerName: string | null,
    peer: number | undefined,
    met: (g: number, p: number) => boolean,
  ): TargetVerdict => ({
    target,
    gateway: gateway ?? null,
    peer: peer ?? null,
    peerName,
    met: gateway === undefined || peer === undefined ? null : met(gateway, peer),
    note: null,
  });
  const execution = (workload: 'xa' | 'xb'): TargetVerdict => {
    const gateway = find('gateway', workload, 'warm');
    const apollo = find('apollo', workload, 'warm');
    const verdict = compare(
      `(${workload}) execution, warm entity cache, whole-response cache off: requests/s ≥ 2 × Apollo + datasource-rest`,
      gateway?.requestsPerSecond,
      'apollo',
      apollo?.requestsPerSecond,
      (g, p) => g >= 2 * p,
    );
    // Requests/s moves with whatever else the machine runs; CPU per answer much less.
    const cpu = gateway?.cpuMsPerAnswer;
    const peerCpu = apollo?.cpuMsPerAnswer;
    return cpu == null || peerCpu == null
      ? verdict
      : {
          ...verdict,
          note: `CPU per answer: gateway ${cpu} ms, apollo ${peerCpu} ms (apollo spends ${ratio(peerCpu, cpu) ?? '–'}× the gateway's)`,
        };
  };
  const repeated = compare(
    '(a) warm contact(id) repeated: requests/s ≥ 4 × Mesh',
    find('gateway', 'a', 'warm')?.requestsPerSecond,
    'mesh',
    find('mesh', 'a', 'warm')?.requestsPerSecond,
    (g, p) => g >= 4 * p,
  );
  const mixed = (workload: 'd' | 'e'): TargetVerdict[] => {
    const gateway = find('gateway', workload, 'mixed');
    const peers = results.filter(
      (row) => row.system !== 'gateway' && row.workload === workload && row.phase === 'mixed',
    );
    const best = peers.reduce<PhaseResult | undefined>(
      (top, row) => (top === undefined || row.requestsPerSecond > top.requestsPerSecond ? row : top),
      undefined,
    );
    return [
      compare(
        `(${workload}) mixed: answers without errors per second ≥ 1.5 × the best peer's`,
        gateway?.requestsPerSecond,
        best?.system ?? null,
        best?.requestsPerSecond,
        (g, p) => g >= 1.5 * p,
      ),
      {
        target: `(${workload}) mixed: 0 upstream 429s met by the gateway, every error RATE_LIMITED with retryAfterMs`,
        gateway: gateway?.rateLimited ?? null,
        peer: gateway ? gateway.errors - gateway.advisedRetries : null,
        peerName: 'errors without retryAfterMs',
        met: gateway ? gateway.rateLimited === 0 && gateway.errors === gateway.advisedRetries : null,
        note: null,
      },
    ];
  };
  const peak = (system: string): number | undefined => {
    const rows = results.filter((row) => row.system === system);
    return rows.length > 0 ? Math.max(...rows.map((row) => row.peakRssMb)) : undefined;
  };
  return [
    execution('xa'),
    execution('xb'),
    repeated,
    ...mixed('d'),
    ...mixed('e'),
    compare(
      'peak RSS ≤ Apollo + datasource-rest (highest over the workloads)',
      peak('gateway'),
      'apollo',
      peak('apollo'),
      (g, p) => g <= p,
    ),
  ];
}

const fmt = (value: number | null): string => (value === null ? '–' : String(value));
const times = (value: number | null | undefined): string => (value === null || value === undefined ? '–' : `${value}×`);

const HEADER = [
  'system',
  'workload',
  'phase',
  'queries',
  'errors',
  'upstream calls',
  'calls/query',
  '429s',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'ok req/s',
  'peak RSS MB',
  'CPU ms/answer',
  'calls ×gw',
  'p50 ×gw',
  'req/s ×gw',
  'RSS ×gw',
  'CPU ×gw',
];

function cells(row: PhaseResult & { vsGateway: Ratios | null }, labels: Record<string, string>): string[] {
  return [
    labels[row.system] ?? row.system,
    row.workload,
    row.phase,
    String(row.queries),
    String(row.errors),
    String(row.upstreamCalls),
    String(row.upstreamCallsPerQuery),
    String(row.rateLimited),
    String(row.p50Ms),
    String(row.p95Ms),
    String(row.p99Ms),
    String(row.requestsPerSecond),
    String(row.peakRssMb),
    row.cpuMsPerAnswer === null || row.cpuMsPerAnswer === undefined ? '–' : String(row.cpuMsPerAnswer),
    times(row.vsGateway?.upstreamCalls),
    times(row.vsGateway?.p50),
    times(row.vsGateway?.requestsPerSecond),
    times(row.vsGateway?.peakRss),
    times(row.vsGateway?.cpuPerAnswer),
  ];
}

export function consoleTable(report: PeersReport): string {
  const labels = Object.fromEntries(report.systems.map((system) => [system.key, system.key]));
  const rows = [HEADER, ...report.results.map((row) => cells(row, labels))];
  const widths = HEADER.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const lines = rows.map((row) => row.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  '));
  const verdicts = report.targets.map(
    (target) =>
      `${target.met === null ? 'NOT MEASURED' : target.met ? 'MET   ' : 'MISSED'}  ${target.target}  (gateway ${fmt(target.gateway)}, ${target.peerName ?? 'peer'} ${fmt(target.peer)})${target.note ? `: ${target.note}` : ''}`,
  );
  const kinds = report.results.flatMap((row) =>
    Object.entries(row.byKind ?? {}).map(
      ([kind, figures]) =>
        `${row.system.padStart(7)} (${row.workload}) ${kind.padEnd(11)} ${String(figures.ok).padStart(6)} of ${String(figures.queries).padStart(6)} without errors, mean ${figures.meanMs} ms, ${figures.overOneSecond} over 1 s`,
    ),
  );
  return [...lines, '', ...(kinds.length > 0 ? [...kinds, ''] : []), ...verdicts].join('\n');
}

/** A few sentences for the README, written from the figures (no claim the table does not show). */
function summary(report: PeersReport): string {
  const rows = report.results;
  const find = (system: string, workload: WorkloadKey, phase: string): PhaseResult | undefined =>
    rows.find((row) => row.system === system && row.workload === workload && row.phase === phase);
  const sentences: string[] = [];
  const gatewayB = find('gateway', 'b', 'cold');
  const meshB = find('mesh', 'b', 'cold');
  if (gatewayB && meshB && meshB.upstreamCallsPerQuery > 0 && gatewayB.ok > 0) {
    const perAnswered = Math.round((gatewayB.upstreamCalls / gatewayB.ok) * 10) / 10;
    sentences.push(
      `Reading a page of 50 contacts with their tasks, notes and appointments cold, this gateway made ${perAnswered} upstream calls per answered query against Mesh's ${meshB.upstreamCallsPerQuery} (${ratio(perAnswered, meshB.upstreamCallsPerQuery) ?? '–'}×)` +
        ' (a page costs more than a burst window holds: the gateway answers what the window allows and RATE_LIMITED with retryAfterMs for the rest; the retries it advises are counted)' +
        (gatewayB.errors > 0 ? `, and ${gatewayB.errors} of ${gatewayB.queries} still ended RATE_LIMITED` : '') +
        `; ${meshB.errors} of Mesh's ${meshB.queries} answers carried errors (${meshB.rateLimited} upstream 429s).`,
    );
  }
  for (const workload of ['d', 'e'] as const) {
    const mixed = ['mesh', 'apollo', 'naive', 'gateway']
      .map((system) => ({ system, row: find(system, workload, 'mixed') }))
      .filter((entry) => entry.row !== undefined);
    if (mixed.length === 0) continue;
    sentences.push(
      `In the mixed run (${workload}) the simulator answered 429 to ${mixed.map((entry) => `${entry.system} ${entry.row?.rateLimited ?? 0} times`).join(', ')}; ` +
        `answers without errors per second: ${mixed.map((entry) => `${entry.system} ${entry.row?.requestsPerSecond ?? 0}`).join(', ')}; ` +
        `answers with errors: ${mixed.map((entry) => `${entry.system} ${entry.row?.errors ?? 0} of ${entry.row?.queries ?? 0}`).join(', ')}.`,
    );
  }
  for (const workload of ['xa', 'xb'] as const) {
    const gateway = find('gateway', workload, 'warm');
    const apollo = find('apollo', workload, 'warm');
    if (gateway && apollo)
      sentences.push(
        `Executing (${workload}) over a warm cache with the whole-response cache off: this gateway ${gateway.requestsPerSecond} requests/s, Apollo + datasource-rest ${apollo.requestsPerSecond} (${ratio(gateway.requestsPerSecond, apollo.requestsPerSecond) ?? '–'}×).`,
      );
  }
  const gatewayA = find('gateway', 'a', 'warm');
  const meshA = find('mesh', 'a', 'warm');
  if (gatewayA && meshA) {
    sentences.push(
      `Warm single-contact reads: this gateway ${gatewayA.requestsPerSecond} requests/s, Mesh (whole responses from its response cache) ${meshA.requestsPerSecond}.`,
    );
  }
  const met = report.targets.filter((target) => target.met === true).length;
  sentences.push(`${met} of ${report.targets.length} targets met.`);
  return sentences.join(' ');
}

export function markdown(report: PeersReport, method: string): string {
  const labels = Object.fromEntries(report.systems.map((system) => [system.key, system.label]));
  const table = [
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map((_, index) => (index < 3 ? '---' : '---:')).join(' | ')} |`,
    ...report.results.map((row) => `| ${cells(row, labels).join(' | ')} |`),
  ];
  const failures = report.systems
    .filter((system) => system.error !== null)
    .map((system) => `- **${system.label}** did not run: \`${system.error}\``);
  const errors = report.results
    .filter((row) => row.firstError !== null)
    .map(
      (row) =>
        `- ${labels[row.system] ?? row.system}, (${row.workload}) ${row.phase}: ${row.errors} of ${row.queries} answers had errors; first: \`${row.firstError}\``,
    );
  const kindRows = report.results.flatMap((row) =>
    Object.entries(row.byKind ?? {}).map(
      ([kind, figures]) =>
        `| ${labels[row.system] ?? row.system} | ${row.workload} | ${kind} | ${figures.queries} | ${figures.ok} | ${figures.queries > 0 ? Math.round((figures.ok / figures.queries) * 100) : 0}% | ${figures.meanMs} | ${figures.overOneSecond} |`,
    ),
  );
  const byKind =
    kindRows.length === 0
      ? []
      : [
          '## Mixed runs by kind of operation',
          '',
          'Which operations of (d) and (e) are answered without errors, and how long each kind takes: in a closed loop a client that waits sends nothing else.',
          '',
          '| system | workload | kind | queries | without errors | share | mean ms | over 1 s |',
          '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
          ...kindRows,
          '',
        ];
  return [
    '# Benchmarks beside the alternatives',
    '',
    `Run ${report.at} on ${report.machine.nproc} × ${report.machine.cpuModel}, Node ${report.machine.node}, commit ${report.machine.commit}; ` +
      `load average at the end ${(report.machine.loadAverage ?? []).join(' / ')} (1 / 5 / 15 min).`,
    ...report.systems
      .filter((system) => system.at !== undefined)
      .map((system) => `Rows of ${system.label} measured ${system.at ?? ''}.`),
    `Settings: ${Object.entries(report.settings)
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(', ')}.`,
    '',
    '## In short',
    '',
    summary(report),
    '',
    '## Targets',
    '',
    '| target | this gateway | compared with | verdict |',
    '| --- | ---: | ---: | --- |',
    ...report.targets.map(
      (target) =>
        `| ${target.target} | ${fmt(target.gateway)} | ${fmt(target.peer)} (${target.peerName ?? '–'}) | ${target.met === null ? 'not measured' : target.met ? 'met' : '**missed**'}${target.note ? ` (${target.note})` : ''} |`,
    ),
    '',
    '## Figures',
    '',
    'Workloads: ' +
      (Object.entries(WORKLOAD_NAMES) as Array<[WorkloadKey, string]>)
        .map(([key, name]) => `(${key}) ${name}`)
        .join('; ') +
      '.',
    "`×gw` columns are the peer's figure divided by this gateway's in the same workload and phase. CPU ms/answer: CPU time (user + system) of the system's processes during the phase, per answer: unlike requests/s it hardly moves with what else the machine runs.",
    '',
    ...table,
    '',
    ...(failures.length > 0 ? ['## Systems that did not run', '', ...failures, ''] : []),
    ...(errors.length > 0 ? ['## Answers with errors', '', ...errors, ''] : []),
    ...byKind,
    method,
  ].join('\n');
}
