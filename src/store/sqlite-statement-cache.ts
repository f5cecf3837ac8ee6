/**
 * A better-sqlite3 handle for Kysely that reuses prepared statements. Kysely's SQLite driver
 * prepares every query anew, and compiling SQL was the largest single cost of a batch sync
 * (bench/sync): the repositories issue the same few dozen statements hundreds of thousands of
 * times. Statements are cached by SQL text, least recently used dropped past `capacity`.
 * Safe because Kysely runs one query at a time on its single SQLite connection (its mutex),
 * and every result is read in full (all/run) before the next query, so no cached statement is
 * still busy when it is reused. A streamed query (iterate) gets a statement of its own.
 */
import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase, SqliteStatement } from 'kysely';

export function withStatementCache(database: SqliteDatabase.Database, capacity = 256): KyselySqliteDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();

  function cached(text: string): SqliteDatabase.Statement {
    const hit = cache.get(text);
    if (hit !== undefined) {
      // Re-insert: Map order is the recency order.
      cache.delete(text);
      cache.set(text, hit);
      return hit;
    }
    const statement = database.prepare(text);
    cache.set(text, statement);
    if (cache.size > capacity) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    return statement;
  }

  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare(text: string): SqliteStatement {
      const statement = cached(text);
      return {
        reader: statement.reader,
        all: (parameters) => statement.all(...parameters),
        run: (parameters) => statement.run(...parameters),
        // Not the cached one: a stream holds its statement until the consumer finishes it.
        iterate: (parameters) => database.prepare(text).iterate(...parameters),
      };
    },
  };
}
