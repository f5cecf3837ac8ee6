/**
 * Prometheus metrics. One registry per gateway instance (not prom-client's global one) so
 * tests can start several gateways in one process without "metric already registered".
 *
 * Two kinds of sources: events pushed as they happen (upstream requests, cache lookups,
 * GraphQL operations) and state read at scrape time (rate budget, outbox, sync runs), which
 * register a collector with `onScrape`. State collected from the store is the database's,
 * shared by every replica on PostgreSQL: alert on it from one replica, or use max().
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

type Upstream = 'ghl' | 'roofr';

/** What the GHL client and the Roofr transport report for every HTTP attempt. */
interface UpstreamRequestEvent {
  /** Endpoint template, e.g. "GET /contacts/{contactId}": never an id (label cardinality). */
  endpoint: string;
  /** HTTP status; null when no response came back (timeout, reset, refused). */
  status: number | null;
  durationMs: number;
}

/** Fills gauges before a scrape; a failure keeps the previous values and is reported. */
type ScrapeCollector = () => Promise<void> | void;

export class Metrics {
  readonly registry = new Registry();
  private readonly collectors: Array<{ name: string; collect: ScrapeCollector }> = [];
  private onCollectError: (name: string, error: unknown) => void = () => undefined;

  readonly upstreamRequests = new Counter({
    name: 'gateway_upstream_requests_total',
    help: 'HTTP requests sent upstream (one per attempt), by upstream, endpoint template and status ("none": no response)',
    labelNames: ['upstream', 'endpoint', 'status'] as const,
    registers: [this.registry],
  });

  readonly upstreamLatency = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Latency of upstream HTTP requests',
    labelNames: ['upstream', 'endpoint'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'gateway_upstream_429_total',
    help: '429 answers met upstream (a well-paced gateway keeps this at zero)',
    labelNames: ['upstream'] as const,
    registers: [this.registry],
  });

  readonly rateBudgetRemaining = new Gauge({
    name: 'gateway_rate_budget_remaining',
    help: 'Remaining HighLevel budget per location, by window (burst, daily); read at scrape time',
    labelNames: ['location', 'window'] as const,
    registers: [this.registry],
  });

  readonly rateBudgetReserve = new Gauge({
    name: 'gateway_rate_budget_reserve',
    help: 'Daily HighLevel requests kept in reserve (GHL_DAILY_RESERVE) per location: calls stop when the daily remaining reaches it',
    labelNames: ['location'] as const,
    registers: [this.registry],
  });

  readonly rateBudgetQueued = new Gauge({
    name: 'gateway_rate_budget_queued',
    help: 'Requests waiting for a HighLevel rate budget slot, by location and lane',
    labelNames: ['location', 'lane'] as const,
    registers: [this.registry],
  });

  readonly cacheEvents = new Counter({
    name: 'gateway_cache_events_total',
    help: 'Shared cache lookups and store events by outcome (hit, miss, stale, stale_on_error, coalesced, store_error…) and entity',
    labelNames: ['outcome', 'entity'] as const,
    registers: [this.registry],
  });

  readonly graphqlOperations = new Histogram({
    name: 'gateway_graphql_operation_duration_seconds',
    help: 'GraphQL operations by name, type and outcome (ok, error)',
    labelNames: ['operation', 'type', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly graphqlErrors = new Counter({
    name: 'gateway_graphql_errors_total',
    help: 'Errors in GraphQL responses by operation, the extensions.code the client received, and source (client: the caller must act; upstream: HighLevel/Roofr failed or refused; gateway: ours)',
    labelNames: ['operation', 'code', 'source'] as const,
    registers: [this.registry],
  });

  readonly syncRuns = new Gauge({
    name: 'gateway_sync_runs',
    help: 'Runs recorded in the state store, by trigger, kind (sync, dry_run, verify) and status (running, succeeded, partial, failed)',
    labelNames: ['trigger', 'kind', 'status'] as const,
    registers: [this.registry],
  });

  readonly syncRecords = new Gauge({
    name: 'gateway_sync_records',
    help: 'Records handled by recorded sync runs (kind sync: what was written, not what a dry run would write), by outcome (read, created, updated, unchanged, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly outboxDepth = new Gauge({
    name: 'gateway_outbox_depth',
    help: 'Writes to Roofr waiting in the durable outbox (pending or being delivered)',
    registers: [this.registry],
  });

  readonly deadLetters = new Gauge({
    name: 'gateway_dead_letters',
    help: 'Writes to Roofr that exhausted their attempts and wait for a person (deadLetters / retryDeadLetter)',
    registers: [this.registry],
  });

  readonly webhookQueueDepth = new Gauge({
    name: 'gateway_webhook_queue_depth',
    help: 'Webhook events accepted and waiting for the sync worker',
    registers: [this.registry],
  });

  readonly webhookDeadEvents = new Gauge({
    name: 'gateway_webhook_dead_events',
    help: 'Webhook events that exhausted their attempts',
    registers: [this.registry],
  });

  readonly scrapeErrors = new Counter({
    name: 'gateway_metrics_collect_errors_total',
    help: 'Scrape-time collectors that failed (e.g. the state database did not answer); their gauges keep the last values',
    labelNames: ['collector'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one upstream HTTP attempt: request, latency and, for a 429, the rate-limit counter. */
  recordUpstream(upstream: Upstream, event: UpstreamRequestEvent): void {
    const status = event.status === null ? 'none' : String(event.status);
    this.upstreamRequests.inc({ upstream, endpoint: event.endpoint, status });
    this.upstreamLatency.observe({ upstream, endpoint: event.endpoint }, event.durationMs / 1000);
    if (event.status === 429) this.rateLimited.inc({ upstream });
  }

  /** Registers state read before every scrape. */
  onScrape(name: string, collect: ScrapeCollector): void {
    this.collectors.push({ name, collect });
  }

  /** Where collector failures are reported (the gateway logs them). */
  reportCollectErrorsTo(listener: (name: string, error: unknown) => void): void {
    this.onCollectError = listener;
  }

  async render(): Promise<{ contentType: string; body: string }> {
    await Promise.all(
      this.collectors.map(async ({ name, collect }) => {
        try {
          await collect();
        } catch (error) {
          this.scrapeErrors.inc({ collector: name });
          this.onCollectError(name, error);
        }
      }),
    );
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
