/**
 * Counts what one GraphQL operation cost upstream, for `extensions.upstream`: every HTTP
 * request the client sent (one per attempt, reported through CallOptions.observer) and every
 * DataLoader batch invocation. One tally per request; never shared.
 */
import type { UpstreamObserver } from '../ghl/ghl-api.js';

export class UpstreamTally {
  calls = 0;
  batches = 0;

  readonly observer: UpstreamObserver = {
    onRequest: () => {
      this.calls += 1;
    },
  };

  countBatch(): void {
    this.batches += 1;
  }

  snapshot(): { calls: number; batches: number } {
    return { calls: this.calls, batches: this.batches };
  }
}
