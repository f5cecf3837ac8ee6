/**
 * Prometheus metrics. One registry per gateway instance (not prom-client's global one) so
 * tests can start several gateways in one process without "metric already registered".
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();

  readonly upstreamRequests = new Counter({
    name: 'gateway_upstream_requests_total',
    help: 'HTTP requests sent upstream, by upstream, endpoint template and status',
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
    help: 'Remaining HighLevel budget per location, by window (burst, daily)',
    labelNames: ['location', 'window'] as const,
    registers: [this.registry],
  });

  readonly cacheEvents = new Counter({
    name: 'gateway_cache_events_total',
    help: 'Cache lookups by outcome (hit, miss, stale)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly graphqlOperations = new Histogram({
    name: 'gateway_graphql_operation_duration_seconds',
    help: 'GraphQL operations by name and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly syncRuns = new Counter({
    name: 'gateway_sync_runs_total',
    help: 'Sync runs by trigger and final status',
    labelNames: ['trigger', 'status'] as const,
    registers: [this.registry],
  });

  readonly syncRecords = new Counter({
    name: 'gateway_sync_records_total',
    help: 'Records handled by sync, by outcome (created, updated, unchanged, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly outboxDepth = new Gauge({
    name: 'gateway_outbox_depth',
    help: 'Pending writes to Roofr in the durable outbox',
    registers: [this.registry],
  });

  readonly deadLetters = new Gauge({
    name: 'gateway_dead_letters',
    help: 'Writes to Roofr that exhausted their attempts and wait for a person',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
