/**
 * A Kysely query built and compiled once, then run with new parameter values. Kysely builds an
 * operation tree and compiles it to SQL on every call, which was ~40% of everything a batch sync
 * allocated (bench/sync): the sync's hot statements (link and hash lookups, their upserts) are
 * the same few queries with other values. Also keeps the SQL text identical, which the SQLite
 * statement cache (sqlite-statement-cache.ts) relies on.
 *
 * The builder receives placeholders, one per named parameter, typed `never` so that they fit
 * wherever a value of the column's type goes; each is a unique marker, found again in the
 * compiled parameters and replaced by the caller's value at run time. Values the builder writes
 * itself (constants) stay as compiled.
 */
import type { Compilable, QueryResult } from 'kysely';
import type { Executor } from './store-context.js';

type PreparedQuery<K extends string, R> = (
  executor: Executor,
  values: Readonly<Record<K, unknown>>,
) => Promise<QueryResult<R>>;

export function preparedQuery<K extends string, R>(
  names: readonly K[],
  build: (placeholders: Readonly<Record<K, never>>) => Compilable<R>,
): PreparedQuery<K, R> {
  const markers = new Map<unknown, K>(names.map((name) => [`\u0000prepared:${name}\u0000`, name]));
  const placeholders = Object.fromEntries([...markers].map(([marker, name]) => [name, marker])) as unknown as Record<
    K,
    never
  >;
  const compiled = build(placeholders).compile();
  const slots = compiled.parameters.map((value) => markers.get(value) ?? null);
  for (const name of names) {
    if (!slots.includes(name)) throw new Error(`prepared query: parameter ${name} is not used by the query`);
  }
  return (executor, values) =>
    executor.executeQuery<R>({
      ...compiled,
      parameters: compiled.parameters.map((value, index) => {
        const slot = slots[index] ?? null;
        return slot === null ? value : values[slot];
      }),
    });
}
