import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors.js';
import type { QueryResolvers } from '../resolvers-types.generated.js';

/**
 * `rateLimit(locationId)`: the location's HighLevel budget as the gateway sees it. Only the
 * request's own location may be asked for: another location's traffic is not the caller's business.
 * Shared (Redis) budgets are re-read first, so the numbers include other replicas' spending.
 */
export const rateLimit: NonNullable<QueryResolvers['rateLimit']> = async (_parent, args, context) => {
  const locationId = args.locationId ?? context.locationId;
  if (locationId !== context.locationId) {
    throw new GraphQLError(`rateLimit: this request acts for location ${context.locationId} only`, {
      extensions: { code: ErrorCode.Forbidden },
    });
  }
  const budget = context.rateBudget;
  if (budget === null) {
    return {
      locationId,
      limitsKnown: false,
      burstMax: 0,
      burstRemaining: 0,
      intervalMs: 0,
      dailyMax: 0,
      dailyRemaining: 0,
      reserve: 0,
      resetInMs: 0,
      queued: { interactive: 0, background: 0 },
    };
  }
  await budget.refresh?.(locationId);
  const snapshot = budget.snapshot(locationId);
  return {
    locationId,
    limitsKnown: snapshot.limitsKnown,
    burstMax: snapshot.burstMax,
    burstRemaining: snapshot.burstRemaining,
    intervalMs: Math.round(snapshot.intervalMs),
    dailyMax: snapshot.dailyMax,
    dailyRemaining: snapshot.dailyRemaining,
    reserve: snapshot.dailyReserve,
    resetInMs: Math.round(snapshot.resetInMs),
    queued: snapshot.queued,
  };
};
