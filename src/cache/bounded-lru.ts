/**
 * A Map used as an LRU (a Map iterates in insertion order; a read re-inserts, so the first key
 * is the least recently used), bounded by entry count AND by bytes: a few huge values must not
 * be able to take the process's memory any more than many small ones can. Values may carry an
 * expiry; an expired value reads as absent. The caller says what a value weighs.
 */
interface Slot<V> {
  value: V;
  bytes: number;
  expiresAt: number | null;
}

interface BoundedLruOptions {
  maxEntries: number;
  maxBytes: number;
  now?: () => number;
}

export class BoundedLru<V> {
  private readonly slots = new Map<string, Slot<V>>();
  private totalBytes = 0;
  private evictions = 0;
  private readonly now: () => number;

  constructor(private readonly options: BoundedLruOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Entries, bytes and evictions so far (for metrics and tests). */
  get size(): { entries: number; bytes: number; evictions: number } {
    return { entries: this.slots.size, bytes: this.totalBytes, evictions: this.evictions };
  }

  get(key: string): V | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt !== null && slot.expiresAt <= this.now()) {
      this.delete(key);
      return undefined;
    }
    // Re-insert: this key becomes the most recently used.
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.value;
  }

  /** Stores `value` weighing `bytes`; false (and nothing stored) when it alone exceeds the byte budget. */
  set(key: string, value: V, bytes: number, ttlMs?: number): boolean {
    this.delete(key);
    // A value larger than the whole budget would evict everything and still not fit.
    if (bytes > this.options.maxBytes) return false;
    this.slots.set(key, {
      value,
      bytes,
      expiresAt: typeof ttlMs === 'number' && ttlMs > 0 ? this.now() + ttlMs : null,
    });
    this.totalBytes += bytes;
    this.evictOverflow();
    return true;
  }

  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.slots.delete(key);
    this.totalBytes -= slot.bytes;
    return true;
  }

  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  clear(): void {
    this.slots.clear();
    this.totalBytes = 0;
  }

  private evictOverflow(): void {
    while (this.slots.size > this.options.maxEntries || this.totalBytes > this.options.maxBytes) {
      const oldest = this.slots.keys().next();
      if (oldest.done === true) return;
      this.delete(oldest.value);
      this.evictions += 1;
    }
  }
}
