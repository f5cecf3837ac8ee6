/**
 * What every repository is built from: the Kysely instance, the dialect (for the few queries
 * that differ, e.g. `FOR UPDATE SKIP LOCKED`) and the clock. The clock is injected so lease
 * expiry and backoff are tested by moving time, never by waiting.
 */
import type { Kysely } from 'kysely';
import type { GatewayEventSink } from '../domain/gateway-events.js';
import type { StoreDialect } from './migrations.js';
import type { Database } from './schema.js';

export type Clock = () => Date;

export interface StoreContext {
  db: Kysely<Database>;
  dialect: StoreDialect;
  now: Clock;
  /** Where repositories report state changes others listen for (runs finished, dead letters). */
  events?: GatewayEventSink;
}

/** Times are stored as fixed-width ISO-8601 UTC text: text order is time order. */
export function isoAt(date: Date): string {
  return date.toISOString();
}

/** The database or a transaction on it (a Kysely Transaction is a Kysely): write methods take
 * one optionally so a caller can make several repositories' writes atomic. */
export type Executor = Kysely<Database>;

/** Runs `work` in the caller's transaction when given one, else in a new one (Kysely has no
 * nested transactions). */
export function inTransaction<T>(executor: Executor, work: (trx: Executor) => Promise<T>): Promise<T> {
  return executor.isTransaction ? work(executor) : executor.transaction().execute(work);
}
