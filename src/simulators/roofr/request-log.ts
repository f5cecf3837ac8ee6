/**
 * Every request the Roofr simulator received, with counts per "METHOD /path/{template}", so a test
 * can assert how many upstream calls an operation cost (e.g. one record for two same-key posts).
 */
interface LoggedRequest {
  at: string;
  method: string;
  path: string;
  /** "POST /v1/customers", "GET /v1/jobs/{jobId}"; "unmatched" when no route fits. */
  route: string;
  status: number | null;
  idempotencyKey: string | null;
  replayed: boolean;
  fault: string | null;
}

export class RoofrRequestLog {
  private readonly items: LoggedRequest[] = [];
  private readonly tally = new Map<string, number>();

  constructor(private readonly capacity = 5000) {}

  record(entry: LoggedRequest): void {
    this.items.push(entry);
    // Bounded, so a long demo run does not grow without end; counts stay exact.
    if (this.items.length > this.capacity) this.items.shift();
    this.tally.set(entry.route, (this.tally.get(entry.route) ?? 0) + 1);
  }

  get entries(): readonly LoggedRequest[] {
    return this.items;
  }

  /** Requests seen for a route, e.g. count('POST /v1/customers'). */
  count(route: string): number {
    return this.tally.get(route) ?? 0;
  }

  counts(): Record<string, number> {
    return Object.fromEntries([...this.tally.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  clear(): void {
    this.items.length = 0;
    this.tally.clear();
  }
}
