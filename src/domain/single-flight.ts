/**
 * Single-flight: while a call for a key is in flight, every other caller asking for the same key
 * (from any request in this process) waits for that call instead of making its own: the cache's
 * upstream loads (src/cache/read-through.ts), OAuth refreshes and grant reads
 * (src/ghl/oauth-token-provider.ts). Process-local on purpose: it needs no store, so it keeps
 * deduplicating when the shared cache is down, which is exactly when upstream load matters most.
 *
 * Callers share the resolved value object: treat it as read-only.
 */
export class SingleFlight {
  private readonly flights = new Map<string, Promise<unknown>>();

  constructor(private readonly onCoalesced?: (key: string) => void) {}

  /** Runs `work` unless a call for `key` is already in flight, in which case it joins that one. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const existing = this.flights.get(key);
    if (existing !== undefined) {
      this.onCoalesced?.(key);
      // Same key, same loader contract: the in-flight promise resolves to the T this caller asked for.
      return existing as Promise<T>;
    }
    const flight = Promise.resolve()
      .then(work)
      .finally(() => {
        // Only remove our own flight: a later one for the same key may have replaced it.
        if (this.flights.get(key) === flight) this.flights.delete(key);
      });
    this.flights.set(key, flight);
    return flight;
  }

  /**
   * Starts one call for many keys and registers each key as in flight, so single-key and
   * batched callers for any of those keys join it. `work` resolves to a per-key result; a key
   * whose result is an Error rejects with it alone (its neighbours in the batch still resolve).
   */
  runMany<T>(keys: string[], work: () => Promise<Map<string, T | Error>>): Map<string, Promise<T | undefined>> {
    const batch = Promise.resolve().then(work);
    const perKey = new Map<string, Promise<T | undefined>>();
    for (const key of keys) {
      const flight = batch
        .then((results) => {
          const result = results.get(key);
          if (result instanceof Error) throw result;
          return result;
        })
        .finally(() => {
          if (this.flights.get(key) === flight) this.flights.delete(key);
        });
      this.flights.set(key, flight);
      perKey.set(key, flight);
    }
    return perKey;
  }

  /** The flight for `key`, if one is running. */
  get<T>(key: string): Promise<T> | undefined {
    const existing = this.flights.get(key);
    if (existing !== undefined) this.onCoalesced?.(key);
    return existing as Promise<T> | undefined;
  }

  has(key: string): boolean {
    return this.flights.has(key);
  }

  get size(): number {
    return this.flights.size;
  }
}
