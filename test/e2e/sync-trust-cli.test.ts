/**
 * The operator's path, as real processes against simulators started here (SQLite file state,
 * the REST adapter over HTTP): `npm run sync -- --dry-run --plan-out` prints what a sync would do
 * and writes the plan without writing anything else; the real sync then does it; drift is seeded;
 * `npm run verify` reports it (exit 3), `--repair` fixes it before it exits, and a last verify
 * finds both sides in agreement (exit 0).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';
import { finished, spawnSyncCli } from './sync-cli-process.js';

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('dry run and verify CLIs', () => {
  let ghlSim: GhlSimulator;
  let roofrSim: RoofrSimulator;
  let dir: string;

  beforeAll(async () => {
    ghlSim = await startGhlSimulator({ contacts: 15, rateLimit: { max: 100_000, dailyMax: 10_000_000 } });
    roofrSim = await startRoofrSimulator({ rateLimit: { limit: 1_000_000 } });
    dir = mkdtempSync(join(tmpdir(), 'sync-trust-cli-'));
  });

  afterAll(async () => {
    await roofrSim.close();
    await ghlSim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function cli(script: 'sync' | 'verify', args: string[]): Promise<Finished> {
    return finished(
      spawnSyncCli(
        script,
        args,
        { ghlSim, roofrSim, databaseFile: join(dir, 'state.db') },
        { SYNC_PAGE_SIZE: '10', OUTBOX_POLL_MS: '100' },
      ),
    );
  }

  test('when an operator rehearses, syncs, checks and repairs, then each command does what it printed', async () => {
    const usage = await cli('sync', ['--plan-out', 'x.csv']);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/--plan-out goes with --dry-run/);

    const planFile = join(dir, 'plan.csv');
    const dry = await cli('sync', ['--full', '--dry-run', '--plan-out', planFile]);
    expect(dry.stderr).toMatch(/dry run \S+ succeeded/);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^record\s+CREATE/m);
    expect(dry.stdout).toMatch(/^customer\s+15$/m);
    expect(dry.stdout).toMatch(/A real run would report: created 15, updated 0, unchanged 0/);
    expect(dry.stdout).toMatch(/Nothing was written/);
    expect(roofrSim.log.entries.filter((entry) => entry.method !== 'GET')).toEqual([]);
    const csv = readFileSync(planFile, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('entry,entityKind,entityId,targetKind,roofrId,action,reason,field,from,to,repair,outboxId');
    expect(csv.filter((line) => line.includes(',customer,,CREATE,')).length).toBeGreaterThanOrEqual(15);

    const real = await cli('sync', ['--full']);
    expect(real.code).toBe(0);
    expect(roofrSim.data.customers.size).toBe(15);

    const clean = await cli('verify', []);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/Checked all 15 contacts: none has problems\./);

    const [job] = [...roofrSim.data.jobs.values()];
    roofrSim.data.updateJob(job?.id ?? '', { lead_source: 'Door hanger' });
    const [task] = [...roofrSim.data.jobTasks.values()];
    roofrSim.data.jobTasks.delete(task?.id ?? '');
    const report = join(dir, 'findings.json');
    const found = await cli('verify', ['--report-out', report]);
    expect(found.code).toBe(3);
    expect(found.stdout).toMatch(/^record\s+MISSING_IN_ROOFR\s+DRIFT/m);
    expect(found.stdout).toMatch(/Nothing was written/);
    const findings = JSON.parse(readFileSync(report, 'utf8')) as { entries: Array<{ action: string }> };
    expect(findings.entries.map((entry) => entry.action).sort()).toEqual(['DRIFT', 'MISSING_IN_ROOFR']);

    const repaired = await cli('verify', ['--repair']);
    expect(repaired.stdout).toMatch(/Repairs delivered: 2; dead letters: 0 \(see deadLetters\); still queued: 0;/);
    expect(repaired.code).toBe(0);
    expect(roofrSim.data.jobs.get(job?.id ?? '')?.lead_source).not.toBe('Door hanger');

    const after = await cli('verify', ['--sample', '5']);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/No problem in a sample of 5 of 15 linked contacts: with 95% confidence at most/);
  }, 180_000);
});
