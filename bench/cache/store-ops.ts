/**
 * Store-level cost of the shared cache, per store: a read-through hit, a miss that stores, and
 * a 50-key batched read. Run: `npx tsx bench/cache/store-ops.ts` (Redis too with REDIS_URL set).
 * Prints a table and writes bench/results/cache-store-ops.json. Not a test: numbers vary by machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createCache } from '../../src/cache/cache-factory.js';
import type { SharedCache } from '../../src/cache/shared-cache.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5000);
const TTL = 60_000;
const contact = {
  id: 'seD4PfOuKoVMLkEZqohJ',
  locationId: 'loc',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  tags: ['vip', 'roof-2026'],
  customFields: Array.from({ length: 10 }, (_, index) => ({ id: `cf${index}`, value: `value ${index}` })),
};

interface Row {
  store: string;
  operation: string;
  opsPerSecond: number;
  meanMicros: number;
}

async function measure(
  store: string,
  operation: string,
  iterations: number,
  run: (index: number) => Promise<unknown>,
): Promise<Row> {
  for (let index = 0; index < Math.min(200, iterations); index += 1) await run(index); // warm-up
  const started = process.hrtime.bigint();
  for (let index = 0; index < iterations; index += 1) await run(index);
  const elapsedNs = Number(process.hrtime.bigint() - started);
  return {
    store,
    operation,
    opsPerSecond: Math.round((iterations * 1e9) / elapsedNs),
    meanMicros: Math.round(elapsedNs / iterations / 100) / 10,
  };
}

async function benchStore(label: string, cache: SharedCache): Promise<Row[]> {
  const rows: Row[] = [];
  const hitKey = cache.keys.contact('loc', 'hit');
  await cache.readThrough(hitKey, TTL, async () => contact);
  rows.push(
    await measure(label, 'readThrough hit', ITERATIONS, () => cache.readThrough(hitKey, TTL, async () => contact)),
  );
  rows.push(
    await measure(label, 'readThrough miss + store', ITERATIONS, (index) =>
      cache.readThrough(cache.keys.contact('loc', `miss-${index}`), TTL, async () => contact),
    ),
  );
  const batch = Array.from({ length: 50 }, (_, index) => cache.keys.contact('loc', `batch-${index}`));
  await cache.readThroughMany(batch, TTL, async (keys) => new Map(keys.map((key) => [key, contact])));
  rows.push(
    await measure(label, 'readThroughMany 50 hits', Math.ceil(ITERATIONS / 10), () =>
      cache.readThroughMany(batch, TTL, async (keys) => new Map(keys.map((key) => [key, contact]))),
    ),
  );
  await cache.close();
  return rows;
}

async function main(): Promise<void> {
  const logger = pino({ level: 'warn' });
  const rows: Row[] = [];
  rows.push(...(await benchStore('memory', await createCache('memory://', { logger }))));
  const dir = mkdtempSync(join(tmpdir(), 'bench-cache-'));
  try {
    rows.push(...(await benchStore('sqlite', await createCache(`sqlite://${join(dir, 'cache.db')}`, { logger }))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (process.env.REDIS_URL) {
    const namespace = `bench-cache-${randomBytes(4).toString('hex')}`;
    rows.push(
      ...(await benchStore(
        'redis',
        await createCache(process.env.REDIS_URL, { logger, namespace, opTimeoutMs: 1000 }),
      )),
    );
    console.log(`(redis keys left under ${namespace}:: expire with their TTL)`);
  } else {
    console.log('redis skipped: set REDIS_URL to include it');
  }
  console.table(rows);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/cache-store-ops.json',
    `${JSON.stringify({ at: new Date().toISOString(), iterations: ITERATIONS, loadAverage: loadavg(), rows }, null, 2)}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
