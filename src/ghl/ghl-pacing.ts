/**
 * HighLevel's pacing, as the upstream request loop (src/upstream/upstream-client.ts) takes it:
 * per attempt a slot of the location's concurrency cap first, then a slot of the rate budget,
 * so the budget's grant time is the send time; the answer's X-RateLimit-* headers go back to
 * the budget (which learns the limits from them), and a 429 pauses the whole location.
 * Both waits count against the caller's deadline.
 */
import type { Pacing, PacingSlot, ResponseHeaders } from '../upstream/upstream-client.js';
import type { LocationConcurrency } from './concurrency.js';
import type { Lane } from './ghl-api.js';
import type { RateBudget } from './rate-budget.js';
import { parseRateLimitHeaders } from './rate-limit-headers.js';

/** What HighLevel's limits are kept per: the location, and the lane inside its budget. */
export interface GhlScope {
  locationId: string;
  lane: Lane;
}

/** A 429 that names no wait, before any response has told us the window (docs/ghl-facts.md: 10 s). */
const UNKNOWN_WINDOW_MS = 10_000;

export function ghlPacing(concurrency: LocationConcurrency, budget: RateBudget): Pacing<GhlScope> {
  return {
    async acquire(scope, request): Promise<PacingSlot> {
      const release = await concurrency.acquire(scope.locationId, scope.lane, request);
      try {
        await budget.acquire(scope.locationId, scope.lane, request);
      } catch (error) {
        release();
        throw error;
      }
      let done = false;
      return {
        release(headers: ResponseHeaders | null) {
          if (done) return;
          done = true;
          budget.record(scope.locationId, headers === null ? null : parseRateLimitHeaders(headers));
          release();
        },
      };
    },
    pause(scope, ms) {
      budget.pause(scope.locationId, ms);
    },
    defaultRetryAfterMs(scope) {
      return budget.intervalMs(scope.locationId) ?? UNKNOWN_WINDOW_MS;
    },
  };
}
