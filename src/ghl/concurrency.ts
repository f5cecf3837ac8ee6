/**
 * Caps the HighLevel requests in flight per location (GHL_CONCURRENCY_PER_LOCATION). A slot is
 * taken before the rate budget is asked, so a request is sent the moment its rate slot is
 * granted (the budget's timestamps stay true). Background callers may hold only part of the
 * slots: otherwise background requests parked on an exhausted background share would hold
 * every slot while the interactive share of the window sat unused.
 */
import type { Lane } from './ghl-api.js';
import { GhlTimeoutError } from './errors.js';

interface SlotRequest {
  signal?: AbortSignal;
  /** Epoch ms: a caller still waiting then is answered GhlTimeoutError (every slot stayed busy). */
  deadlineAt?: number | null;
  /** Names the request in that error. */
  endpoint?: string;
}

interface Waiter {
  lane: Lane;
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  detach: () => void;
}

interface LocationSlots {
  active: number;
  activeBackground: number;
  waiting: Waiter[];
}

export class LocationConcurrency {
  private readonly locations = new Map<string, LocationSlots>();
  readonly backgroundLimit: number;

  constructor(
    readonly limit: number,
    interactiveShare: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('concurrency limit must be a positive integer');
    // Keep at least one slot for interactive callers whenever there is more than one.
    this.backgroundLimit =
      limit === 1 ? 1 : Math.max(1, Math.min(limit - 1, limit - Math.ceil(limit * interactiveShare)));
  }

  /** Resolves with the slot's release function (call it exactly once). */
  acquire(locationId: string, lane: Lane, request: SlotRequest = {}): Promise<() => void> {
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const slots = this.slotsOf(locationId);
    // Interactive callers only queue behind interactive ones; background behind everyone.
    const queuedAhead = slots.waiting.some((waiter) => lane === 'background' || waiter.lane === 'interactive');
    if (!queuedAhead && this.fits(slots, lane)) return Promise.resolve(this.take(locationId, slots, lane));
    return new Promise((resolve, reject) => {
      const leave = (reason: unknown): void => {
        const index = slots.waiting.indexOf(waiter);
        if (index < 0) return;
        slots.waiting.splice(index, 1);
        waiter.detach();
        reject(reason);
        this.drain(locationId, slots);
      };
      const onAbort = (): void => leave(signal?.reason);
      const deadlineAt = request.deadlineAt ?? null;
      // Slots are held by requests in flight (each bounded by its attempt timeout); a caller
      // with a deadline does not wait past it for one to free up.
      const timer =
        deadlineAt === null
          ? null
          : setTimeout(
              () => {
                const endpoint = request.endpoint ?? 'HighLevel';
                leave(
                  new GhlTimeoutError(endpoint, Math.max(0, Math.round(deadlineAt - Date.now())), {
                    message: `every HighLevel request slot of this location stayed busy until the deadline (${endpoint})`,
                  }),
                );
              },
              Math.max(0, deadlineAt - Date.now()),
            );
      const waiter: Waiter = {
        lane,
        resolve,
        reject,
        detach: () => {
          signal?.removeEventListener('abort', onAbort);
          if (timer !== null) clearTimeout(timer);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      slots.waiting.push(waiter);
    });
  }

  inFlight(locationId: string): number {
    return this.locations.get(locationId)?.active ?? 0;
  }

  private fits(slots: LocationSlots, lane: Lane): boolean {
    if (slots.active >= this.limit) return false;
    return lane === 'interactive' || slots.activeBackground < this.backgroundLimit;
  }

  private take(locationId: string, slots: LocationSlots, lane: Lane): () => void {
    slots.active += 1;
    if (lane === 'background') slots.activeBackground += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      slots.active -= 1;
      if (lane === 'background') slots.activeBackground -= 1;
      this.drain(locationId, slots);
    };
  }

  /** Interactive waiters first (FIFO among them), then background ones that fit. */
  private drain(locationId: string, slots: LocationSlots): void {
    for (const lane of ['interactive', 'background'] as const) {
      for (let index = 0; index < slots.waiting.length;) {
        const waiter = slots.waiting[index];
        if (waiter === undefined || waiter.lane !== lane || !this.fits(slots, lane)) {
          index += 1;
          continue;
        }
        slots.waiting.splice(index, 1);
        waiter.detach();
        waiter.resolve(this.take(locationId, slots, lane));
      }
    }
  }

  private slotsOf(locationId: string): LocationSlots {
    let slots = this.locations.get(locationId);
    if (slots === undefined) {
      slots = { active: 0, activeBackground: 0, waiting: [] };
      this.locations.set(locationId, slots);
    }
    return slots;
  }
}
