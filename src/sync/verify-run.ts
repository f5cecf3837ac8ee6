/**
 * A verify run (kind VERIFY): checks linked contacts on both sides (verify-contact.ts), records
 * every finding with the fix it calls for, and with `repair` queues those fixes in the outbox
 * (verify-repairs.ts). It runs as a sync job, never inside a request, page by page with the
 * batch's checkpoints (a killed run resumes from its last page), on the background lane.
 *
 * Full check: the contacts pages a FULL sync reads (same search, same task search, a notes call
 * per contact), then the location's active contact links in pages of 500 looked up 100 ids per
 * search call, to find links whose HighLevel contact is gone (each confirmed by a read of its
 * own). Sample: n contacts drawn uniformly from those with an active link (seeded, so a resumed
 * run draws the same), read 100 ids per search call; the run then states what the sample says
 * about the rest (sample-confidence.ts). Either way it costs about the HighLevel calls of a sync
 * of the same contacts plus Roofr reads: a customer, a job, its tasks, its notes and a customer
 * search per contact; the run reports both figures.
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Mapping } from '../domain/mapping/mapping-schema.js';
import { sampleBound, drawSample } from '../domain/sample-confidence.js';
import type { Contact } from '../domain/types.js';
import { getContactsByIds } from '../ghl/contacts-by-ids.js';
import { isGhlError } from '../ghl/errors.js';
import type { CallOptions, GhlApi } from '../ghl/ghl-api.js';
import type { RoofrPort } from '../roofr/roofr-port.js';
import type { HashesRepo } from '../store/hashes-repo.js';
import type { LinksRepo } from '../store/links-repo.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import type { Database } from '../store/schema.js';
import type { RunEntryInput, SyncRunEntriesRepo } from '../store/sync-run-entries-repo.js';
import type { SyncRun, SyncRunError, SyncRunsRepo } from '../store/sync-runs-repo.js';
import type { Kysely } from 'kysely';
import { inPool, readChildren, readPage, RunCursorSchema, type BatchHooks } from './batch-sync.js';
import type { ContactChildren } from './contact-sync.js';
import { describeError, logEntry } from './run-tally.js';
import type { DeletePolicy } from './roofr-writes.js';
import { activeLink } from './roofr-write-executor.js';
import { deletedContactFinding, findingKey, verifyContact, type Finding, type VerifyDeps } from './verify-contact.js';
import { queueRepairs } from './verify-repairs.js';

export interface VerifySpec {
  runId: string;
  locationId: string;
  businessId: string | null;
  /** Contacts to check, drawn at random among the linked ones; null: every contact (a full check). */
  sample: number | null;
  /** Queue the fixes of what is found. */
  repair: boolean;
}

interface VerifyRunDeps {
  ghl: GhlApi;
  roofr: RoofrPort;
  mapping: Mapping;
  deletePolicy: DeletePolicy;
  store: {
    db: Kysely<Database>;
    links: LinksRepo;
    hashes: HashesRepo;
    outbox: Pick<OutboxRepo, 'enqueue'>;
    syncRuns: SyncRunsRepo;
    syncRunEntries: Pick<SyncRunEntriesRepo, 'append'>;
  };
  pageSize: number;
  /** Entries stored per run (the tallies count every finding). */
  maxEntries: number;
  /** Contacts checked at once within a page. */
  concurrency?: number;
  onQueued?: () => void;
}

/** What the port must be able to read for a verify. */
const READS = ['getCustomer', 'getJob', 'listJobTasks', 'listJobNotes'] as const;

const LINK_PAGE = 500;

const VerifyCursorSchema = RunCursorSchema.extend({
  phase: z.enum(['contacts', 'links', 'sample', 'done']).default('contacts'),
  linksAfter: z.string().nullable().default(null),
  /** Sample: the seed of the draw and the linked population it was drawn from. */
  seed: z.number().int().nullable().default(null),
  population: z.number().int().nullable().default(null),
});
type VerifyCursor = z.infer<typeof VerifyCursorSchema>;

function parseVerifyCursor(text: string | null): VerifyCursor {
  try {
    return VerifyCursorSchema.parse(text === null ? {} : JSON.parse(text));
  } catch {
    return VerifyCursorSchema.parse({});
  }
}

interface DeletedContact {
  id: string;
  links: Parameters<typeof deletedContactFinding>[2];
}

export async function runVerify(deps: VerifyRunDeps, spec: VerifySpec, hooks: BatchHooks = {}): Promise<SyncRun> {
  const { syncRuns } = deps.store;
  const existing = await syncRuns.get(spec.runId);
  if (existing === null) throw new Error(`sync run ${spec.runId} does not exist`);
  if (existing.status !== 'running') return existing;
  const unreadable = READS.filter((operation) => !deps.roofr.capabilities[operation]);
  if (unreadable.length > 0)
    return finish(deps, spec.runId, 'failed', [
      logEntry(
        'VERIFY_UNSUPPORTED',
        `the ${deps.roofr.adapter} adapter cannot read Roofr records (${unreadable.join(', ')}), so nothing can be compared; verify needs ROOFR_ADAPTER=rest`,
      ),
    ]);

  let ghlCalls = 0;
  const callOptions: CallOptions = {
    lane: 'background',
    requestId: `verify-${spec.runId}`,
    observer: { onRequest: () => (ghlCalls += 1) },
  };
  const verifyDeps: VerifyDeps = {
    locationId: spec.locationId,
    runId: spec.runId,
    mapping: deps.mapping,
    roofr: deps.roofr,
    store: deps.store,
    deletePolicy: deps.deletePolicy,
  };
  let cursor = parseVerifyCursor(existing.cursor);
  let run = existing;

  /** Checks a page, records its findings (and queues their fixes), checkpoints `next`. */
  async function checkPage(
    contacts: Contact[],
    children: Map<string, Promise<ContactChildren>>,
    deleted: DeletedContact[],
    next: VerifyCursor,
  ): Promise<void> {
    const counts = { read: 0, unchanged: 0, conflicts: 0, skipped: 0, failed: 0 };
    const errors: SyncRunError[] = [];
    const findings: Finding[] = [];
    let roofrReads = 0;
    await inPool(contacts, deps.concurrency ?? 4, async (contact) => {
      counts.read += 1;
      try {
        const own = await (children.get(contact.id) ?? Promise.resolve({ tasks: [], notes: [] }));
        const check = await verifyContact(verifyDeps, contact, own);
        roofrReads += check.roofrReads;
        if (check.pending) counts.skipped += 1;
        else if (check.findings.length === 0) counts.unchanged += 1;
        else counts.conflicts += 1;
        findings.push(...check.findings);
      } catch (error) {
        counts.failed += 1;
        errors.push(
          logEntry('VERIFY_FAILED', `could not check the contact: ${describeError(error)}`, {
            kind: 'contact',
            id: contact.id,
          }),
        );
      }
    });
    for (const gone of deleted) {
      counts.read += 1;
      counts.conflicts += 1;
      findings.push(deletedContactFinding(verifyDeps, gone.id, gone.links));
    }
    const outcomes = spec.repair
      ? await queueRepairs(
          {
            locationId: spec.locationId,
            runId: spec.runId,
            store: deps.store,
            ...(deps.onQueued ? { onQueued: deps.onQueued } : {}),
          },
          findings.map((finding) => finding.fix),
        )
      : null;
    const tallies: Record<string, number> = {};
    const count = (key: string): void => {
      tallies[key] = (tallies[key] ?? 0) + 1;
    };
    // Repairs are counted once per write (a contact's customer and job findings share one).
    for (const outcome of outcomes?.values() ?? []) count(`repair.${outcome.status}`);
    const entries: RunEntryInput[] = findings.map((finding) => {
      const outcome = outcomes?.get(finding.fix) ?? null;
      count(`${finding.targetKind}.${finding.action}`);
      return {
        entryKey: findingKey(finding),
        entityKind: finding.entity.kind,
        entityId: finding.entity.id,
        targetKind: finding.targetKind,
        roofrId: finding.roofrId,
        action: finding.action,
        reason: `${finding.reason}. Fix: ${finding.fix.describe}`,
        fields: finding.fields,
        repair: outcome?.status ?? null,
        outboxId: outcome?.outboxId ?? null,
      };
    });
    const { omitted } = await deps.store.syncRunEntries.append(spec.runId, entries, deps.maxEntries);
    cursor = next;
    run =
      (await syncRuns.recordProgress(spec.runId, {
        counts,
        errors,
        cursor: JSON.stringify(cursor),
        summary: { tallies, omittedEntries: omitted, roofrReads, ghlCalls },
      })) ?? run;
    ghlCalls = 0;
    hooks.onPage?.({ run, total: cursor.population, processed: cursor.processed });
  }

  /** Ids among `ids` HighLevel no longer has (absent from the search, and a read says 404). */
  async function deletedAmong(ids: readonly string[], found: ReadonlyMap<string, Contact>): Promise<DeletedContact[]> {
    const deleted: DeletedContact[] = [];
    for (const id of ids) {
      if (found.has(id)) continue;
      try {
        await deps.ghl.getContact(spec.locationId, id, callOptions);
        continue; // Only the search missed it (it lags writes).
      } catch (error) {
        if (!(isGhlError(error) && error.kind === 'NotFound')) throw error;
      }
      const customer = await activeLink(deps.store.links, spec.locationId, 'contact', id, 'customer');
      const job = await activeLink(deps.store.links, spec.locationId, 'contact', id, 'job');
      if (customer !== null || job !== null) deleted.push({ id, links: { customer, job } });
    }
    return deleted;
  }

  async function linkedIds(): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await deps.store.links.activeGhlIds(spec.locationId, 'contact', { first: LINK_PAGE, after });
      ids.push(...page.items);
      if (!page.hasNextPage) return ids;
      after = page.endCursor;
    }
  }

  try {
    if (spec.sample !== null && cursor.phase !== 'done') {
      // The draw is fixed at the start (seed and population in the cursor): a resumed run goes on with it.
      const linked = await linkedIds();
      if (cursor.phase !== 'sample')
        cursor = { ...cursor, phase: 'sample', seed: randomInt(2 ** 31), population: linked.length };
      const sample = drawSample(linked, spec.sample, cursor.seed ?? 0);
      while (cursor.processed < sample.length) {
        if (hooks.keepGoing && !(await hooks.keepGoing())) return run;
        const ids = sample.slice(cursor.processed, cursor.processed + deps.pageSize);
        const found = await getContactsByIds(deps.ghl, spec.locationId, ids, callOptions);
        const contacts = ids.flatMap((id) => {
          const contact = found.get(id);
          return contact === undefined ? [] : [contact];
        });
        const { children } = await readChildren(deps.ghl, spec.locationId, contacts, callOptions);
        await checkPage(contacts, children, await deletedAmong(ids, found), {
          ...cursor,
          processed: cursor.processed + ids.length,
        });
      }
      cursor = { ...cursor, phase: 'done' };
    }
    while (cursor.phase === 'contacts') {
      if (hooks.keepGoing && !(await hooks.keepGoing())) return run;
      const page = await readPage(
        deps,
        { runId: spec.runId, locationId: spec.locationId, businessId: spec.businessId, mode: 'FULL' },
        cursor,
        null,
        callOptions,
      );
      const { children } = await readChildren(deps.ghl, spec.locationId, page.contacts, callOptions);
      const last = page.done || page.contacts.length === 0;
      await checkPage(page.contacts, children, [], {
        ...cursor,
        ...page.next,
        processed: cursor.processed + page.contacts.length,
        population: page.total,
        // Links of deleted contacts are found over the whole location only: a business's are not known.
        phase: last ? (spec.businessId === null ? 'links' : 'done') : 'contacts',
      });
    }
    while (cursor.phase === 'links') {
      if (hooks.keepGoing && !(await hooks.keepGoing())) return run;
      const page = await deps.store.links.activeGhlIds(spec.locationId, 'contact', {
        first: LINK_PAGE,
        after: cursor.linksAfter,
      });
      const found = await getContactsByIds(deps.ghl, spec.locationId, page.items, callOptions);
      await checkPage([], new Map(), await deletedAmong(page.items, found), {
        ...cursor,
        linksAfter: page.endCursor,
        phase: page.hasNextPage ? 'links' : 'done',
      });
    }
  } catch (error) {
    return finish(deps, spec.runId, 'failed', [
      logEntry('RUN_FAILED', `${describeError(error)}; the run stopped at its last checkpoint, run it again to resume`),
    ]);
  }

  const checked = run.counts.read - run.counts.skipped - run.counts.failed;
  const population = spec.sample === null ? checked : Math.max(cursor.population ?? 0, checked);
  const bound = sampleBound(population, checked, Math.min(run.counts.conflicts, checked), {
    what: spec.sample === null ? 'contacts' : 'linked contacts',
  });
  const summary = run.summary;
  const cost = `${run.counts.read} contact(s) checked with ${summary?.ghlCalls ?? 0} HighLevel call(s) on the background lane (a sync of as many costs about ${Math.ceil(run.counts.read * (1 + 2 / deps.pageSize))}) and ${summary?.roofrReads ?? 0} Roofr read(s)`;
  const skipped =
    run.counts.skipped > 0
      ? `; ${run.counts.skipped} with a write still queued were not judged, verify again later`
      : '';
  return finish(
    deps,
    spec.runId,
    run.counts.failed > 0 ? 'partial' : 'succeeded',
    [logEntry('VERIFY_SUMMARY', `${bound.statement} ${cost}${skipped}.`)],
    { sample: bound },
  );
}

async function finish(
  deps: VerifyRunDeps,
  runId: string,
  status: 'succeeded' | 'partial' | 'failed',
  errors: SyncRunError[],
  summary?: { sample: ReturnType<typeof sampleBound> },
): Promise<SyncRun> {
  const done = await deps.store.syncRuns.finish(runId, { status, errors, ...(summary ? { summary } : {}) });
  const run = done ?? (await deps.store.syncRuns.get(runId));
  if (run === null) throw new Error(`sync run ${runId} vanished`);
  return run;
}
