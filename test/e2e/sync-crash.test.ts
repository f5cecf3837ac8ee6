/**
 * Crash safety of the batch sync: a FULL sync of 300 contacts runs as a real process (the sync
 * CLI, SQLite file state) against simulators started here, is killed with SIGKILL five times at
 * random points and restarted each time; its end state in Roofr must equal a clean,
 * uninterrupted run's: every contact once (no duplicates, none missing) with the same content.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';
import { spawnSyncCli } from './sync-cli-process.js';

const CONTACTS = 300;
const KILLS = 5;

const TIMEOUT_MS = 240_000;

function startSync(ghlSim: GhlSimulator, roofrSim: RoofrSimulator, databaseFile: string): ChildProcess {
  return spawnSyncCli('sync', ['--full'], { ghlSim, roofrSim, databaseFile }, { SYNC_PAGE_SIZE: '20' });
}

async function runToEnd(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdout?.resume();
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

/** Resolves after the CLI reported `pages` more checkpointed pages (a progress line each, not a TTY). */
function afterPages(child: ChildProcess, pages: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const onData = (chunk: Buffer): void => {
      seen += (chunk.toString('utf8').match(/ contacts · /g) ?? []).length;
      if (seen >= pages) {
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
  });
}

/** Roofr's state keyed by external refs, ids and timestamps left out: comparable across runs. */
function roofrState(sim: RoofrSimulator): { duplicates: string[]; jobs: Map<string, unknown> } {
  const jobs = new Map<string, unknown>();
  const duplicates: string[] = [];
  for (const job of sim.data.jobs.values()) {
    const ref = job.external_ref ?? `(no ref) ${job.id}`;
    if (jobs.has(ref)) duplicates.push(ref);
    const customer = sim.data.customers.get(job.customer_id);
    const tasks = [...sim.data.jobTasks.values()]
      .filter((task) => task.job_id === job.id)
      .map(({ title, description, status, assignee, due_at, external_ref }) => ({
        title,
        description,
        status,
        assignee,
        due_at,
        external_ref,
      }));
    const notes = [...sim.data.jobNotes.values()]
      .filter((note) => note.job_id === job.id)
      .map(({ body, author, created_at, external_ref }) => ({ body, author, created_at, external_ref }));
    const { id: _id, customer_id: _customer, created_at: _created, updated_at: _updated, ...jobFields } = job;
    const customerFields = customer
      ? (({ id: _cid, created_at: _cc, updated_at: _cu, ...rest }) => rest)(customer)
      : null;
    jobs.set(ref, {
      job: jobFields,
      customer: customerFields,
      tasks: tasks.sort((a, b) => String(a.external_ref).localeCompare(String(b.external_ref))),
      notes: notes.sort((a, b) => String(a.external_ref).localeCompare(String(b.external_ref))),
    });
  }
  if (sim.data.customers.size !== sim.data.jobs.size)
    duplicates.push(`customers ${sim.data.customers.size} vs jobs ${sim.data.jobs.size}`);
  return { duplicates, jobs };
}

describe('sync crash safety', () => {
  let ghlSim: GhlSimulator;
  let cleanRoofr: RoofrSimulator;
  let crashRoofr: RoofrSimulator;
  let dir: string;

  beforeAll(async () => {
    ghlSim = await startGhlSimulator({ contacts: CONTACTS, rateLimit: { max: 100_000, dailyMax: 10_000_000 } });
    cleanRoofr = await startRoofrSimulator({ rateLimit: { limit: 1_000_000 } });
    crashRoofr = await startRoofrSimulator({ rateLimit: { limit: 1_000_000 } });
    dir = mkdtempSync(join(tmpdir(), 'sync-crash-'));
  });

  afterAll(async () => {
    await ghlSim.close();
    await cleanRoofr.close();
    await crashRoofr.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test(
    'when a FULL sync is SIGKILLed 5 times at random points and restarted, then Roofr ends exactly as after a clean run',
    async () => {
      const clean = await runToEnd(startSync(ghlSim, cleanRoofr, join(dir, 'clean.db')));
      expect(clean).toMatchObject({ code: 0 });

      let kills = 0;
      let finished: { code: number | null; stderr: string } | null = null;
      for (let attempt = 0; attempt < 30 && finished === null; attempt += 1) {
        const child = startSync(ghlSim, crashRoofr, join(dir, 'crash.db'));
        const ended = runToEnd(child);
        if (kills < KILLS) {
          // Random points: sometimes during start-up or the first page, otherwise after one or
          // two checkpointed pages plus a random delay (mid-page). Tied to progress, not to the
          // clock alone, so the run cannot finish before it was killed five times.
          const killPoint =
            Math.random() < 0.2
              ? new Promise<'kill'>((resolve) =>
                  setTimeout(() => resolve('kill'), 200 + Math.floor(Math.random() * 1000)),
                )
              : afterPages(child, 1 + Math.floor(Math.random() * 2)).then(
                  () =>
                    new Promise<'kill'>((resolve) =>
                      setTimeout(() => resolve('kill'), Math.floor(Math.random() * 300)),
                    ),
                );
          const outcome = await Promise.race([ended, killPoint]);
          if (outcome === 'kill') {
            child.kill('SIGKILL');
            await ended;
            kills += 1;
            continue;
          }
          finished = outcome;
        } else {
          finished = await ended;
        }
      }
      expect(kills).toBe(KILLS);
      expect(finished?.code).toBe(0);

      const expected = roofrState(cleanRoofr);
      const actual = roofrState(crashRoofr);
      expect(expected.duplicates).toEqual([]);
      expect(actual.duplicates).toEqual([]);
      const refs = ghlSim.data
        .listContactIds()
        .map((id) => `ghl:contact:${id}`)
        .sort();
      expect([...expected.jobs.keys()].sort()).toEqual(refs);
      expect([...actual.jobs.keys()].sort()).toEqual(refs);
      for (const ref of refs) expect(actual.jobs.get(ref)).toEqual(expected.jobs.get(ref));
    },
    TIMEOUT_MS,
  );
});
