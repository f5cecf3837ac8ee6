/**
 * FIFO waiting on top of a rate budget's atomic `tryReserve`, per location and lane. Only the
 * head of a lane asks for a slot, so callers are served in arrival order; background callers
 * wait while any interactive caller is queued. Shared by every RateBudget implementation
 * (in memory now, Redis later): the budget decides, this queue waits.
 */
import type { Lane } from './ghl-api.js';
import type { Clock } from './clock.js';
import { GhlBudgetReserveError } from './errors.js';
import type { ReserveOutcome } from './rate-budget.js';

interface Waiter {
  lane: Lane;
  endpoint: string;
  resolve: () => void;
  reject: (reason: unknown) => void;
  settled: boolean;
  detach: () => void;
}

interface LocationQueue {
  interactive: Waiter[];
  background: Waiter[];
  cancelTimer: (() => void) | null;
  pumping: boolean;
  pumpAgain: boolean;
}

export class RateBudgetQueue {
  private readonly locations = new Map<string, LocationQueue>();

  constructor(
    private readonly tryReserve: (locationId: string, lane: Lane) => Promise<ReserveOutcome> | ReserveOutcome,
    private readonly clock: Clock,
  ) {}

  acquire(locationId: string, lane: Lane, options: { endpoint: string; signal?: AbortSignal }): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const queue = this.queueOf(locationId);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        if (waiter.settled) return;
        waiter.settled = true;
        const lane = queue[waiter.lane];
        const index = lane.indexOf(waiter);
        if (index >= 0) lane.splice(index, 1);
        reject(signal?.reason);
        // The head may have changed (an interactive caller left): let the next one try.
        this.wake(locationId);
      };
      const waiter: Waiter = {
        lane,
        endpoint: options.endpoint,
        resolve,
        reject,
        settled: false,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue[lane].push(waiter);
      this.wake(locationId);
    });
  }

  queued(locationId: string): { interactive: number; background: number } {
    const queue = this.locations.get(locationId);
    return { interactive: queue?.interactive.length ?? 0, background: queue?.background.length ?? 0 };
  }

  /** Something changed (a response, a pause, a departure): the heads try again now. */
  wake(locationId: string): void {
    const queue = this.locations.get(locationId);
    if (queue === undefined) return;
    if (queue.pumping) {
      queue.pumpAgain = true;
      return;
    }
    void this.pump(locationId, queue);
  }

  private queueOf(locationId: string): LocationQueue {
    let queue = this.locations.get(locationId);
    if (queue === undefined) {
      queue = { interactive: [], background: [], cancelTimer: null, pumping: false, pumpAgain: false };
      this.locations.set(locationId, queue);
    }
    return queue;
  }

  private async pump(locationId: string, queue: LocationQueue): Promise<void> {
    queue.pumping = true;
    queue.cancelTimer?.();
    queue.cancelTimer = null;
    try {
      for (;;) {
        queue.pumpAgain = false;
        const head = queue.interactive[0] ?? queue.background[0];
        if (head === undefined) return;
        let outcome: ReserveOutcome;
        try {
          outcome = await this.tryReserve(locationId, head.lane);
        } catch (error) {
          this.settle(queue, head, () => head.reject(error));
          continue;
        }
        // An abort while the (possibly remote) reservation ran: the slot is lost, which only errs
        // on the side of sending less.
        if (head.settled) continue;
        if (outcome.kind === 'granted') {
          this.settle(queue, head, () => head.resolve());
          continue;
        }
        if (outcome.kind === 'refused') {
          const { dailyRemaining, reserve, retryAfterMs } = outcome;
          this.settle(queue, head, () =>
            head.reject(new GhlBudgetReserveError(head.endpoint, retryAfterMs, dailyRemaining, reserve)),
          );
          continue;
        }
        if (queue.pumpAgain) continue;
        queue.cancelTimer = this.clock.schedule(
          () => {
            queue.cancelTimer = null;
            this.wake(locationId);
          },
          Math.max(1, Math.ceil(outcome.waitMs)),
        );
        return;
      }
    } finally {
      queue.pumping = false;
    }
  }

  private settle(queue: LocationQueue, waiter: Waiter, action: () => void): void {
    const lane = queue[waiter.lane];
    const index = lane.indexOf(waiter);
    if (index >= 0) lane.splice(index, 1);
    if (waiter.settled) return;
    waiter.settled = true;
    waiter.detach();
    action();
  }
}
