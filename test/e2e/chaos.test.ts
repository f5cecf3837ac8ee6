/**
 * The fault suite's short version (bench/chaos, `npm run chaos -- --short`), as CI runs it: 20 s
 * of interactive load on the compiled gateway while HighLevel and Roofr fail in turn, a FULL
 * sync of 1,000 contacts, one kill -9 and restart, one Redis restart; then every target must
 * hold: no answer past the deadline, no HTTP 500, only ok / stale / coded answers, mutations
 * truthful about what HighLevel holds, Roofr mirroring HighLevel exactly, every accepted webhook
 * processed, the sync moving again within 10 s of the restart.
 *
 * Expected to FAIL against the code as of this commit (see issue 13 and the figures in
 * bench/results/chaos.json): it is the acceptance test of the reliability work landing beside it.
 *
 * Needs PostgreSQL (DATABASE_URL_PG: a fresh database is created and dropped) and redis-server
 * on the PATH (the suite starts its own on a free port, since it stops it mid-run).
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { run } from '../../bench/chaos/run.js';
import { shortRun } from '../../bench/chaos/options.js';

const DATABASE_URL_PG = process.env.DATABASE_URL_PG;
const redisServer = spawnSync('redis-server', ['--version']).status === 0;
const describeIf = DATABASE_URL_PG && redisServer ? describe : describe.skip;
if (!DATABASE_URL_PG || !redisServer) {
  console.warn(
    'test/e2e/chaos.test.ts skipped: set DATABASE_URL_PG (e.g. postgres://postgres@127.0.0.1:5432/test) and install redis-server to run the fault suite',
  );
}

describeIf('fault suite (short)', () => {
  it('when HighLevel and Roofr fail in turn, the gateway is killed and Redis restarts under load and a sync, then every promise holds', async () => {
    const lines: string[] = [];
    const result = await run({
      ...shortRun(),
      postgresAdminUrl: DATABASE_URL_PG ?? '',
      log: (line) => lines.push(line),
      write: false,
    });
    // The summary (figures, then each target PASS/FAIL) in the test output either way.
    console.log(result.summary);
    expect(result.targets.filter((target) => !target.pass)).toEqual([]);
  }, 900_000);
});
