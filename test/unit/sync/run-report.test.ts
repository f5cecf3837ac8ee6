/**
 * What the CLIs print and export for a dry run or a verify: the tallies as a table, the cost
 * line, and the plan as JSON (valid, every entry) or CSV (a row per changed field, quoted
 * where a value needs it), read from the store page by page.
 */
import type { Page } from '../../../src/store/paging.js';
import type { RunEntry, SyncRunEntriesRepo } from '../../../src/store/sync-run-entries-repo.js';
import type { SyncRun } from '../../../src/store/sync-runs-repo.js';
import { exportPlan, planFormatOf, runCostLine, runSummaryTable } from '../../../src/sync/run-report.js';

function run(overrides: Partial<SyncRun> = {}): SyncRun {
  return {
    id: 'run-1',
    trigger: 'cli',
    locationId: 'L',
    businessId: null,
    kind: 'dry_run',
    mode: 'FULL',
    status: 'succeeded',
    counts: { read: 25, created: 3, updated: 2, unchanged: 20, failed: 0, skipped: 0, conflicts: 1 },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:03.000Z',
    errors: [],
    cursor: '{"skip":0}',
    summary: {
      tallies: {
        'customer.CREATE': 3,
        'customer.UPDATE': 1,
        'customer.CONFLICT': 1,
        'customer.UNCHANGED': 20,
        'job_task.CREATE': 12,
      },
      omittedEntries: 0,
      roofrReads: 2,
      ghlCalls: 27,
      sample: null,
    },
    ...overrides,
  };
}

function entry(id: number, overrides: Partial<RunEntry> = {}): RunEntry {
  return {
    id,
    runId: 'run-1',
    entityKind: 'contact',
    entityId: `c${id}`,
    targetKind: 'customer',
    roofrId: null,
    action: 'CREATE',
    reason: null,
    fields: [],
    fieldsOmitted: 0,
    repair: null,
    outboxId: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** Entries in pages of 2, as the store would page them. */
function entriesOf(items: RunEntry[]): Pick<SyncRunEntriesRepo, 'list'> & { pages: number } {
  const repo = {
    pages: 0,
    async list(_runId: string, page: { first: number; after?: string | null }): Promise<Page<RunEntry>> {
      repo.pages += 1;
      const start = page.after === null || page.after === undefined ? 0 : Number(page.after);
      const slice = items.slice(start, start + 2);
      return { items: slice, endCursor: String(start + slice.length), hasNextPage: start + 2 < items.length };
    },
  };
  return repo;
}

async function text(chunks: AsyncGenerator<string>): Promise<string> {
  let out = '';
  for await (const chunk of chunks) out += chunk;
  return out;
}

describe('run report', () => {
  test('when a dry run is summarised, then the table has a row per record kind and a column per action in plan order', () => {
    expect(runSummaryTable(run()).split('\n')).toEqual([
      'record    CREATE  UPDATE  CONFLICT  UNCHANGED',
      'customer       3       1         1         20',
      'job_task      12       0         0          0',
    ]);
    expect(runCostLine(run())).toBe(
      '25 contact(s) read with 27 HighLevel call(s) on the background lane (what the real run reads) and 2 Roofr read(s) (for the diffs of updates). A real run would report: created 3, updated 2, unchanged 20 (contacts); 1 record(s) would overwrite a change made in Roofr, 0 skipped.',
    );
  });

  test('when a verify is summarised, then repairs get their own line', () => {
    const verify = run({
      kind: 'verify',
      summary: {
        tallies: { 'job.DRIFT': 2, 'contact.MISSING_IN_GHL': 1, 'repair.queued': 2, 'repair.already_queued': 1 },
        omittedEntries: 0,
        roofrReads: 5,
        ghlCalls: 3,
        sample: null,
      },
    });
    expect(runCostLine({ ...verify, counts: { ...verify.counts, read: 100, unchanged: 98, conflicts: 2 } }, 100)).toBe(
      '100 contact(s) checked: 98 in agreement, 2 with findings, 0 not judged (a write still queued), 0 failed. Cost: 3 HighLevel call(s) on the background lane (a sync of as many contacts: about 102) and 5 Roofr read(s).',
    );
    expect(runSummaryTable(verify).split('\n')).toEqual([
      'record   MISSING_IN_GHL  DRIFT',
      'job                   0      2',
      'contact               1      0',
      'repairs: queued 2, already queued 1',
    ]);
  });

  test('when the plan is exported as JSON, then it parses back with the run and every entry, read page by page', async () => {
    const items = [entry(1), entry(2, { fields: [{ field: 'a', from: null, to: 1 }] }), entry(3)];
    const repo = entriesOf(items);
    const parsed = JSON.parse(await text(exportPlan(repo, run(), 'json'))) as { run: SyncRun; entries: RunEntry[] };
    expect(parsed.entries).toEqual(items);
    expect(parsed.run).toMatchObject({ id: 'run-1', kind: 'dry_run' });
    expect(parsed.run).not.toHaveProperty('cursor');
    expect(repo.pages).toBe(2);
  });

  test('when the plan is exported as CSV, then each changed field is a row and commas, quotes and newlines are quoted', async () => {
    const csv = await text(
      exportPlan(
        entriesOf([
          entry(1, {
            reason: 'said "hi", then\nleft',
            fields: [
              { field: 'first_name', from: 'Ada', to: 'Eve' },
              { field: 'tags', from: [], to: ['a', 'b'] },
            ],
          }),
          entry(2),
        ]),
        run(),
        'csv',
      ),
    );
    expect(csv).toBe(
      [
        'entry,entityKind,entityId,targetKind,roofrId,action,reason,field,from,to,repair,outboxId',
        '1,contact,c1,customer,,CREATE,"said ""hi"", then\nleft",first_name,Ada,Eve,,',
        '1,contact,c1,customer,,CREATE,"said ""hi"", then\nleft",tags,[],"[""a"",""b""]",,',
        '2,contact,c2,customer,,CREATE,,,,,,',
        '',
      ].join('\n'),
    );
  });

  test('when a file name is given, then its extension picks the format', () => {
    expect(planFormatOf('plan.JSON')).toBe('json');
    expect(planFormatOf('out/plan.csv')).toBe('csv');
    expect(planFormatOf('plan.txt')).toBeNull();
  });
});
