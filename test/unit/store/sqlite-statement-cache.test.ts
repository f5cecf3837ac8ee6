import { jest } from '@jest/globals';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { withStatementCache } from '../../../src/store/sqlite-statement-cache.js';

interface Db {
  items: { id: number; name: string };
}

function open(capacity?: number): { raw: SqliteDatabase.Database; db: Kysely<Db> } {
  const raw = new SqliteDatabase(':memory:');
  raw.exec('create table items (id integer primary key, name text not null)');
  return { raw, db: new Kysely<Db>({ dialect: new SqliteDialect({ database: withStatementCache(raw, capacity) }) }) };
}

describe('withStatementCache', () => {
  test('when the same query runs many times with other parameters, then SQLite prepares it once and each run sees its own parameters', async () => {
    const { raw, db } = open();
    const prepare = jest.spyOn(raw, 'prepare');
    for (let id = 1; id <= 5; id += 1)
      await db
        .insertInto('items')
        .values({ id, name: `n${id}` })
        .execute();
    const names: string[] = [];
    for (let id = 1; id <= 5; id += 1)
      names.push((await db.selectFrom('items').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name);
    expect(names).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(prepare).toHaveBeenCalledTimes(2);
    await db.destroy();
  });

  test('when more distinct queries run than the capacity, then the least recently used is prepared again', async () => {
    const { raw, db } = open(2);
    const prepare = jest.spyOn(raw, 'prepare');
    const byId = () => db.selectFrom('items').selectAll().where('id', '=', 1).execute();
    const byName = () => db.selectFrom('items').selectAll().where('name', '=', 'a').execute();
    const count = () =>
      db
        .selectFrom('items')
        .select((eb) => eb.fn.countAll().as('n'))
        .execute();
    await byId();
    await byName();
    await byId(); // most recent: byName is the oldest now
    await count(); // evicts byName
    await byId();
    expect(prepare).toHaveBeenCalledTimes(3);
    await byName();
    expect(prepare).toHaveBeenCalledTimes(4);
    await db.destroy();
  });

  test('when a query is streamed, then it reads every row and the same query still runs from the cache afterwards', async () => {
    const { db } = open();
    await db
      .insertInto('items')
      .values([
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ])
      .execute();
    const seen: string[] = [];
    for await (const row of db.selectFrom('items').selectAll().orderBy('id').stream()) {
      seen.push(row.name);
    }
    const again = await db.selectFrom('items').selectAll().orderBy('id').execute();
    expect(seen).toEqual(['a', 'b']);
    expect(again.map((row) => row.name)).toEqual(['a', 'b']);
    await db.destroy();
  });

  test('when a transaction rolls back, then its writes are gone and the cached statements still work', async () => {
    const { db } = open();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 1, name: 'a' }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await db.insertInto('items').values({ id: 1, name: 'b' }).execute();
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([{ id: 1, name: 'b' }]);
    await db.destroy();
  });
});
