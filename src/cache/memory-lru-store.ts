/**
 * The `memory://` store: a keyv store adapter holding serialized values in a Map used as an
 * LRU (a Map iterates in insertion order; a read re-inserts, so the first key is the least
 * recently used). Bounded by entry count AND by bytes, because a few huge search pages must
 * not be able to take the process's memory any more than many small contacts can.
 */
import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

interface Slot {
  value: string;
  bytes: number;
  expiresAt: number | null;
}

export interface MemoryLruOptions {
  maxEntries: number;
  maxBytes: number;
  now?: () => number;
}

/** Keyv hands adapters its serialized string; anything else is stored as its JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export class MemoryLruStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: MemoryLruOptions;
  namespace?: string | undefined;
  private readonly slots = new Map<string, Slot>();
  private totalBytes = 0;
  private evictions = 0;
  private readonly now: () => number;

  constructor(options: MemoryLruOptions) {
    super();
    this.opts = options;
    this.now = options.now ?? Date.now;
  }

  /** Entries, bytes and evictions so far (for metrics and tests). */
  get size(): { entries: number; bytes: number; evictions: number } {
    return { entries: this.slots.size, bytes: this.totalBytes, evictions: this.evictions };
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.read(key) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return keys.map((key) => this.read(key) as StoredData<Value | undefined>);
  }

  async has(key: string): Promise<boolean> {
    return this.read(key) !== undefined;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const text = asText(value);
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(text);
    this.remove(key);
    // A value larger than the whole budget would evict everything and still not fit.
    if (bytes > this.opts.maxBytes) return false;
    this.slots.set(key, { value: text, bytes, expiresAt: typeof ttl === 'number' && ttl > 0 ? this.now() + ttl : null });
    this.totalBytes += bytes;
    this.evictOverflow();
    return true;
  }

  async setMany(entries: Array<{ key: string; value: unknown; ttl?: number }>): Promise<void> {
    for (const entry of entries) await this.set(entry.key, entry.value, entry.ttl);
  }

  async delete(key: string): Promise<boolean> {
    return this.remove(key);
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    let any = false;
    for (const key of keys) any = this.remove(key) || any;
    return any;
  }

  async clear(): Promise<void> {
    const prefix = this.namespace === undefined ? '' : `${this.namespace}:`;
    for (const key of [...this.slots.keys()]) {
      if (key.startsWith(prefix)) this.remove(key);
    }
  }

  async disconnect(): Promise<void> {
    this.slots.clear();
    this.totalBytes = 0;
  }

  private read(key: string): string | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt !== null && slot.expiresAt <= this.now()) {
      this.remove(key);
      return undefined;
    }
    // Re-insert: this key becomes the most recently used.
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.value;
  }

  private remove(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.slots.delete(key);
    this.totalBytes -= slot.bytes;
    return true;
  }

  private evictOverflow(): void {
    while (this.slots.size > this.opts.maxEntries || this.totalBytes > this.opts.maxBytes) {
      const oldest = this.slots.keys().next();
      if (oldest.done === true) return;
      this.remove(oldest.value);
      this.evictions += 1;
    }
  }
}
