/**
 * The batch sync (nightly, on demand, CLI): reads HighLevel contacts page by page — through
 * POST /contacts/search sorted by dateUpdated (incremental from the location's watermark, or
 * FULL), or GET /contacts/business/{id} for a business — and upserts each with its tasks and
 * notes into Roofr. After each page, once Roofr confirmed every write of it (queued writes
 * included), the run's cursor and the watermark are checkpointed. A run killed at any point
 * resumes from its last checkpoint; the redone part of a page is idempotent (content hashes
 * skip what landed, idempotency keys make Roofr replay what it stored but never answered).
 *
 * A dry run (spec.dryRun) is this same pipeline: same reads on the same lane, same pages, same
 * push deciding every write; only the push's sink records the decided writes as the run's plan
 * (dry-run-sink.ts) instead of performing them, and no watermark moves. Its counts are the ones
 * the real run would report; its plan is stored with each page's checkpoint.
 */
import { isDependencyUnavailable } from '../domain/dependency-unavailable.js';
import { isTransientUpstreamFailure, isUpstreamError } from '../upstream/errors.js';
import { z } from 'zod';
import type { CallOptions, GhlApi } from '../ghl/ghl-api.js';
import type { Contact, Task } from '../domain/types.js';
import type { CursorsRepo } from '../store/cursors-repo.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import type { SyncRunEntriesRepo } from '../store/sync-run-entries-repo.js';
import type { RunSummary, SyncRun, SyncRunsRepo } from '../store/sync-runs-repo.js';
import type { ContactSlots } from './contact-slots.js';
import { syncContactRecords, type ContactChildren } from './contact-sync.js';
import type { PlanSink } from './dry-run-sink.js';
import type { RoofrPush } from './roofr-push.js';
import { describeError, emptyTally, logEntry, mergeTally, type RunTally } from './run-tally.js';

export type SyncMode = 'FULL' | 'INCREMENTAL';

export interface BatchSyncDeps {
  ghl: GhlApi;
  push: RoofrPush;
  store: { syncRuns: SyncRunsRepo; cursors: CursorsRepo; outbox: Pick<OutboxRepo, 'get'> };
  pageSize: number;
  /** Contacts synced in parallel within a page (each contact's own writes stay in order). */
  concurrency?: number;
  /** Shared by the process's runs: contacts written to Roofr at once across them (contact-slots.ts). */
  contactSlots?: ContactSlots;
  /** How long a page waits for its queued Roofr writes to be confirmed before the run stops. */
  confirmTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** What a dry run needs: a fresh plan sink per run, where its plan goes, and its cap. */
  dryRun?: DryRunDeps;
}

export interface DryRunDeps {
  planSink(): PlanSink;
  entries: Pick<SyncRunEntriesRepo, 'append'>;
  /** Entries stored per run (the tallies count every record). */
  maxEntries: number;
}

export interface BatchSpec {
  runId: string;
  locationId: string;
  businessId: string | null;
  mode: SyncMode;
  /** Plan only: write nothing (see the header). */
  dryRun?: boolean;
}

export interface BatchProgress {
  run: SyncRun;
  /** Contacts the source reports in total for this run (search total; null when unknown). */
  total: number | null;
  processed: number;
}

export interface BatchHooks {
  onPage?: (progress: BatchProgress) => void;
  /** Called between pages; false stops the run (e.g. the job lease was lost). */
  keepGoing?: () => Promise<boolean>;
}

/** Where a run stands: the next page to read and the highest dateUpdated confirmed. */
export const RunCursorSchema = z.object({
  searchAfter: z
    .array(z.union([z.string(), z.number()]))
    .nullable()
    .default(null),
  skip: z.number().int().min(0).default(0),
  processed: z.number().int().min(0).default(0),
  watermark: z.string().nullable().default(null),
});
type RunCursor = z.infer<typeof RunCursorSchema>;

function watermarkScope(businessId: string | null): string {
  return businessId === null ? 'ghl.contacts.dateUpdated' : `ghl.business.${businessId}.dateUpdated`;
}

interface Page {
  contacts: Contact[];
  next: Pick<RunCursor, 'searchAfter' | 'skip'>;
  total: number | null;
  done: boolean;
}

function parseCursor(text: string | null): RunCursor {
  if (text === null) return RunCursorSchema.parse({});
  try {
    return RunCursorSchema.parse(JSON.parse(text));
  } catch {
    return RunCursorSchema.parse({});
  }
}

export async function readPage(
  deps: Pick<BatchSyncDeps, 'ghl' | 'pageSize'>,
  spec: BatchSpec,
  cursor: RunCursor,
  since: string | null,
  callOptions: CallOptions,
): Promise<Page> {
  if (spec.businessId !== null) {
    const result = await deps.ghl.listBusinessContacts(
      spec.locationId,
      spec.businessId,
      { limit: deps.pageSize, skip: cursor.skip },
      callOptions,
    );
    // The business endpoint has no date filter: an incremental run skips older contacts here.
    const contacts =
      since === null ? result.contacts : result.contacts.filter((contact) => (contact.dateUpdated ?? '') >= since);
    return {
      contacts,
      next: { searchAfter: null, skip: cursor.skip + result.contacts.length },
      total: result.count,
      done: result.contacts.length < deps.pageSize,
    };
  }
  const result = await deps.ghl.searchContacts(
    spec.locationId,
    {
      pageLimit: deps.pageSize,
      sort: [{ field: 'dateUpdated', direction: 'asc' }],
      ...(since !== null ? { filters: [{ field: 'dateUpdated', operator: 'range', value: { gte: since } }] } : {}),
      ...(cursor.searchAfter !== null ? { searchAfter: cursor.searchAfter } : { page: 1 }),
    },
    callOptions,
  );
  const last = result.contacts[result.contacts.length - 1];
  return {
    contacts: result.contacts.map((hit) => hit.contact),
    next: { searchAfter: last?.searchAfter ?? cursor.searchAfter, skip: 0 },
    total: result.total,
    done: result.contacts.length < deps.pageSize || last?.searchAfter === null,
  };
}

/** A page read so far: its contacts and tasks are in; each contact's notes arrive on their own. */
interface PageRead {
  /** The cursor the page was read from. */
  from: RunCursor;
  page: Page;
  /** Per contact: its tasks, and its notes once they arrived (rejects when its notes call failed). */
  children: Map<string, Promise<ContactChildren>>;
  /** Settles when every read of the page was answered; rejects with the first failed one. */
  complete: Promise<void>;
}

/**
 * Tasks of a whole page in as few calls as the tasks search allows (per contact without the
 * scope); then the notes calls are queued, one per contact, and not awaited: a contact can be
 * written as soon as its own notes arrive instead of waiting for the page's slowest.
 */
export async function readChildren(
  ghl: GhlApi,
  locationId: string,
  contacts: Contact[],
  callOptions: CallOptions,
): Promise<Pick<PageRead, 'children' | 'complete'>> {
  const tasksOf = new Map<string, Task[]>(contacts.map((contact) => [contact.id, [] as Task[]]));
  const ids = contacts.map((contact) => contact.id);
  try {
    const limit = 100;
    for (let skip = 0; ids.length > 0; skip += limit) {
      const tasks = await ghl.searchTasks(locationId, { contactIds: ids, limit, skip }, callOptions);
      for (const task of tasks) tasksOf.get(task.contactId)?.push(task);
      if (tasks.length < limit) break;
    }
  } catch (error) {
    // Our own store not answering (the location's grant is kept there) is no reason to spend a
    // call per contact: the page is read again when the run resumes.
    if (isDependencyUnavailable(error)) throw error;
    // No locations/tasks.readonly scope (or the search is unavailable): one call per contact.
    await Promise.all(ids.map(async (id) => tasksOf.set(id, await ghl.listTasks(locationId, id, callOptions))));
  }
  // Notes have no batch endpoint (docs/ghl-facts.md): one call per contact.
  const children = new Map<string, Promise<ContactChildren>>();
  for (const id of ids) {
    const tasks = tasksOf.get(id) ?? [];
    children.set(
      id,
      awaitedLater(ghl.listNotes(locationId, id, callOptions).then((notes): ContactChildren => ({ tasks, notes }))),
    );
  }
  return { children, complete: awaitedLater(Promise.all(children.values()).then(() => undefined)) };
}

/** A promise awaited on a later turn, if at all: a run that stops first must not leave its rejection unhandled. */
function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Pages read ahead of the one being written (memory: a page of contacts, tasks and notes each). */
const READ_AHEAD = 1;

/**
 * Runs `work` over `items`, `concurrency` at a time. The first failure stops the pool taking new
 * items; it rethrows once the items already started have finished, so nothing of the page is still
 * being written when the caller retries it.
 */
export async function inPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (failure === null && next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(lanes);
  if (failure !== null) throw (failure as { error: unknown }).error;
}

/** Waits until Roofr confirmed every queued write; the ids still unconfirmed at the deadline. */
async function awaitConfirmed(deps: BatchSyncDeps, ids: number[]): Promise<{ unconfirmed: number[]; dead: number[] }> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + (deps.confirmTimeoutMs ?? 60_000);
  let waiting = [...ids];
  const dead: number[] = [];
  while (waiting.length > 0) {
    const still: number[] = [];
    for (const id of waiting) {
      const entry = await deps.store.outbox.get(id);
      if (entry === null || entry.status === 'done') continue;
      if (entry.status === 'dead') dead.push(id);
      else still.push(id);
    }
    waiting = still;
    if (waiting.length === 0 || Date.now() >= deadline) break;
    await sleep(250);
  }
  return { unconfirmed: waiting, dead };
}

/** Runs (or resumes) the batch run `spec.runId`, which must exist in syncRuns. */
export async function runBatchSync(deps: BatchSyncDeps, spec: BatchSpec, hooks: BatchHooks = {}): Promise<SyncRun> {
  const { syncRuns, cursors } = deps.store;
  const existing = await syncRuns.get(spec.runId);
  if (existing === null) throw new Error(`sync run ${spec.runId} does not exist`);
  if (existing.status !== 'running') return existing;
  // A dry run counts its HighLevel requests for its report (a real run's are in the metrics).
  let ghlCalls = 0;
  const callOptions: CallOptions = {
    lane: 'background',
    requestId: `sync-${spec.runId}`,
    ...(spec.dryRun === true ? { observer: { onRequest: () => (ghlCalls += 1) } } : {}),
  };
  if (spec.dryRun === true && deps.dryRun === undefined) throw new Error('this sync engine cannot plan dry runs');
  const dryRun = spec.dryRun === true ? deps.dryRun : undefined;
  const planSink = dryRun?.planSink();
  const push = planSink === undefined ? deps.push : deps.push.withSink(planSink);
  let cursor = parseCursor(existing.cursor);
  const scope = watermarkScope(spec.businessId);
  // The watermark an incremental run starts from is fixed at its start (kept in its cursor), so
  // a resumed run reads the same set even though the location's watermark moved meanwhile.
  let since: string | null = null;
  if (spec.mode === 'INCREMENTAL') {
    if (existing.cursor === null) {
      since = (await cursors.get(spec.locationId, scope))?.value ?? null;
      cursor = { ...cursor, watermark: since };
    } else {
      since = cursor.watermark;
    }
  }
  const startWatermark = since;
  let maxSeen = cursor.watermark;
  let total: number | null = null;
  let run = existing;
  try {
    // Reads run up to READ_AHEAD pages ahead of the writes, so the HighLevel budget never idles
    // while Roofr is written (reads only: pages are still checkpointed strictly in order). A
    // page's read starts once the previous page's notes calls are queued: the client serves them
    // first (FIFO), so each page's contacts arrive in order and are written as they arrive.
    const readFrom = async (from: RunCursor): Promise<PageRead> => {
      const page = await readPage(deps, spec, from, startWatermark, callOptions);
      return { from, page, ...(await readChildren(deps.ghl, spec.locationId, page.contacts, callOptions)) };
    };
    const readAfter = (previous: Promise<PageRead | null>): Promise<PageRead | null> =>
      awaitedLater(
        previous.then((read) =>
          read === null || read.page.done || read.page.contacts.length === 0
            ? null
            : readFrom({ ...read.from, ...read.page.next }),
        ),
      );
    const reads: Array<Promise<PageRead | null>> = [awaitedLater(readFrom(cursor))];
    for (;;) {
      if (hooks.keepGoing && !(await hooks.keepGoing())) return run;
      const read = await (reads.shift() ?? Promise.resolve(null));
      if (read === null) break;
      const { page, children } = read;
      while (reads.length < READ_AHEAD) reads.push(readAfter(reads[reads.length - 1] ?? Promise.resolve(read)));
      total = page.total;
      const pageTally: RunTally = emptyTally();
      const queued: number[] = [];
      await inPool(page.contacts, deps.concurrency ?? 4, async (contact) => {
        // A failed read fails the page below (through `complete`), before its checkpoint.
        const contactChildren = await (children.get(contact.id) ?? Promise.resolve(null)).catch(() => undefined);
        if (contactChildren === undefined) return;
        try {
          const write = () =>
            syncContactRecords({ ghl: deps.ghl, push }, spec.locationId, contact, contactChildren, callOptions);
          const outcome = await (deps.contactSlots === undefined ? write() : deps.contactSlots.run(write));
          mergeTally(pageTally, outcome.tally);
          queued.push(...outcome.queued);
        } catch (error) {
          // Our own store did not answer: the page is redone when the run resumes from its checkpoint.
          if (isDependencyUnavailable(error)) throw error;
          pageTally.counts.read += 1;
          pageTally.counts.failed += 1;
          pageTally.errors.push(logEntry('SYNC_FAILED', describeError(error), { kind: 'contact', id: contact.id }));
        }
      });
      await read.complete;
      let summary: Partial<RunSummary> | undefined;
      if (planSink !== undefined && dryRun !== undefined) {
        const plan = planSink.drain();
        const { omitted } = await dryRun.entries.append(spec.runId, plan.entries, dryRun.maxEntries);
        pageTally.counts.skipped += plan.skipped;
        pageTally.counts.conflicts += plan.conflicts;
        summary = { tallies: plan.tallies, omittedEntries: omitted, roofrReads: plan.roofrReads, ghlCalls };
        ghlCalls = 0;
      }
      const confirmation = await awaitConfirmed(deps, queued);
      if (confirmation.dead.length > 0) {
        pageTally.errors.push(
          logEntry(
            'ROOFR_REFUSED',
            `${confirmation.dead.length} queued Roofr write(s) became dead letters; see deadLetters and retry them`,
          ),
        );
      }
      if (confirmation.unconfirmed.length > 0) {
        // Not confirmed: the cursor stays before this page so the next run redoes it.
        return await finishRun(
          syncRuns,
          spec.runId,
          'partial',
          pageTally.errors.concat(
            logEntry(
              'ROOFR_UNCONFIRMED',
              `Roofr has not confirmed ${confirmation.unconfirmed.length} queued write(s) of this page; the run stopped before it. Run the sync again once Roofr is reachable.`,
            ),
          ),
          run,
        );
      }
      for (const contact of page.contacts)
        if (contact.dateUpdated !== null && (maxSeen === null || contact.dateUpdated > maxSeen))
          maxSeen = contact.dateUpdated;
      cursor = {
        searchAfter: page.next.searchAfter,
        skip: page.next.skip,
        processed: cursor.processed + page.contacts.length,
        watermark: startWatermark,
      };
      run =
        (await syncRuns.recordProgress(spec.runId, {
          counts: pageTally.counts,
          errors: pageTally.errors,
          cursor: JSON.stringify({ ...cursor, watermark: startWatermark }),
          ...(summary !== undefined ? { summary } : {}),
        })) ?? run;
      // Search pages are in dateUpdated order: everything up to maxSeen is confirmed, so the
      // location's watermark moves per page. Business pages are not ordered: only at the end.
      // A dry run confirmed nothing: the watermark stays.
      if (maxSeen !== null && dryRun === undefined)
        await cursors.set(
          spec.locationId,
          spec.businessId === null ? scope : `${scope}.pending.${spec.runId}`,
          maxSeen,
        );
      hooks.onPage?.({ run, total, processed: cursor.processed });
      if (page.done || page.contacts.length === 0) break;
    }
    // A business run's watermark moves only when the whole run got through.
    const reached = (await cursors.get(spec.locationId, `${scope}.pending.${spec.runId}`))?.value ?? null;
    if (reached !== null) {
      await cursors.set(spec.locationId, scope, reached);
      await cursors.clear(spec.locationId, `${scope}.pending.${spec.runId}`);
    }
    const status = run.counts.failed > 0 ? 'partial' : 'succeeded';
    return await finishRun(syncRuns, spec.runId, status, [], run);
  } catch (error) {
    // HighLevel or Roofr failing for a while, a refused token, our own store down: the run stays
    // running at its last checkpoint and its job is retried with backoff, so an accepted sync is
    // never dropped for a passing outage (the queue gives up after its attempts: onJobDead).
    if (isResumableFailure(error)) throw new SyncInterruptedError(spec.runId, error);
    return finishRun(
      syncRuns,
      spec.runId,
      'failed',
      [
        logEntry(
          'RUN_FAILED',
          `${describeError(error)}; the run stopped at its last checkpoint, run it again to resume`,
        ),
      ],
      run,
    );
  }
}

async function finishRun(
  syncRuns: SyncRunsRepo,
  id: string,
  status: 'succeeded' | 'partial' | 'failed',
  errors: RunTally['errors'],
  fallback: SyncRun,
): Promise<SyncRun> {
  return (await syncRuns.finish(id, { status, errors })) ?? (await syncRuns.get(id)) ?? fallback;
}

/**
 * A run stopped by a failure that passes (an upstream outage or rate limit, a refused or missing
 * grant an operator fixes, the state database down): it is not finished, and its job is retried.
 */
export class SyncInterruptedError extends Error {
  constructor(
    readonly runId: string,
    cause: unknown,
  ) {
    super(`sync run ${runId} was interrupted (${describeError(cause)}); it resumes from its last checkpoint`, {
      cause,
    });
    this.name = 'SyncInterruptedError';
  }
}

function isResumableFailure(error: unknown): boolean {
  if (isDependencyUnavailable(error) || isTransientUpstreamFailure(error)) return true;
  return isUpstreamError(error) && (error.kind === 'Unauthorized' || error.kind === 'MissingScope');
}
