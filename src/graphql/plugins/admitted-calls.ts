/**
 * The upstream calls admitted operations may still send, per location. The rate budget counts a
 * call once it is granted (or waiting in its queue); between admission and that moment an
 * operation's calls are invisible to it, so concurrent operations would each be admitted
 * against the same free slots and the excess would wait windows long instead of being answered
 * RATE_LIMITED at once. Admission adds what this ledger holds to every new estimate.
 */
interface Admitted {
  calls: number;
  /** Calls the operation has sent so far. */
  sent: () => number;
}

export class AdmittedCalls {
  private readonly byLocation = new Map<string, Set<Admitted>>();

  /** Records an admitted operation; call the returned function when it has finished. */
  hold(locationId: string, calls: number, sent: () => number): () => void {
    const admitted: Admitted = { calls, sent };
    let held = this.byLocation.get(locationId);
    if (held === undefined) {
      held = new Set();
      this.byLocation.set(locationId, held);
    }
    held.add(admitted);
    return () => {
      held.delete(admitted);
      if (held.size === 0 && this.byLocation.get(locationId) === held) this.byLocation.delete(locationId);
    };
  }

  /** Whether any admitted operation of the location has not finished. */
  holds(locationId: string): boolean {
    return this.byLocation.has(locationId);
  }

  /** Calls admitted operations of the location have not sent yet. */
  unsent(locationId: string): number {
    let total = 0;
    for (const admitted of this.byLocation.get(locationId) ?? [])
      total += Math.max(0, admitted.calls - admitted.sent());
    return total;
  }
}
