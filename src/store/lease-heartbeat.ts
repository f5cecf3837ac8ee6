/**
 * The heartbeat of leased work (leased-queue.ts): while a worker runs what it claimed, the
 * heartbeat renews the leases every `intervalMs` (default a quarter of the lease), so the lease
 * can be short and a killed worker's work is claimable again within one lease, not after the
 * longest a piece of work may take.
 *
 * `holds(id)` is what a worker asks between steps. It turns false, for good, when
 * - a renew came back without the id: another worker holds it now (this one stalled past its
 *   lease and the other claimed it), or the row left in_flight; or
 * - the lease as last confirmed has run out locally (the store did not answer the renews): the
 *   row may already be another worker's, so this one must not start another step.
 * The expiry is counted from the moment a claim or renew was SENT, never from its answer, so the
 * local view never outlives the stored lease. One heartbeat serves one batch of claimed rows; the
 * timer runs only while it holds something and never keeps the process alive.
 */

interface LeaseHeartbeatOptions<Id> {
  /** The queue's renew: extends the leases still held, returns their ids. */
  renew(ids: readonly Id[]): Promise<Id[]>;
  leaseMs: number;
  /** Default leaseMs / 4: a renew may fail twice before the lease is in danger. */
  intervalMs?: number;
  now?: () => number;
  /** A row this worker no longer holds (renew refused it, or its lease ran out unconfirmed). */
  onLost?: (id: Id) => void;
  /** A renew that failed (store unreachable); the next beat tries again. */
  onError?: (error: unknown) => void;
}

interface LeaseHeartbeat<Id> {
  /** Starts keeping the leases of rows claimed by a request sent at `claimedAt`. */
  hold(ids: readonly Id[], claimedAt: number): void;
  /** Stops renewing a row (completed, failed or released). */
  drop(id: Id): void;
  /** Whether this worker may still take a step on the row. */
  holds(id: Id): boolean;
  /** Renews every held lease now (the timer calls it; tests call it after moving their clock). */
  beat(): Promise<void>;
  /** Drops everything and stops the timer. */
  stop(): void;
}

export function createLeaseHeartbeat<Id>(options: LeaseHeartbeatOptions<Id>): LeaseHeartbeat<Id> {
  const now = options.now ?? Date.now;
  const intervalMs = Math.max(1, Math.floor(options.intervalMs ?? options.leaseMs / 4));
  /** Held rows and when their lease runs out, as far as this worker knows. */
  const held = new Map<Id, number>();
  let timer: NodeJS.Timeout | null = null;
  let beating: Promise<void> | null = null;

  function lose(id: Id): void {
    if (held.delete(id)) options.onLost?.(id);
  }

  function schedule(): void {
    if (held.size === 0) {
      if (timer !== null) clearInterval(timer);
      timer = null;
      return;
    }
    if (timer !== null) return;
    timer = setInterval(() => void heartbeat.beat(), intervalMs);
    timer.unref();
  }

  async function renewHeld(): Promise<void> {
    const ids = [...held.keys()];
    if (ids.length === 0) return;
    const sentAt = now();
    let renewed: Id[];
    try {
      renewed = await options.renew(ids);
    } catch (error) {
      options.onError?.(error);
      for (const [id, expiresAt] of held) if (expiresAt <= now()) lose(id);
      return;
    }
    const kept = new Set(renewed);
    for (const id of ids) {
      // Dropped meanwhile (the work finished): nothing to keep or lose.
      if (!held.has(id)) continue;
      if (kept.has(id)) held.set(id, sentAt + options.leaseMs);
      else lose(id);
    }
  }

  const heartbeat: LeaseHeartbeat<Id> = {
    hold(ids, claimedAt) {
      for (const id of ids) held.set(id, claimedAt + options.leaseMs);
      schedule();
    },

    drop(id) {
      held.delete(id);
      schedule();
    },

    holds(id) {
      const expiresAt = held.get(id);
      if (expiresAt === undefined) return false;
      if (expiresAt <= now()) {
        lose(id);
        return false;
      }
      return true;
    },

    beat() {
      // One renew at a time: a slow store must not pile renews up.
      beating ??= renewHeld().finally(() => {
        beating = null;
        schedule();
      });
      return beating;
    },

    stop() {
      held.clear();
      schedule();
    },
  };
  return heartbeat;
}
