/**
 * The `memory://` store: a keyv store adapter holding values in a BoundedLru, bounded by entry
 * count AND by bytes, because a few huge search pages must not be able to take the process's
 * memory any more than many small contacts can.
 *
 * With `decode` (createCache passes its JSON deserializer), a value is parsed once on the way in
 * and kept as the object keyv would have deserialized, deeply frozen: every read then hands out
 * the same object instead of parsing the text again (a warm read's largest cost was that parse),
 * and a reader that tried to change a shared value fails loudly instead of changing it for all.
 * A decoded value weighs twice its text, what a parsed JSON value takes on V8's heap (measured
 * 1.4–1.7× for contacts and lists), so maxBytes still bounds the memory held.
 */
import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { BoundedLru } from './bounded-lru.js';

interface MemoryLruOptions {
  maxEntries: number;
  maxBytes: number;
  now?: () => number;
  /** Parses keyv's serialized text into what keyv reads back ({value, expires}); undefined keeps the text. */
  decode?: (text: string) => object | undefined;
}

/** How much more a decoded value weighs than its text (see above). */
const DECODED_WEIGHT = 2;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Keyv hands adapters its serialized string; anything else is stored as its JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export class MemoryLruStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: MemoryLruOptions;
  namespace?: string | undefined;
  private readonly lru: BoundedLru<string | object>;

  constructor(options: MemoryLruOptions) {
    super();
    this.opts = options;
    this.lru = new BoundedLru<string | object>(options);
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
    const decoded = this.opts.decode?.(text);
    if (decoded === undefined) return this.lru.set(key, text, Buffer.byteLength(key) + Buffer.byteLength(text), ttl);
    return this.lru.set(
      key,
      deepFreeze(decoded),
      Buffer.byteLength(key) + DECODED_WEIGHT * Buffer.byteLength(text),
      ttl,
    );
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
