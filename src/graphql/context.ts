/**
 * The typed GraphQL context, built anew for every request (docs/style.md rule 3): loaders and the
 * upstream tally are request scoped; the client, the capability registry and the concurrency
 * caps are injected once and shared.
 */
import { randomUUID } from 'node:crypto';
import type { CallerIdentity } from '../auth/caller-identity.js';
import { ResponseDependencies } from '../cache/response-dependencies.js';
import type { SharedCache } from '../cache/shared-cache.js';
import type { CallOptions, GhlApi } from '../ghl/ghl-api.js';
import type { RateBudget } from '../ghl/rate-budget.js';
import type { CacheLayer } from '../loaders/cached-batch.js';
import type { LocationLimiters } from '../loaders/concurrency-limit.js';
import { createLoaders, type Loaders } from '../loaders/create-loaders.js';
import type { BatchedReadCapability } from '../loaders/batched-read-capability.js';
import { RequestAdmission } from '../loaders/request-admission.js';
import { UpstreamTally } from '../loaders/upstream-tally.js';
import type { WritePath } from './write-path.js';
import type { SyncService } from '../sync/sync-service.js';
import type { NotificationsRepo } from '../store/notifications-repo.js';

export interface GraphQLContext {
  /** The HighLevel location (sub-account) this gateway serves. */
  locationId: string;
  requestId: string;
  ghl: GhlApi;
  loaders: Loaders;
  /** Pass to every direct client call so it is counted in `extensions.upstream`. */
  callOptions: CallOptions;
  upstream: UpstreamTally;
  /** Mutations' services (Roofr push, scopes, dead letters); absent: the gateway serves reads only. */
  writePath?: WritePath;
  /** Sync runs and manual triggers; absent: the gateway runs no sync engine. */
  sync?: SyncService;
  /** The notifications list (src/notify/); absent: none are recorded. */
  notifications?: Pick<NotificationsRepo, 'list'>;
  /** Admission decision (cache-only when the rate budget cannot take the operation) and stale reads of this request. */
  admission: RequestAdmission;
  /** The shared cache with this request's admission, for resolvers that read upstream directly (searches); absent: no cache. */
  cacheLayer?: CacheLayer;
  /** The location rate budget (`rateLimit` query); null when the client exposes none. */
  rateBudget: RateBudget | null;
  /** Who calls (API key, JWT or the demo caller), resolved per request; null where no HTTP auth runs (executeOperation in tests). */
  caller: CallerIdentity | null;
  /** Set when whole responses are reused (RESPONSE_CACHE_MAX_ENTRIES > 0): what this one is built from. */
  responseCache?: { dependencies: ResponseDependencies };
}

interface ContextDeps {
  ghl: GhlApi;
  /** The location served when a request does not name one. */
  locationId: string;
  batchedReads: BatchedReadCapability;
  limiters: LocationLimiters;
  writePath?: WritePath;
  sync?: SyncService;
  notifications?: Pick<NotificationsRepo, 'list'>;
  /** The shared cache under the loaders; absent: every read goes upstream. */
  cache?: SharedCache;
  /** Whole responses are reused (response-cache-plugin.ts): each request records what its response reads. */
  reuseResponses?: boolean;
  rateBudget?: RateBudget;
}

/** Per-request inputs: a caller-chosen request id, and the location when the caller picks one. */
export interface ContextRequest {
  requestId?: string;
  /** Defaults to the gateway's configured location. */
  locationId?: string;
  /** The authenticated caller; its locationId is the request's location. */
  caller?: CallerIdentity;
}

export type ContextFactory = (request?: ContextRequest) => GraphQLContext;

export function createContextFactory(deps: ContextDeps): ContextFactory {
  return (request) => {
    const requestId = request?.requestId ?? randomUUID();
    const locationId = request?.locationId ?? deps.locationId;
    const upstream = new UpstreamTally();
    // GraphQL is the interactive lane: it goes ahead of background sync in the rate budget.
    const callOptions: CallOptions = { lane: 'interactive', requestId, observer: upstream.observer };
    const admission = new RequestAdmission();
    // Only where responses are reused does a request record what its response is built from.
    const responseCache =
      deps.cache === undefined || deps.reuseResponses !== true
        ? undefined
        : { dependencies: new ResponseDependencies() };
    const cacheLayer: CacheLayer | undefined =
      deps.cache === undefined
        ? undefined
        : {
            cache: deps.cache,
            admission,
            ...(responseCache === undefined ? {} : { dependencies: responseCache.dependencies }),
          };
    const loaders = createLoaders({
      ghl: deps.ghl,
      locationId,
      batchedReads: deps.batchedReads,
      limiters: deps.limiters,
      callOptions,
      onBatch: () => upstream.countBatch(),
      ...(cacheLayer === undefined ? {} : { cacheLayer }),
    });
    return {
      locationId,
      requestId,
      ghl: deps.ghl,
      loaders,
      callOptions,
      upstream,
      admission,
      rateBudget: deps.rateBudget ?? null,
      caller: request?.caller ?? null,
      ...(cacheLayer === undefined ? {} : { cacheLayer }),
      ...(responseCache === undefined ? {} : { responseCache }),
      ...(deps.writePath === undefined ? {} : { writePath: deps.writePath }),
      ...(deps.sync === undefined ? {} : { sync: deps.sync }),
      ...(deps.notifications === undefined ? {} : { notifications: deps.notifications }),
    };
  };
}
