/**
 * PostgreSQL, bounded in time: the pool Kysely draws connections from, wrapped so that no store
 * call waits for a database that is gone or hung. Invariants:
 * - Getting a connection (a new one, or a turn in the pool's queue) takes at most `timeoutMs`
 *   (pg-pool's connectionTimeoutMillis).
 * - A query takes at most `timeoutMs` once the schema is migrated (migrations may run long DDL,
 *   so they are not cut short). A query past it is abandoned and its connection DESTROYED, not
 *   returned to the pool: a hung connection must not serve the next query. One exception: a
 *   session advisory lock (`pg_advisory_lock`, the OAuth refresh lock) waits for another holder
 *   whose own work is bounded; cutting it would report a busy peer as a database outage.
 * - A checked-out connection that breaks is marked and destroyed on release, never pooled.
 * - Every failure that says "the database cannot serve now" (refused, reset, timed out,
 *   terminated; SQLSTATE classes 08, 53 and 57P) becomes a DependencyUnavailableError('postgres'),
 *   which GraphQL answers UNAVAILABLE_DEPENDENCY and webhook intake 503; an error about the
 *   statement itself (a constraint, a syntax error) stays what it is.
 */
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import pg from 'pg';
import { DependencyUnavailableError } from '../domain/dependency-unavailable.js';

export const DEFAULT_DEPENDENCY_TIMEOUT_MS = 3000;

/** Server answers that mean "not now": connection exception, insufficient resources, shutdown. */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P)/;
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** pg's and pg-pool's own words for a connection that failed, broke or timed out. */
/** Statements that wait for another session on purpose (see the header). */
const WAITS_FOR_A_PEER = /\bpg_advisory_lock\(/i;
const CONNECTION_FAILURE =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended|connect ETIMEDOUT/i;

function isPostgresUnavailable(error: unknown): boolean {
  if (error instanceof DependencyUnavailableError) return true;
  if (error instanceof pg.DatabaseError) return UNAVAILABLE_SQLSTATE.test(error.code ?? '');
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return (typeof code === 'string' && NETWORK_CODES.has(code)) || CONNECTION_FAILURE.test(error.message);
}

function unavailable(error: unknown, what: string): DependencyUnavailableError {
  if (error instanceof DependencyUnavailableError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new DependencyUnavailableError('postgres', `PostgreSQL is unavailable (${what}: ${reason})`, {
    cause: error,
  });
}

export interface BoundedPool extends PostgresPool {
  /** From now on queries are cut at the timeout (call once the migrations ran). */
  boundQueries(): void;
}

export function boundedPool(pool: pg.Pool, timeoutMs: number): BoundedPool {
  let queriesBounded = false;

  /** One wrapper per checkout: `broken` is about this use of the connection. */
  function wrap(client: pg.PoolClient): PostgresPoolClient {
    let broken = false;
    // pg-pool listens for errors of idle clients only; a checked-out client whose connection
    // breaks would otherwise emit an unhandled 'error' and crash the process.
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    async function query<R>(text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
      const running = client.query(text, [...parameters]) as unknown as Promise<PostgresQueryResult<R>>;
      let timer: NodeJS.Timeout | undefined;
      try {
        if (!queriesBounded || WAITS_FOR_A_PEER.test(text)) return await running;
        const timeout = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => {
            broken = true;
            reject(new DependencyUnavailableError('postgres', `PostgreSQL did not answer within ${timeoutMs} ms`));
          }, timeoutMs);
        });
        return await Promise.race([running, timeout]);
      } catch (error) {
        // The abandoned query settles later, when its connection is destroyed: ignore it.
        running.catch(() => undefined);
        if (!isPostgresUnavailable(error)) throw error;
        broken = true;
        throw unavailable(error, 'query');
      } finally {
        clearTimeout(timer);
      }
    }
    return {
      query,
      release(destroy?: boolean) {
        const discard = destroy === true || broken;
        // A pooled connection gets pg-pool's idle listener. A discarded one may still report its
        // socket's end (a reset after a stall) once it left the pool, with nobody listening but
        // this: removing it would let that late 'error' crash the process.
        if (!discard) client.off('error', onError);
        client.release(discard ? true : undefined);
      },
    } as PostgresPoolClient;
  }

  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw unavailable(error, 'connect');
      }
      return wrap(client);
    },
    end: () => pool.end(),
    boundQueries() {
      queriesBounded = true;
    },
  };
}
