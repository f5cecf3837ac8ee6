/**
 * The `sqlite://` store: a keyv store adapter over better-sqlite3 (the driver the gateway
 * already ships, instead of @keyv/sqlite and a second native SQLite build). Survives restarts.
 *
 * - WAL mode: readers never wait for the writer, and a crash mid-write loses nothing committed.
 * - Expired rows are never returned (checked on read, deleted lazily) and are purged in bulk
 *   every `purgeIntervalMs`, so a file that is mostly read does not grow without bound.
 * - better-sqlite3 is synchronous; each statement is a single indexed lookup or write, far
 *   below the cost of an upstream call, so blocking the event loop briefly is acceptable here.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { z } from 'zod';

interface SqliteStoreOptions {
  path: string;
  purgeIntervalMs: number;
  now?: () => number;
}

const RowSchema = z.object({ value: z.string(), expires_at: z.number().nullable() });
const KeyRowSchema = z.object({ key: z.string(), value: z.string(), expires_at: z.number().nullable() });

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export class SqliteStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: SqliteStoreOptions;
  namespace?: string | undefined;
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly purgeTimer: NodeJS.Timeout;
  private readonly statements;

  constructor(options: SqliteStoreOptions) {
    super();
    this.opts = options;
    this.now = options.now ?? Date.now;
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits, fine for a cache.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS cache_entries (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        expires_at INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS cache_entries_expires_at ON cache_entries (expires_at) WHERE expires_at IS NOT NULL;
    `);
    this.statements = {
      get: this.db.prepare('SELECT value, expires_at FROM cache_entries WHERE key = ?'),
      getMany: this.db.prepare(
        'SELECT key, value, expires_at FROM cache_entries WHERE key IN (SELECT value FROM json_each(?))',
      ),
      set: this.db.prepare('INSERT OR REPLACE INTO cache_entries (key, value, expires_at) VALUES (?, ?, ?)'),
      delete: this.db.prepare('DELETE FROM cache_entries WHERE key = ?'),
      deleteMany: this.db.prepare('DELETE FROM cache_entries WHERE key IN (SELECT value FROM json_each(?))'),
      clearPrefix: this.db.prepare('DELETE FROM cache_entries WHERE substr(key, 1, ?) = ?'),
      purge: this.db.prepare('DELETE FROM cache_entries WHERE expires_at IS NOT NULL AND expires_at <= ?'),
      count: this.db.prepare('SELECT count(*) AS n FROM cache_entries'),
    };
    this.purgeTimer = setInterval(() => this.purgeExpired(), options.purgeIntervalMs);
    // The purge must never keep the process (or a test run) alive.
    this.purgeTimer.unref();
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const row = this.statements.get.get(key);
    if (row === undefined) return undefined;
    const { value, expires_at } = RowSchema.parse(row);
    if (this.isExpired(expires_at)) {
      this.statements.delete.run(key);
      return undefined;
    }
    // Keyv deserializes the string it stored; the adapter contract types it loosely.
    return value as StoredData<Value>;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const found = new Map<string, string>();
    const expired: string[] = [];
    for (const row of this.statements.getMany.all(JSON.stringify(keys))) {
      const { key, value, expires_at } = KeyRowSchema.parse(row);
      if (this.isExpired(expires_at)) expired.push(key);
      else found.set(key, value);
    }
    if (expired.length > 0) this.statements.deleteMany.run(JSON.stringify(expired));
    return keys.map((key) => found.get(key) as StoredData<Value | undefined>);
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    this.statements.set.run(key, asText(value), typeof ttl === 'number' && ttl > 0 ? this.now() + ttl : null);
    return true;
  }

  async setMany(entries: Array<{ key: string; value: unknown; ttl?: number }>): Promise<void> {
    const now = this.now();
    this.db.transaction(() => {
      for (const { key, value, ttl } of entries) {
        this.statements.set.run(key, asText(value), typeof ttl === 'number' && ttl > 0 ? now + ttl : null);
      }
    })();
  }

  async delete(key: string): Promise<boolean> {
    return this.statements.delete.run(key).changes > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return this.statements.deleteMany.run(JSON.stringify(keys)).changes > 0;
  }

  async clear(): Promise<void> {
    const prefix = this.namespace === undefined ? '' : `${this.namespace}:`;
    this.statements.clearPrefix.run(prefix.length, prefix);
  }

  /** Deletes every expired row; returns how many. Runs on a timer; public for tests and ops. */
  purgeExpired(): number {
    try {
      return this.statements.purge.run(this.now()).changes;
    } catch (error) {
      // A busy or closed database must not crash the process from a timer; the next purge retries.
      if (this.listenerCount('error') > 0) this.emit('error', error);
      return 0;
    }
  }

  /** Rows on disk, expired or not (for tests and ops). */
  rowCount(): number {
    return z.object({ n: z.number() }).parse(this.statements.count.get()).n;
  }

  async disconnect(): Promise<void> {
    clearInterval(this.purgeTimer);
    if (this.db.open) this.db.close();
  }

  private isExpired(expiresAt: number | null): boolean {
    return expiresAt !== null && expiresAt <= this.now();
  }
}
