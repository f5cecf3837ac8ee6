/**
 * Scrape-time HighLevel rate budget per location, from the client's `rateBudget.snapshot`.
 * A shared (Redis) budget is refreshed first so the numbers are the replicas' common ones.
 */
import type { RateBudgetSnapshot } from '../ghl/ghl-api.js';
import type { Metrics } from './metrics.js';

export interface ObservedRateBudget {
  snapshot(locationId: string): RateBudgetSnapshot;
  refresh?(locationId: string): Promise<void>;
}

export async function collectRateBudget(
  metrics: Metrics,
  budget: ObservedRateBudget,
  locations: readonly string[],
): Promise<void> {
  for (const location of locations) {
    await budget.refresh?.(location);
    const snapshot = budget.snapshot(location);
    metrics.rateBudgetQueued.set({ location, lane: 'interactive' }, snapshot.queued.interactive);
    metrics.rateBudgetQueued.set({ location, lane: 'background' }, snapshot.queued.background);
    // Before the first response the limits are unknown: a 0 would read as "exhausted".
    if (!snapshot.limitsKnown) continue;
    metrics.rateBudgetRemaining.set({ location, window: 'burst' }, snapshot.burstRemaining);
    metrics.rateBudgetRemaining.set({ location, window: 'daily' }, snapshot.dailyRemaining);
    metrics.rateBudgetReserve.set({ location }, snapshot.dailyReserve);
  }
}
