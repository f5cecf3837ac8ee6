/**
 * The `redis://` store: a keyv store adapter over ioredis, the one Redis client of the project
 * (the rate budget and BullMQ use it too), instead of @keyv/redis and a second client library.
 *
 * - Keys are `<namespace>::<key>`, values keyv's serialized string, TTLs Redis's own (PX): the
 *   layout @keyv/redis used, so replicas of the previous release share the same entries.
 * - The client fails fast rather than queueing: no offline queue (a command while disconnected
 *   is refused at once), no retry of a command whose connection dropped, a bounded connect
 *   timeout and capped reconnect backoff. It keeps reconnecting in the background; the
 *   resilient store (resilient-store.ts) times out what hangs and notices when Redis answers.
 * - Batch reads are one MGET; batch writes and deletes one MULTI, so a batch costs one round trip.
 * - `clear()` deletes only this namespace, with SCAN (never KEYS: other tenants share the server).
 */
import { EventEmitter, once } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { Redis } from 'ioredis';

interface RedisStoreOptions {
  url: string;
  /** Prefix of every key (`<namespace>::<key>`); several deployments can share one Redis. */
  namespace: string;
  /** Longest a connection attempt may take. */
  connectTimeoutMs: number;
}

const SCAN_COUNT = 500;

export class RedisStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: RedisStoreOptions;
  // Keyv writes its namespace here; keys are prefixed with the one given at construction.
  namespace?: string | undefined;
  readonly client: Redis;
  private readonly prefix: string;

  constructor(options: RedisStoreOptions) {
    super();
    this.opts = options;
    this.prefix = `${options.namespace}::`;
    this.client = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: options.connectTimeoutMs,
      // How long a dropped connection's socket may wait for its close before it is destroyed;
      // ioredis's 2 s default keeps a timer (and a closing process) alive that long.
      disconnectTimeout: 250,
      retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000),
    });
    // ioredis emits an error per failed (re)connect attempt; the resilient store reports outages, once.
    this.client.on('error', () => {});
  }

  /**
   * Connects, waiting at most `waitMs`. Resolves with null once connected, or with the reason it
   * is not (the first connection error, e.g. ECONNREFUSED, or the wait running out); the client
   * keeps trying either way.
   */
  async connect(waitMs: number): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const connecting = this.client.connect();
    connecting.catch(() => {});
    try {
      await Promise.race([
        connecting,
        once(this.client, 'error').then(([error]: unknown[]) => Promise.reject(error)),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no connection within ${waitMs} ms`)), waitMs);
        }),
      ]);
      return null;
    } catch (error) {
      return error;
    } finally {
      clearTimeout(timer);
    }
  }

  private key(key: string): string {
    return this.prefix + key;
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const value = await this.client.get(this.key(key));
    // Keyv deserializes the string it stored; the adapter contract types it loosely.
    return (value ?? undefined) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    if (keys.length === 0) return [];
    const values = await this.client.mget(keys.map((key) => this.key(key)));
    return values.map((value) => (value ?? undefined) as StoredData<Value | undefined>);
  }

  async has(key: string): Promise<boolean> {
    return (await this.client.exists(this.key(key))) === 1;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (typeof ttl === 'number' && ttl > 0) await this.client.set(this.key(key), text, 'PX', Math.ceil(ttl));
    else await this.client.set(this.key(key), text);
    return true;
  }

  async setMany(entries: Array<{ key: string; value: unknown; ttl?: number }>): Promise<void> {
    if (entries.length === 0) return;
    const multi = this.client.multi();
    for (const { key, value, ttl } of entries) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (typeof ttl === 'number' && ttl > 0) multi.set(this.key(key), text, 'PX', Math.ceil(ttl));
      else multi.set(this.key(key), text);
    }
    failedReplies(await multi.exec());
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.del(this.key(key))) > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    if (keys.length === 0) return false;
    return (await this.client.del(...keys.map((key) => this.key(key)))) > 0;
  }

  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', SCAN_COUNT);
      if (keys.length > 0) await this.client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  async disconnect(): Promise<void> {
    const socket =
      this.client.status === 'end' ? undefined : (this.client.stream as typeof this.client.stream | undefined);
    this.client.disconnect();
    // Nothing is left to flush: close the socket now rather than wait for a close a dead peer never sends.
    socket?.destroy();
  }
}

/** A MULTI answers per command; one failed command fails the batch (the resilient store then reports it). */
function failedReplies(replies: Array<[Error | null, unknown]> | null): void {
  if (replies === null) throw new Error('Redis discarded the transaction');
  const failed = replies.find(([error]) => error !== null);
  if (failed?.[0]) throw failed[0];
}
