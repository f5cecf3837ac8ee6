/**
 * The typed GraphQL context, built anew for every request (STYLE.md rule 3): loaders and the
 * upstream tally are request scoped; the client, the capability registry and the concurrency
 * caps are injected once and shared.
 */
import { randomUUID } from 'node:crypto';
import type { CallOptions, GhlApi } from '../ghl/ghl-api.js';
import type { LocationLimiters } from '../loaders/concurrency-limit.js';
import { createLoaders, type Loaders } from '../loaders/create-loaders.js';
import type { TaskSearchCapability } from '../loaders/task-search-capability.js';
import { UpstreamTally } from '../loaders/upstream-tally.js';
import type { WritePath } from './write-path.js';

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
}

export interface ContextDeps {
  ghl: GhlApi;
  /** The location served when a request does not name one. */
  locationId: string;
  taskSearch: TaskSearchCapability;
  limiters: LocationLimiters;
  writePath?: WritePath;
}

/** Per-request inputs: a caller-chosen request id, and the location when the caller picks one. */
export interface ContextRequest {
  requestId?: string;
  /** Defaults to the gateway's configured location. */
  locationId?: string;
}

export type ContextFactory = (request?: ContextRequest) => GraphQLContext;

export function createContextFactory(deps: ContextDeps): ContextFactory {
  return (request) => {
    const requestId = request?.requestId ?? randomUUID();
    const locationId = request?.locationId ?? deps.locationId;
    const upstream = new UpstreamTally();
    // GraphQL is the interactive lane: it goes ahead of background sync in the rate budget.
    const callOptions: CallOptions = { lane: 'interactive', requestId, observer: upstream.observer };
    const loaders = createLoaders({
      ghl: deps.ghl,
      locationId,
      taskSearch: deps.taskSearch,
      limiters: deps.limiters,
      callOptions,
      onBatch: () => upstream.countBatch(),
    });
    return { locationId, requestId, ghl: deps.ghl, loaders, callOptions, upstream, ...(deps.writePath === undefined ? {} : { writePath: deps.writePath }) };
  };
}
