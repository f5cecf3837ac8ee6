/**
 * Fault injection: latency, random 5xx, forced 429 bursts, hung requests, connection resets
 * and truncated JSON, each optionally limited to a path pattern and method. "Next N" faults are
 * consumed one per matching request; rates (a share of 5xx, of hangs, of resets, of truncated
 * answers, of delayed answers) draw from a seeded PRNG so runs are repeatable. Counted faults
 * win over rates; a request draws at most one of reset, hang and 5xx.
 */
import { mulberry32 } from '../prng.js';
import type { Random } from '../prng.js';

interface FaultScope {
  /** Glob over the request path: `*` is one segment, `**` any number (e.g. `/contacts/*\/notes`). */
  path?: string;
  method?: string;
}

interface LatencyFault extends FaultScope {
  ms: number;
  jitterMs?: number;
  /** 0..1: share of matching requests delayed (default 1: every one); below 1 it makes spikes. */
  rate?: number;
}

interface ErrorRateFault extends FaultScope {
  /** 0..1: share of matching requests answered with a 5xx. */
  rate: number;
  statuses?: Array<500 | 502 | 503>;
}

type CountedFaultKind = 'rateLimit' | 'hang' | 'reset' | 'malformed' | 'serverError';

/** Faults that can also strike a share of requests (5xx has its own ErrorRateFault). */
type RatedFaultKind = 'hang' | 'reset' | 'malformed';

interface RateFault extends FaultScope {
  /** 0..1: share of matching requests that get the fault. */
  rate: number;
}

export interface FaultPlan {
  latencyMs: number;
  action: 'none' | 'reset' | 'hang' | 'rateLimit' | 'serverError';
  serverErrorStatus: number;
  malformed: boolean;
}

interface CountedFault {
  kind: CountedFaultKind;
  remaining: number;
  matcher: Matcher;
  status?: number;
}

interface Matcher {
  scope: FaultScope;
  test: (method: string, path: string) => boolean;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) =>
      segment === '**'
        ? '.*'
        : segment
            .split('*')
            .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('[^/]*'),
    )
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

function matcher(scope: FaultScope = {}): Matcher {
  const pattern = scope.path === undefined ? null : globToRegExp(scope.path);
  const method = scope.method?.toUpperCase();
  return {
    scope,
    test: (requestMethod, path) =>
      (method === undefined || method === requestMethod) && (pattern === null || pattern.test(path)),
  };
}

export class Faults {
  private latency: { fault: LatencyFault; matcher: Matcher } | null = null;
  private errorRate: { fault: ErrorRateFault; matcher: Matcher } | null = null;
  private readonly rates = new Map<RatedFaultKind, { fault: RateFault; matcher: Matcher }>();
  private counted: CountedFault[] = [];
  private readonly random: Random;

  constructor(seed: number, defaultLatencyMs = 0) {
    this.random = mulberry32(seed ^ 0x5eed);
    if (defaultLatencyMs > 0) this.setLatency({ ms: defaultLatencyMs });
  }

  setLatency(fault: LatencyFault | null): void {
    this.latency =
      fault === null || (fault.ms <= 0 && !fault.jitterMs) || fault.rate === 0
        ? null
        : { fault, matcher: matcher(fault) };
  }

  /** A share of matching requests hang, have their connection reset, or get a truncated answer. */
  setRate(kind: RatedFaultKind, fault: RateFault | null): void {
    if (fault === null || fault.rate <= 0) this.rates.delete(kind);
    else this.rates.set(kind, { fault, matcher: matcher(fault) });
  }

  setErrorRate(fault: ErrorRateFault | null): void {
    this.errorRate = fault === null || fault.rate <= 0 ? null : { fault, matcher: matcher(fault) };
  }

  /** The next `count` matching requests answer 429 (headers as usual, Retry-After if enabled). */
  rateLimitNext(count: number, scope?: FaultScope): void {
    this.add('rateLimit', count, scope);
  }

  /** The next `count` matching requests never get an answer (until the client gives up or close()). */
  hangNext(count: number, scope?: FaultScope): void {
    this.add('hang', count, scope);
  }

  /** The next `count` matching requests have their connection destroyed without an answer. */
  resetNext(count: number, scope?: FaultScope): void {
    this.add('reset', count, scope);
  }

  /** The next `count` matching answers carry a truncated (unparseable) JSON body. */
  malformNext(count: number, scope?: FaultScope): void {
    this.add('malformed', count, scope);
  }

  /** The next `count` matching requests answer this 5xx. */
  failNext(count: number, status: 500 | 502 | 503 = 500, scope?: FaultScope): void {
    this.add('serverError', count, scope, status);
  }

  reset(): void {
    this.latency = null;
    this.errorRate = null;
    this.rates.clear();
    this.counted = [];
  }

  describe(): {
    latency: LatencyFault | null;
    errorRate: ErrorRateFault | null;
    rates: Partial<Record<RatedFaultKind, RateFault>>;
    pending: Array<{ kind: CountedFaultKind; remaining: number; scope: FaultScope; status?: number }>;
  } {
    return {
      latency: this.latency?.fault ?? null,
      errorRate: this.errorRate?.fault ?? null,
      rates: Object.fromEntries([...this.rates].map(([kind, { fault }]) => [kind, fault])),
      pending: this.counted.map((fault) => ({
        kind: fault.kind,
        remaining: fault.remaining,
        scope: fault.matcher.scope,
        status: fault.status,
      })),
    };
  }

  /** Decides, and consumes, the faults that apply to one request. */
  plan(method: string, path: string): FaultPlan {
    const plan: FaultPlan = { latencyMs: 0, action: 'none', serverErrorStatus: 500, malformed: false };
    if (this.latency && this.latency.matcher.test(method, path) && this.draws(this.latency.fault.rate ?? 1)) {
      const { ms, jitterMs = 0 } = this.latency.fault;
      plan.latencyMs = Math.max(0, ms + (jitterMs > 0 ? Math.round((this.random() * 2 - 1) * jitterMs) : 0));
    }
    for (const kind of ['reset', 'hang', 'serverError', 'rateLimit'] as const) {
      const fault = this.consume(kind, method, path);
      if (fault) {
        plan.action = kind;
        if (fault.status !== undefined) plan.serverErrorStatus = fault.status;
        break;
      }
    }
    for (const kind of ['reset', 'hang'] as const) {
      if (plan.action === 'none' && this.rated(kind, method, path)) plan.action = kind;
    }
    if (
      plan.action === 'none' &&
      this.errorRate &&
      this.errorRate.matcher.test(method, path) &&
      this.random() < this.errorRate.fault.rate
    ) {
      const statuses = this.errorRate.fault.statuses ?? [500, 502, 503];
      plan.action = 'serverError';
      plan.serverErrorStatus = statuses[Math.floor(this.random() * statuses.length)] ?? 500;
    }
    if (
      plan.action !== 'reset' &&
      plan.action !== 'hang' &&
      (this.consume('malformed', method, path) || this.rated('malformed', method, path))
    )
      plan.malformed = true;
    return plan;
  }

  /** Draws from the PRNG only for a fault that applies, so unrelated settings keep a run's sequence. */
  private rated(kind: RatedFaultKind, method: string, path: string): boolean {
    const entry = this.rates.get(kind);
    return entry !== undefined && entry.matcher.test(method, path) && this.random() < entry.fault.rate;
  }

  private draws(rate: number): boolean {
    return rate >= 1 || this.random() < rate;
  }

  private add(kind: CountedFaultKind, count: number, scope?: FaultScope, status?: number): void {
    if (count > 0) this.counted.push({ kind, remaining: count, matcher: matcher(scope), status });
  }

  private consume(kind: CountedFaultKind, method: string, path: string): CountedFault | undefined {
    const fault = this.counted.find(
      (candidate) => candidate.kind === kind && candidate.remaining > 0 && candidate.matcher.test(method, path),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.counted = this.counted.filter((candidate) => candidate !== fault);
    return fault;
  }
}
