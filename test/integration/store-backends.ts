/**
 * The backends the store suites run on: SQLite always (a temp file per test, so a test can
 * close and reopen it), PostgreSQL when DATABASE_URL_PG is set, each test in a schema of its
 * own (t_<random>, via search_path) so parallel test files never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type OpenStoreOptions, type Store } from '../../src/store/open-store.js';

/** A database a test owns; `open` may be called again to simulate a restart. */
interface TestDatabase {
  open(options?: OpenStoreOptions): Promise<Store>;
}

interface StoreBackend {
  name: 'sqlite' | 'postgres';
  /** `describe`, or `describe.skip` (after a warning naming DATABASE_URL_PG). */
  describe: jest.Describe;
  createDatabase(): Promise<TestDatabase>;
  /** Closes every store opened and drops every database created; call in afterEach. */
  cleanup(): Promise<void>;
}

const pgUrl = process.env.DATABASE_URL_PG;

function sqliteBackend(): StoreBackend {
  const stores: Store[] = [];
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    describe,
    async createDatabase() {
      const dir = mkdtempSync(join(tmpdir(), 'gateway-store-'));
      dirs.push(dir);
      const url = `sqlite://${join(dir, 'gateway.db')}`;
      return {
        async open(options) {
          const store = await openStore(url, options);
          stores.push(store);
          return store;
        },
      };
    },
    async cleanup() {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function postgresBackend(): StoreBackend {
  const stores: Store[] = [];
  const schemas: string[] = [];
  return {
    name: 'postgres',
    describe: pgUrl === undefined ? describe.skip : describe,
    async createDatabase() {
      if (pgUrl === undefined) throw new Error('DATABASE_URL_PG is not set');
      const schema = `t_${randomBytes(6).toString('hex')}`;
      await adminQuery(`create schema ${schema}`);
      schemas.push(schema);
      return {
        async open(options) {
          const store = await openStore(pgUrl, {
            ...options,
            postgres: { max: 4, ...options?.postgres, searchPath: schema },
          });
          stores.push(store);
          return store;
        },
      };
    },
    async cleanup() {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      for (const schema of schemas.splice(0)) await adminQuery(`drop schema if exists ${schema} cascade`);
    },
  };
}

let warned = false;

export function storeBackends(): StoreBackend[] {
  if (pgUrl === undefined && !warned) {
    warned = true;
    console.warn(
      'PostgreSQL store tests skipped: set DATABASE_URL_PG (e.g. postgres://postgres@127.0.0.1:5432/test) to run them',
    );
  }
  return [sqliteBackend(), postgresBackend()];
}

/** A clock tests move by hand: leases and backoff are tested without waiting. */
export function createTestClock(startIso = '2026-01-01T00:00:00.000Z'): { now: () => Date; advance(ms: number): void } {
  let current = new Date(startIso).getTime();
  return {
    now: () => new Date(current),
    advance(ms) {
      current += ms;
    },
  };
}
