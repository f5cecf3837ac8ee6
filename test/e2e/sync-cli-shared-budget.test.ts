/**
 * The sync CLI is built from the gateway's own modules (src/cli/sync-runtime.ts on src/wiring/):
 * with REDIS_URL set, every HighLevel call it makes is granted by the rate budget the replicas
 * share in Redis, so a batch started from a shell cannot spend the window the replicas count on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';
import { finished, spawnSyncCli } from './sync-cli-process.js';

const redisUrl = process.env.REDIS_URL;
const describeIf = redisUrl ? describe : describe.skip;
if (!redisUrl) console.warn('sync-cli-shared-budget.test.ts: set REDIS_URL to run the shared-budget CLI test');

describeIf('sync CLI on the shared rate budget', () => {
  // A location of its own, so the budget's keys in the shared Redis are this test's alone.
  const locationId = `CliBudget${Date.now()}`.slice(0, 20).padEnd(20, '0');
  let ghlSim: GhlSimulator;
  let roofrSim: RoofrSimulator;
  let redis: Redis;
  let dir: string;

  beforeAll(async () => {
    ghlSim = await startGhlSimulator({ contacts: 12, locationId, rateLimit: { max: 100_000, dailyMax: 10_000_000 } });
    roofrSim = await startRoofrSimulator({ rateLimit: { limit: 1_000_000 } });
    redis = new Redis(redisUrl ?? '');
    dir = mkdtempSync(join(tmpdir(), 'sync-cli-budget-'));
  });

  afterAll(async () => {
    const keys = await redis.keys(`ghlgw:rate:{${locationId}}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await roofrSim.close();
    await ghlSim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function syncCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    return finished(
      spawnSyncCli(
        'sync',
        args,
        { ghlSim, roofrSim, databaseFile: join(dir, 'state.db') },
        { SYNC_PAGE_SIZE: '5', ...env },
      ),
    );
  }

  test('when a batch runs with REDIS_URL set, then each HighLevel call it made holds a grant in the shared budget', async () => {
    const before = ghlSim.log.total();
    const run = await syncCli(['--full'], { REDIS_URL: redisUrl ?? '' });
    expect(run.stderr).toMatch(/succeeded/);
    expect(run.code).toBe(0);
    expect(roofrSim.data.customers.size).toBe(12);

    const calls = ghlSim.log.total() - before;
    expect(calls).toBeGreaterThan(0);
    // The grants live for the burst window (10 s) plus a margin: the whole batch is still there.
    expect(await redis.zcard(`ghlgw:rate:{${locationId}}:grants`)).toBe(calls);
  });
});
