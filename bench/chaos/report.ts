/**
 * Figures of a run and its targets: answers by outcome (overall, per operation, per active fault),
 * the slowest answers against the deadline, HTTP 500s, mutation outcomes, the sync run, resume
 * delays after each kill, webhooks and the Roofr mirror; each target checked PASS/FAIL and the
 * whole printed as a short summary for people.
 */
import { family } from './answer-outcome.js';
import type { MirrorCheck, MutationCheck, WebhookCheck } from './end-state.js';
import type { Sample } from './load.js';
import type { SyncRunRow } from './state-db.js';

export interface KillRecord {
  /** ms since the load started */
  at: number;
  syncStatusAtKill: string | null;
  readAtKill: number | null;
  restartAt: number | null;
  listeningAt: number | null;
  /** When the sync run called HighLevel again after the restart; null: not within the wait. */
  resumedAt: number | null;
  resumeDelayMs: number | null;
  /** From the restart to the run's next checkpoint (a confirmed page); null: not within the wait. */
  checkpointDelayMs: number | null;
  note: string | null;
}

export interface Target {
  name: string;
  target: string;
  actual: string;
  pass: boolean;
}

export interface AnswerFigures {
  total: number;
  byFamily: Record<string, number>;
  byOutcome: Record<string, number>;
  byOperation: Record<string, Record<string, number>>;
  byCondition: Record<string, Record<string, number>>;
  http500: number;
  examples: Record<string, string[]>;
}

export interface DeadlineFigures {
  operationTimeoutMs: number;
  limitMs: number;
  slowestMs: number;
  overLimit: number;
  p50Ms: number;
  p99Ms: number;
  slowest: string[];
}

const bump = (map: Record<string, number>, key: string, by = 1): void => {
  map[key] = (map[key] ?? 0) + by;
};

function describe(sample: Sample): string {
  const vars = JSON.stringify(sample.variables);
  return `${sample.operation} ${vars.length > 120 ? `${vars.slice(0, 117)}…` : vars} at ${(sample.at / 1000).toFixed(1)} s during [${sample.condition}]: ${sample.outcome} (HTTP ${sample.status ?? 'none'}) after ${sample.ms} ms${sample.detail ? `: ${sample.detail.slice(0, 160)}` : ''}`;
}

export function answerFigures(samples: readonly Sample[]): AnswerFigures {
  const figures: AnswerFigures = {
    total: samples.length,
    byFamily: {},
    byOutcome: {},
    byOperation: {},
    byCondition: {},
    http500: 0,
    examples: {},
  };
  for (const sample of samples) {
    bump(figures.byFamily, family(sample.outcome));
    bump(figures.byOutcome, sample.outcome);
    bump((figures.byOperation[sample.operation] ??= {}), sample.outcome);
    bump((figures.byCondition[sample.condition] ??= {}), sample.outcome);
    if (sample.status === 500) figures.http500 += 1;
    if (sample.outcome !== 'ok' && sample.outcome !== 'stale') {
      const list = (figures.examples[sample.outcome] ??= []);
      if (list.length < 5) list.push(describe(sample));
    }
  }
  return figures;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

export function deadlineFigures(samples: readonly Sample[], operationTimeoutMs: number): DeadlineFigures {
  // Requests the suite itself broke (gateway killed) are not the gateway's answers.
  const answered = samples.filter((sample) => sample.outcome !== 'gateway-down');
  const limitMs = operationTimeoutMs + 1000;
  const sorted = answered.map((sample) => sample.ms).sort((a, b) => a - b);
  return {
    operationTimeoutMs,
    limitMs,
    slowestMs: sorted.at(-1) ?? 0,
    overLimit: answered.filter((sample) => sample.ms > limitMs).length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    slowest: [...answered]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 8)
      .map(describe),
  };
}

export interface Figures {
  answers: AnswerFigures;
  deadline: DeadlineFigures;
  mutations: MutationCheck;
  sync: { runId: string | null; final: SyncRunRow | null };
  kills: KillRecord[];
  webhooks: WebhookCheck;
  roofr: MirrorCheck;
}

export function targets(figures: Figures, plannedKills: number): Target[] {
  const { answers, deadline, mutations, kills, webhooks, roofr } = figures;
  const sum = (values: Record<string, number>): number => Object.values(values).reduce((a, b) => a + b, 0);
  const mutationTotal = (key: 'writtenWithoutEntity' | 'entityNotWritten' | 'duplicated'): number =>
    Object.values(mutations.byKind).reduce((total, kind) => total + kind[key], 0);
  const delays = kills.map((kill) => kill.resumeDelayMs);
  const measured = kills.filter((kill) => kill.syncStatusAtKill === 'RUNNING');
  // A kill after the sync had finished has nothing to resume; one before it started (or of
  // unknown state) proves nothing.
  const finished = kills.filter((kill) => ['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(kill.syncStatusAtKill ?? ''));
  const worstDelay =
    measured.length + finished.length < kills.length || measured.some((kill) => kill.resumeDelayMs === null)
      ? null
      : Math.max(0, ...measured.map((kill) => kill.resumeDelayMs ?? 0));
  const other = answers.byFamily.other ?? 0;
  return [
    {
      name: 'slowest answer within the deadline',
      target: `≤ ${deadline.limitMs} ms (GRAPHQL_OPERATION_TIMEOUT_MS + 1 s)`,
      actual: `${deadline.slowestMs} ms; ${deadline.overLimit} answers over`,
      pass: deadline.slowestMs <= deadline.limitMs,
    },
    { name: 'HTTP 500 answers', target: '0', actual: String(answers.http500), pass: answers.http500 === 0 },
    {
      name: 'answers neither ok, stale nor coded',
      target: '0',
      actual: `${other}${
        other > 0
          ? ` (${Object.entries(answers.byOutcome)
              .filter(([outcome]) => family(outcome) === 'other')
              .map(([outcome, count]) => `${outcome} ${count}`)
              .join(', ')})`
          : ''
      }`,
      pass: other === 0,
    },
    {
      name: 'mutations written in HighLevel but answered without the entity',
      target: '0',
      actual: String(mutationTotal('writtenWithoutEntity')),
      pass: mutationTotal('writtenWithoutEntity') === 0,
    },
    {
      name: 'mutations answered with an entity HighLevel does not hold',
      target: '0',
      actual: String(mutationTotal('entityNotWritten')),
      pass: mutationTotal('entityNotWritten') === 0,
    },
    {
      name: 'mutation creates duplicated in HighLevel',
      target: '0',
      actual: String(mutationTotal('duplicated')),
      pass: mutationTotal('duplicated') === 0,
    },
    {
      name: 'Roofr records missing (contacts, tasks, notes)',
      target: '0',
      actual: `${sum(roofr.missing)} (${roofr.missing.contacts}, ${roofr.missing.tasks}, ${roofr.missing.notes} of ${roofr.expected.contacts}, ${roofr.expected.tasks}, ${roofr.expected.notes})${roofr.orphanCustomers > 0 ? `; ${roofr.orphanCustomers} customers written without their job` : ''}`,
      pass: sum(roofr.missing) === 0,
    },
    {
      name: 'Roofr records duplicated (jobs, customers, tasks, notes)',
      target: '0',
      actual: `${sum(roofr.duplicated)} (${roofr.duplicated.jobs}, ${roofr.duplicated.customers}, ${roofr.duplicated.tasks}, ${roofr.duplicated.notes})`,
      pass: sum(roofr.duplicated) === 0,
    },
    {
      name: 'Roofr customers out of date with HighLevel',
      target: '0',
      // The examples name each contact's differing fields and last mutation: CI's short run keeps
      // no result file, so a failure must say in its own line what went out of date.
      actual: `${roofr.outdated}${roofr.outdated > 0 ? ` (${roofr.examples.outdated.join('; ')})` : ''}`,
      pass: roofr.outdated === 0,
    },
    {
      name: 'webhooks accepted (200) and not processed',
      target: '0',
      actual: `${sum(webhooks.notProcessed)} of ${webhooks.accepted}${sum(webhooks.notProcessed) > 0 ? ` (${JSON.stringify(webhooks.notProcessed)})` : ''}${webhooks.forgotten > 0 ? `; ${webhooks.forgotten} deliveries forgotten by the simulator` : ''}`,
      pass: sum(webhooks.notProcessed) === 0 && webhooks.forgotten === 0,
    },
    {
      name: 'sync resumes (calls HighLevel again) after each kill',
      target: `< 10000 ms, ${plannedKills} kills during the sync`,
      actual: `${delays.map((delay) => (delay === null ? 'not resumed' : `${delay} ms`)).join(', ') || 'no kill'}${finished.length > 0 ? ` (${finished.length} kills after the sync had ended)` : ''}`,
      pass: kills.length === plannedKills && worstDelay !== null && worstDelay < 10_000,
    },
  ];
}

export function summary(figures: Figures, checks: readonly Target[], extra: string[]): string {
  const { answers, deadline, mutations, sync, webhooks } = figures;
  const lines: string[] = [];
  lines.push(
    `answers: ${answers.total} — ${Object.entries(answers.byFamily)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ')}`,
  );
  lines.push(
    `  by outcome: ${Object.entries(answers.byOutcome)
      .sort(([, a], [, b]) => b - a)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ')}`,
  );
  lines.push(`  latency: p50 ${deadline.p50Ms} ms, p99 ${deadline.p99Ms} ms, slowest ${deadline.slowestMs} ms`);
  for (const [kind, check] of Object.entries(mutations.byKind))
    lines.push(
      `  ${kind}: ${check.attempted} sent, ${check.answeredEntity} with the entity; roofrSync ${JSON.stringify(check.roofrSync)}; without: ${JSON.stringify(check.answeredWithout)}${check.writtenCutByKill > 0 ? `; ${check.writtenCutByKill} written but cut by a kill` : ''}`,
    );
  lines.push(
    `sync ${sync.runId ?? '(never started)'}: ${sync.final ? `${sync.final.status}, ${JSON.stringify(sync.final.counts)}` : 'no run'}`,
  );
  lines.push(
    `webhooks delivered: HighLevel ${JSON.stringify(webhooks.delivered.ghl)}, Roofr ${JSON.stringify(webhooks.delivered.roofr)}`,
  );
  lines.push(...extra);
  for (const check of checks)
    lines.push(`${check.pass ? 'PASS' : 'FAIL'}  ${check.name}: ${check.actual} (target ${check.target})`);
  return lines.join('\n');
}
