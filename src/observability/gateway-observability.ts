/**
 * Composition of observability for startGateway (like src/wiring/write-path.ts for writes): one
 * Metrics registry, the observers the upstream clients report to, the GraphQL plugin, the
 * scrape-time collectors and the /healthz, /readyz and /metrics routers. The gateway builds it
 * first and attaches each source (store, rate budget, cache, token provider) once it exists;
 * checks and collectors are read at request time, so attaching late is fine.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import { parseCacheUrl } from '../cache/cache-url.js';
import type { Config } from '../config.js';
import type { UpstreamObserver } from '../ghl/ghl-api.js';
import type { HealthRoutesOptions } from '../http/health-routes.js';
import { createMetricsRouter } from '../http/metrics-route.js';
import type { RoofrRequestEvent } from '../roofr/rest-transport.js';
import { watchCache, type CacheEventSource } from './cache-metrics.js';
import { createOperationRecorder, graphqlMetricsPlugin, type OperationRecorder } from './graphql-metrics-plugin.js';
import { Metrics } from './metrics.js';
import { collectRateBudget, type ObservedRateBudget } from './rate-budget-collector.js';
import { databaseCheck, redisCheck, type ReadinessCheck, type RedisCheck } from './readiness-checks.js';
import { collectStoreMetrics, type CollectedStore } from './store-collector.js';

export interface GatewayObservability {
  metrics: Metrics;
  /** For GhlClientOptions.observer. */
  ghlObserver: UpstreamObserver;
  /** For the Roofr port's onRequest (WritePathDeps.onRoofrRequest). */
  onRoofrRequest: (event: RoofrRequestEvent) => void;
  /** Add to the GraphQL server's plugins. */
  graphqlPlugin<Context extends { requestId?: string }>(): ApolloServerPlugin<Context>;
  /** Records an operation answered outside Apollo (the whole-response cache) like every other. */
  operations: OperationRecorder;
  /** Outbox, dead letters, webhook queue and sync runs at scrape time; the database readiness check. */
  attachStore(store: CollectedStore): void;
  /** Remaining budget of these locations at scrape time. */
  attachRateBudget(budget: ObservedRateBudget, locations: () => readonly string[]): void;
  /** Counts the shared cache's hits, misses and stale serves. */
  attachCache(stats: CacheEventSource): void;
  /** Adds (or replaces) a named readiness check, e.g. "token". */
  addReadinessCheck(name: string, check: ReadinessCheck): void;
  /** For createHttpApp's `readiness`: the /readyz checks and whether shutdown began. */
  readiness: Pick<HealthRoutesOptions, 'checks' | 'draining'>;
  metricsRouter(): ReturnType<typeof createMetricsRouter>;
  /** Shutdown began: /readyz answers 503 "draining" from now on. */
  beginDrain(): void;
  close(): Promise<void>;
}

/** The Redis a replica depends on: the shared rate budget's, else a redis:// shared cache. */
function configuredRedis(config: Pick<Config, 'REDIS_URL' | 'CACHE_URL'>): string | null {
  if (config.REDIS_URL !== undefined) return config.REDIS_URL;
  try {
    const cache = parseCacheUrl(config.CACHE_URL);
    return cache.kind === 'redis' ? cache.url : null;
  } catch {
    return null;
  }
}

export function createGatewayObservability(
  config: Pick<Config, 'REDIS_URL' | 'CACHE_URL'>,
  logger: Logger,
  options: { defaultMetrics?: boolean } = {},
): GatewayObservability {
  const metrics = new Metrics(options);
  const log = logger.child({ component: 'observability' });
  metrics.reportCollectErrorsTo((name, error) =>
    log.warn({ err: error, collector: name }, 'a metrics collector failed; its gauges keep their last values'),
  );
  const checks: Record<string, ReadinessCheck> = {};
  const closers: Array<() => void | Promise<void>> = [];
  let draining = false;

  const redisUrl = configuredRedis(config);
  if (redisUrl !== null) {
    const redis: RedisCheck = redisCheck(redisUrl);
    checks['redis'] = redis.check;
    closers.push(() => redis.close());
  }

  // One recorder for every answered operation: Apollo's plugin and the response-cache fast path.
  const operations = createOperationRecorder({ metrics, logger: logger.child({ component: 'graphql' }) });

  return {
    metrics,
    operations,
    ghlObserver: { onRequest: (event) => metrics.recordUpstream('ghl', event) },
    onRoofrRequest: (event) => metrics.recordUpstream('roofr', event),
    graphqlPlugin: () => graphqlMetricsPlugin(operations),
    attachStore(store) {
      checks['database'] = databaseCheck(store.db);
      metrics.onScrape('store', () => collectStoreMetrics(metrics, store));
    },
    attachRateBudget(budget, locations) {
      metrics.onScrape('rate_budget', () => collectRateBudget(metrics, budget, locations()));
    },
    attachCache(stats) {
      closers.push(watchCache(metrics, stats));
    },
    addReadinessCheck(name, check) {
      checks[name] = check;
    },
    readiness: { checks, draining: () => draining },
    metricsRouter: () => createMetricsRouter(metrics),
    beginDrain() {
      draining = true;
    },
    async close() {
      for (const close of closers.splice(0)) await close();
    },
  };
}
