/**
 * FIFO waiting on top of a rate budget's atomic `tryReserve`, per location and lane. Only the
 * head of a lane asks for a slot, so callers are served in arrival order; background callers
 * wait while any interactive caller is queued. Shared by every RateBudget implementation
 * (in memory and Redis): the budget decides, this queue waits.
 *
 * Waiting counts against the caller's deadline: when the head must wait, every waiter whose
 * deadline comes before that wait is over (they all wait at least as long) is answered at once
 * with GhlRateLimitedError and the wait as retryAfterMs, and a waiter still queued when its
 * deadline arrives is answered the same way. A caller never waits in here past its deadline.
 */
import type { Lane } from './ghl-api.js';
import type { Clock } from './clock.js';
import { GhlBudgetReserveError, GhlRateLimitedError } from './errors.js';

/** One reservation attempt: a slot now, a wait, or a refusal to spend the daily reserve. */
export type ReserveOutcome =
  | { kind: 'granted' }
  | { kind: 'wait'; waitMs: number; reason: 'probing' | 'window' | 'lane-share' | 'paused' }
  | { kind: 'refused'; dailyRemaining: number; reserve: number; retryAfterMs: number };

interface Waiter {
  lane: Lane;
  endpoint: string;
  /** Epoch ms (the queue's clock) the caller must be answered by; null: none. */
  deadlineAt: number | null;
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
  /** The head's last wait, the best guess of how long a newcomer would wait. */
  lastWaitMs: number;
}

export interface AcquireOptions {
  endpoint: string;
  signal?: AbortSignal;
  /** Epoch ms by which the caller must be answered (granted or refused); null / absent: no deadline. */
  deadlineAt?: number | null;
}

export class RateBudgetQueue {
  private readonly locations = new Map<string, LocationQueue>();

  constructor(
    private readonly tryReserve: (locationId: string, lane: Lane) => Promise<ReserveOutcome> | ReserveOutcome,
    private readonly clock: Clock,
  ) {}

  acquire(locationId: string, lane: Lane, options: AcquireOptions): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const queue = this.queueOf(locationId);
    return new Promise<void>((resolve, reject) => {
      const leave = (reason: unknown): void => {
        if (waiter.settled) return;
        waiter.settled = true;
        waiter.detach();
        const lane = queue[waiter.lane];
        const index = lane.indexOf(waiter);
        if (index >= 0) lane.splice(index, 1);
        reject(reason);
        // The head may have changed (an interactive caller left): let the next one try.
        this.wake(locationId);
      };
      const onAbort = (): void => leave(signal?.reason);
      const deadlineAt = options.deadlineAt ?? null;
      const cancelDeadline =
        deadlineAt === null
          ? null
          : this.clock.schedule(
              () =>
                leave(
                  new GhlRateLimitedError(
                    options.endpoint,
                    Math.max(1, Math.ceil(queue.lastWaitMs)),
                    this.overMessage(options.endpoint),
                  ),
                ),
              Math.max(0, deadlineAt - this.clock.now()),
            );
      const waiter: Waiter = {
        lane,
        endpoint: options.endpoint,
        deadlineAt,
        resolve,
        reject,
        settled: false,
        detach: () => {
          signal?.removeEventListener('abort', onAbort);
          cancelDeadline?.();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue[lane].push(waiter);
      this.wake(locationId);
    });
  }

  private overMessage(endpoint: string): string {
    return `HighLevel's rate limit leaves no slot for ${endpoint} before this operation's deadline; retry later`;
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
      queue = {
        interactive: [],
        background: [],
        cancelTimer: null,
        pumping: false,
        pumpAgain: false,
        lastWaitMs: 1000,
      };
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
        queue.lastWaitMs = outcome.waitMs;
        this.refuseThoseOutOfTime(queue, head.lane, outcome.waitMs);
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

  /**
   * The head waits `waitMs`; everyone queued behind it (its lane, and background behind an
   * interactive head) waits at least as long: those whose deadline comes first are answered now.
   */
  private refuseThoseOutOfTime(queue: LocationQueue, headLane: Lane, waitMs: number): void {
    const readyAt = this.clock.now() + waitMs;
    const lanes: Lane[] = headLane === 'interactive' ? ['interactive', 'background'] : ['background'];
    for (const lane of lanes) {
      for (const waiter of [...queue[lane]]) {
        if (waiter.deadlineAt !== null && waiter.deadlineAt < readyAt) {
          const retryAfterMs = Math.max(1, Math.ceil(waitMs));
          this.settle(queue, waiter, () =>
            waiter.reject(new GhlRateLimitedError(waiter.endpoint, retryAfterMs, this.overMessage(waiter.endpoint))),
          );
        }
      }
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
