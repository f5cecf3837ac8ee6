/**
 * The `memory://` store: a keyv store adapter holding serialized values in a BoundedLru, bounded
 * by entry count AND by bytes, because a few huge search pages must not be able to take the
 * process's memory any more than many small contacts can.
 */
import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { BoundedLru } from './bounded-lru.js';

interface MemoryLruOptions {
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
  private readonly lru: BoundedLru<string>;

  constructor(options: MemoryLruOptions) {
    super();
    this.opts = options;
    this.lru = new BoundedLru<string>(options);
  }

  /** Entries, bytes and evictions so far (for metrics and tests). */
  get size(): { entries: number; bytes: number; evictions: number } {
    return this.lru.size;
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.lru.get(key) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return keys.map((key) => this.lru.get(key) as StoredData<Value | undefined>);
  }

  async has(key: string): Promise<boolean> {
    return this.lru.get(key) !== undefined;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const text = asText(value);
    return this.lru.set(key, text, Buffer.byteLength(key) + Buffer.byteLength(text), ttl);
  }

  async setMany(entries: Array<{ key: string; value: unknown; ttl?: number }>): Promise<void> {
    for (const entry of entries) await this.set(entry.key, entry.value, entry.ttl);
  }

  async delete(key: string): Promise<boolean> {
    return this.lru.delete(key);
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    let any = false;
    for (const key of keys) any = this.lru.delete(key) || any;
    return any;
  }

  async clear(): Promise<void> {
    const prefix = this.namespace === undefined ? '' : `${this.namespace}:`;
    for (const key of [...this.lru.keys()]) {
      if (key.startsWith(prefix)) this.lru.delete(key);
    }
  }

  async disconnect(): Promise<void> {
    this.lru.clear();
  }
}
