/**
 * Admission control and the rate-limit / staleness extensions.
 *
 * Before an operation executes, its HighLevel calls are estimated from the costs in the schema
 * (operation-cost.ts, the walk the cost limit shares), with the location's batched reads, minus
 * what the shared cache already holds for `contact(id)` roots, and compared with the location's
 * rate budget (burst window and daily counter). When they cannot be granted within
 * ADMISSION_MAX_WAIT_MS:
 *   - a query that needs more calls than a whole burst window holds runs in partial mode: it
 *     spends what the window has left now and is otherwise answered as in cache-only mode
 *     (retries then find more of it cached; refusing it whole would refuse it forever);
 *   - any other query runs in cache-only mode: what the cache holds is answered (stale copies too), the
 *     rest fails RATE_LIMITED with `extensions.retryAfterMs`, and no request GHL would refuse is sent;
 *   - a mutation is refused whole with RATE_LIMITED (a half-applied write is worse than none).
 *
 * Every response then carries
 *   extensions.rateLimit = { cost: { estimated, actual }, burstRemaining, dailyRemaining }
 * and, when any value was served past its TTL, `extensions.stale: true` and
 * `extensions.staleAgeMs` (the oldest such value's age).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GatewayEventSink } from '../../domain/gateway-events.js';
import type { SharedCache } from '../../cache/shared-cache.js';
import type { RateBudget } from '../../ghl/rate-budget.js';
import type { RequestAdmission } from '../../loaders/request-admission.js';
import { CONTACT_LISTS, contactList, type ContactListName } from '../../entities/contact-lists.js';
import type { BatchedReadCapability } from '../../loaders/batched-read-capability.js';
import { costOfRequest, operationCosts, upstreamCalls, type RootFieldCost } from '../operation-cost.js';
import { ErrorCode } from '../errors.js';
import { AdmittedCalls } from './admitted-calls.js';

/** What the plugin needs of the request context (GraphQLContext satisfies it). */
interface AdmissionContext {
  locationId: string;
  admission: RequestAdmission;
  upstream: { snapshot(): { calls: number } };
}

interface AdmissionPluginDeps {
  /** Null: no budget to consult (tests with a fake client); only the extensions are added. */
  rateBudget: RateBudget | null;
  cache: SharedCache | null;
  /** Which per-contact lists a location may read in batches (its token's scopes). */
  batchedReads: BatchedReadCapability;
  /** ADMISSION_MAX_WAIT_MS. */
  maxWaitMs: number;
  /** Told when the daily reserve refuses an operation (notifications). */
  events?: GatewayEventSink;
}

/** Calls the cache saves for `contact(id)` roots whose contact and selected lists are cached. */
async function uncachedCalls(
  cache: SharedCache,
  locationId: string,
  root: RootFieldCost,
  calls: number,
): Promise<number> {
  const probe = root.probe;
  if (probe === null) return calls;
  const keys = [
    cache.keys.contact(locationId, probe.contactId),
    ...probe.lists.map((list) => cache.keys.listOfContact(contactList(list).cacheEntity, locationId, probe.contactId)),
  ];
  const freshness = await cache.peekMany(keys);
  // Fresh and grace values are answered without an interactive call; one call per other key.
  const misses = freshness.filter((state) => state !== 'fresh' && state !== 'grace').length;
  return Math.min(calls, misses);
}

/** The lists this location reads in batches now (their batched endpoint's scope is granted or untested). */
async function batchableLists(capability: BatchedReadCapability, locationId: string): Promise<Set<ContactListName>> {
  const batchable = new Set<ContactListName>();
  for (const list of CONTACT_LISTS) {
    if (
      'batched' in list &&
      list.batched !== undefined &&
      (await capability.modeFor(locationId, list.batched.scope)) === 'batched'
    )
      batchable.add(list.field);
  }
  return batchable;
}

/** `extensions.rateLimit`: what the operation cost and what the location's budget has left. */
export function rateLimitExtension(
  rateBudget: RateBudget | null,
  locationId: string,
  cost: { estimated: number | null; actual: number },
): Record<string, unknown> {
  const snapshot = rateBudget?.snapshot(locationId);
  return {
    cost,
    burstRemaining: snapshot?.limitsKnown ? snapshot.burstRemaining : null,
    dailyRemaining: snapshot?.limitsKnown ? snapshot.dailyRemaining : null,
  };
}

/** A mutation refused whole (a half-applied write is worse than none): RATE_LIMITED with when to retry. */
function mutationNotSent(why: string, retryAfterMs: number): GraphQLError {
  return new GraphQLError(`Not sent: ${why}; retry in ${retryAfterMs} ms`, {
    extensions: { code: ErrorCode.RateLimited, retryAfterMs },
  });
}

/** How soon to retry when the limits were still unknown: about one round trip to HighLevel. */
const LIMITS_UNKNOWN_RETRY_MS = 1_000;

/**
 * Calls the first operation of a location may spend before HighLevel's limits are known: the
 * burst HighLevel documents (100 per 10 s), which the first window holds.
 */
const BLIND_CALLS = 100;

/** How often a waiting operation looks whether the limits are known. */
const LIMITS_POLL_MS = 10;

type WhileLimitsUnknown = { outcome: 'known' | 'timeout' } | { outcome: 'probe'; release: () => void };

/**
 * Waits until the location's limits are known ('known'), or until no admitted operation is out
 * (this one then goes as the probe: `hold` runs in the same turn as the check, so two waiters
 * never both go), or `waitMs` has passed ('timeout'). Polled, not signalled: the limits may come
 * from another replica's answer (a shared budget learns them on refresh), and the wait only
 * happens in the first round trip to a location.
 */
async function whileLimitsUnknown(
  budget: RateBudget,
  admitted: AdmittedCalls,
  locationId: string,
  waitMs: number,
  hold: () => () => void,
): Promise<WhileLimitsUnknown> {
  const giveUpAt = performance.now() + waitMs;
  for (;;) {
    if (budget.snapshot(locationId).limitsKnown) return { outcome: 'known' };
    if (!admitted.holds(locationId)) return { outcome: 'probe', release: hold() };
    const left = giveUpAt - performance.now();
    if (left <= 0) return { outcome: 'timeout' };
    await new Promise((resolveWait) => setTimeout(resolveWait, Math.min(LIMITS_POLL_MS, left)));
    await budget.refresh?.(locationId);
  }
}

export function admissionPlugin<TContext extends AdmissionContext>(
  deps: AdmissionPluginDeps,
): ApolloServerPlugin<TContext> {
  const admitted = new AdmittedCalls();
  return {
    async requestDidStart() {
      let release: (() => void) | null = null;
      return {
        async didResolveOperation({ document, operation, request, contextValue, schema }) {
          const { locationId, admission, upstream } = contextValue;
          if (operation === undefined) return;
          const estimate = costOfRequest(request, () =>
            operationCosts.estimate(schema, document, operation, request.variables ?? {}),
          );
          const batchable = await batchableLists(deps.batchedReads, locationId);
          let calls = 0;
          for (const root of estimate.roots) {
            const rootCalls = upstreamCalls(root, (list) => batchable.has(list));
            calls += deps.cache === null ? rootCalls : await uncachedCalls(deps.cache, locationId, root, rootCalls);
          }
          admission.estimatedCalls = calls;
          const budget = deps.rateBudget;
          if (budget === null || calls === 0) return;
          await budget.refresh?.(locationId);
          const sent = (): number => upstream.snapshot().calls;
          if (!budget.snapshot(locationId).limitsKnown) {
            // HighLevel states its limits in each response's headers and none has come back yet, so
            // no estimate can hold: one operation goes (the budget sends its calls one at a time
            // until the limits arrive) and the others wait for what its answers say, or for it to
            // finish without saying (a 401 carries no limits), when the next one goes. Admitting
            // them all blind let a cold burst overrun the first window and wait ~10 s for the
            // next, when the promise is ADMISSION_MAX_WAIT_MS.
            const probeCalls = operation.operation === 'mutation' ? calls : Math.min(calls, BLIND_CALLS);
            const learnt = await whileLimitsUnknown(budget, admitted, locationId, deps.maxWaitMs, () =>
              admitted.hold(locationId, probeCalls, sent),
            );
            if (learnt.outcome === 'probe') {
              release = learnt.release;
              // More than any documented window holds: what it holds now, the rest on a retry that
              // meets known limits (as a query larger than a known window is answered).
              if (probeCalls < calls)
                admission.grantPartially(
                  probeCalls,
                  LIMITS_UNKNOWN_RETRY_MS,
                  `HighLevel's rate limits for this location are not known until its first answer; ${probeCalls} of ${calls} calls granted meanwhile`,
                );
              return;
            }
            if (learnt.outcome === 'timeout') {
              const reason = `HighLevel's rate limits for this location are not known yet: its first request has not been answered within ${deps.maxWaitMs} ms`;
              if (operation.operation === 'mutation') throw mutationNotSent(reason, LIMITS_UNKNOWN_RETRY_MS);
              admission.restrictToCache(LIMITS_UNKNOWN_RETRY_MS, reason);
              return;
            }
          }
          // Operations admitted before this one and not done sending are ahead of it.
          const ahead = admitted.unsent(locationId);
          const affordable = budget.canAfford(locationId, calls + ahead, 'interactive');
          if (affordable.ok && affordable.waitMs <= deps.maxWaitMs) {
            release = admitted.hold(locationId, calls, sent);
            return;
          }
          const reason = affordable.ok
            ? `${calls} calls (${ahead} more admitted before) need ~${affordable.waitMs} ms of budget (${affordable.reason})`
            : affordable.reason;
          // Not affordable at all: only the daily reserve refuses outright (RateBudget.canAfford).
          if (!affordable.ok) {
            const snapshot = budget.snapshot(locationId);
            deps.events?.emit({
              type: 'ghl.budget_reserve_reached',
              at: new Date().toISOString(),
              locationId,
              dailyRemaining: snapshot.dailyRemaining,
              reserve: snapshot.dailyReserve,
              retryAfterMs: affordable.waitMs,
            });
          }
          if (operation.operation === 'mutation') {
            throw mutationNotSent(
              `HighLevel's rate budget cannot take this mutation now (${reason})`,
              affordable.waitMs,
            );
          }
          const snapshot = budget.snapshot(locationId);
          if (snapshot.limitsKnown && calls > snapshot.burstMax) {
            // No wait would ever fit it whole: spend what the window has left now, so what loads is
            // cached and each retry (after the window resets) gets further, instead of never.
            const free =
              Math.min(
                snapshot.burstRemaining - snapshot.queued.interactive,
                snapshot.dailyRemaining - snapshot.dailyReserve,
              ) - ahead;
            const now = Math.max(0, free);
            admission.grantPartially(
              now,
              Math.max(snapshot.resetInMs, 1),
              `${calls} calls exceed a whole burst window of ${snapshot.burstMax}; ${now} granted now`,
            );
            release = admitted.hold(locationId, now, sent);
            return;
          }
          admission.restrictToCache(affordable.waitMs, reason);
        },
        async willSendResponse({ response, contextValue }) {
          release?.();
          release = null;
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const { admission, upstream, locationId } = contextValue;
          // Errors before the context existed (parse failures) leave it partly built.
          if (admission === undefined || upstream === undefined) return;
          const extensions: Record<string, unknown> = {
            ...result.extensions,
            rateLimit: rateLimitExtension(deps.rateBudget, locationId, {
              estimated: admission.estimatedCalls,
              actual: upstream.snapshot().calls,
            }),
          };
          if (admission.mode === 'cache-only')
            extensions['admission'] = { mode: admission.mode, retryAfterMs: admission.retryAfterMs };
          if (admission.mode === 'partial')
            extensions['admission'] = {
              mode: admission.mode,
              retryAfterMs: admission.retryAfterMs,
              grantedCalls: admission.grantedCalls,
            };
          const stale = admission.stale;
          if (stale.count > 0) {
            extensions['stale'] = true;
            extensions['staleAgeMs'] = stale.maxAgeMs;
          }
          result.extensions = extensions;
        },
      };
    },
  };
}
