/**
 * What the simulator was asked: counts per "METHOD /path/{template}" (so tests can assert how
 * many upstream calls a feature cost) and a bounded list of recent entries with write bodies.
 * Webhook delivery outcomes land here too, since a failed delivery must never throw.
 * Requests are also counted by the caller's `x-request-id` (the gateway sends `sync-<runId>` for
 * a sync's calls), so a test can tell when one piece of work calls again, e.g. after a crash.
 */

interface LogEntry {
  at: string;
  kind: 'request' | 'webhook';
  method: string;
  path: string;
  /** "GET /contacts/{contactId}"; for unmatched paths the raw path. */
  operation: string;
  /** null when the request was hung or its connection reset on purpose. */
  status: number | null;
  body?: unknown;
  fault?: string;
  error?: string;
}

const MAX_ENTRIES = 1000;
/** Request ids remembered (the oldest forgotten first): interactive ids are one per operation. */
const MAX_REQUEST_IDS = 50_000;

interface RequestIdTally {
  count: number;
  firstAt: string;
  lastAt: string;
}

export class RequestLog {
  private readonly counters = new Map<string, number>();
  private readonly statuses = new Map<number, number>();
  private recent: LogEntry[] = [];
  private requests = 0;
  private readonly byRequestId = new Map<string, RequestIdTally>();

  /** Counted on arrival, so hung and reset requests are counted too. */
  arrive(operation: string, requestId?: string, at = new Date()): void {
    this.requests += 1;
    this.counters.set(operation, (this.counters.get(operation) ?? 0) + 1);
    if (requestId === undefined || requestId === '') return;
    const iso = at.toISOString();
    const seen = this.byRequestId.get(requestId);
    if (seen) {
      seen.count += 1;
      seen.lastAt = iso;
      return;
    }
    this.byRequestId.set(requestId, { count: 1, firstAt: iso, lastAt: iso });
    if (this.byRequestId.size > MAX_REQUEST_IDS) {
      const oldest = this.byRequestId.keys().next().value;
      if (oldest !== undefined) this.byRequestId.delete(oldest);
    }
  }

  /** Requests that carried this x-request-id (null: none, or forgotten). */
  forRequestId(requestId: string): RequestIdTally | null {
    const seen = this.byRequestId.get(requestId);
    return seen ? { ...seen } : null;
  }

  finish(entry: LogEntry): void {
    if (entry.kind === 'request' && entry.status !== null)
      this.statuses.set(entry.status, (this.statuses.get(entry.status) ?? 0) + 1);
    this.recent.push(entry);
    if (this.recent.length > MAX_ENTRIES) this.recent = this.recent.slice(-MAX_ENTRIES);
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  count(method: string, pathTemplate: string): number {
    return this.counters.get(`${method.toUpperCase()} ${pathTemplate}`) ?? 0;
  }

  total(): number {
    return this.requests;
  }

  /** Answers served with this status (e.g. 429). */
  statusCount(status: number): number {
    return this.statuses.get(status) ?? 0;
  }

  get entries(): readonly LogEntry[] {
    return this.recent;
  }

  reset(): void {
    this.counters.clear();
    this.statuses.clear();
    this.recent = [];
    this.requests = 0;
    this.byRequestId.clear();
  }

  snapshot(): {
    total: number;
    counts: Record<string, number>;
    statuses: Record<string, number>;
    rateLimited: number;
    entries: readonly LogEntry[];
  } {
    return {
      total: this.requests,
      counts: this.counts(),
      statuses: Object.fromEntries([...this.statuses].map(([status, count]) => [String(status), count])),
      rateLimited: this.statusCount(429),
      entries: this.recent,
    };
  }
}
