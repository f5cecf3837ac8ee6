/**
 * The sync engine: composes the triggers (webhook queue worker, job queue worker, schedule,
 * manual calls) over the batch pipeline, the event handlers and the write path's RoofrPush.
 * The gateway and the sync CLIs build one from the same modules (src/wiring/sync-engine-deps.ts).
 * startSync records the run and queues its job atomically with the store queue (one
 * transaction); with BullMQ, a job Redis would not take in time fails the run and throws
 * DependencyUnavailableError, so no run stays RUNNING without a job behind it.
 * Dry runs (kind dry_run) and integrity checks (kind verify) are runs and jobs the same way: a
 * dry run is the batch or contact sync with the push's writes recorded as a plan
 * (dry-run-sink.ts); a verify is verify-run.ts.
 */
import { newLeaseOwner } from '../store/lease-owners.js';
import { randomUUID } from 'node:crypto';
import type { CallOptions, GhlApi } from '../ghl/ghl-api.js';
import type { Mapping } from '../domain/mapping/mapping-schema.js';
import type { RoofrPort } from '../roofr/roofr-port.js';
import type { Store } from '../store/open-store.js';
import type { RunSummary, StartSyncRunInput, SyncRun } from '../store/sync-runs-repo.js';
import { DEFAULT_MAX_RUN_ENTRIES } from '../store/sync-run-entries-repo.js';
import {
  runBatchSync,
  SyncInterruptedError,
  type BatchHooks,
  type BatchSpec,
  type BatchSyncDeps,
  type SyncMode,
} from './batch-sync.js';
import { createContactSlots } from './contact-slots.js';
import { fetchChildren, syncContactRecords } from './contact-sync.js';
import { createPlanSink } from './dry-run-sink.js';
import type { EventTasks } from './event-tasks.js';
import type { GhlEventHandlerDeps } from './ghl-event-handler.js';
import { drainInboundOnce, type InboundWorkerDeps } from './inbound-worker.js';
import type { RoofrPush } from './roofr-push.js';
import type { DeletePolicy } from './roofr-writes.js';
import { describeError, logEntry } from './run-tally.js';
import { runVerify, type VerifySpec } from './verify-run.js';
import type { SyncJobSpec } from '../store/sync-jobs-repo.js';
import type { RoofrEventLocations } from './roofr-event-location.js';
import { createStoreSyncJobQueue, type SyncJobHandler, type SyncJobQueue } from './sync-job-queue.js';
import { scheduleSync, type SyncSchedule } from './sync-schedule.js';

interface SyncEngineLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

interface SyncEngineDeps {
  ghl: GhlApi;
  roofr: RoofrPort;
  push: RoofrPush;
  mapping: Mapping;
  store: Pick<
    Store,
    'db' | 'links' | 'hashes' | 'webhooks' | 'syncRuns' | 'syncRunEntries' | 'syncJobs' | 'cursors' | 'outbox'
  >;
  /** The default location: manual syncs without one and Roofr events belong to it. */
  locationId: string;
  pageSize: number;
  eventTasks: EventTasks;
  /** Default: the store queue. Pass createBullmqSyncJobQueue(...) for SYNC_QUEUE=bullmq. */
  jobQueue?: SyncJobQueue;
  /** SYNC_CONCURRENCY: jobs the default (store) queue runs at once in this process (default 1). */
  jobConcurrency?: number;
  /** Contacts the process's batch runs write to Roofr at once, all runs together (contact-slots.ts); default: no cap. */
  contactsInFlight?: number;
  /**
   * The locations a sync of every location covers (the schedule, `npm run sync -- --every-location`):
   * OAuth installs, or the one configured location (the default).
   */
  locations?: () => Promise<readonly string[]>;
  pollMs?: number;
  /** QUEUE_LEASE_MS: the lease of claimed webhook events and (store) sync jobs. */
  leaseMs?: number;
  /** Where Roofr events queued without a location belong (OAuth mode; see roofr-event-location.ts). */
  roofrLocations?: RoofrEventLocations;
  schedule?: { expression: string; timezone: string };
  invalidate?: GhlEventHandlerDeps['invalidate'];
  installs?: GhlEventHandlerDeps['installs'];
  logger?: SyncEngineLogger;
  /** Lease owner name, unique per process. */
  owner?: string;
  /** Passed to the batch: how long a page waits for queued Roofr writes (default 60 s). */
  confirmTimeoutMs?: number;
  /** ROOFR_DELETE_POLICY: what a verify's repair does for a link to a deleted contact (default archive). */
  deletePolicy?: DeletePolicy;
  /** Entries a dry run's plan or a verify's findings keep (default 10,000; the tallies count all). */
  maxRunEntries?: number;
  /** Called after a verify queued repairs, e.g. to nudge the outbox worker. */
  onQueued?: () => void;
}

export interface StartSyncInput {
  locationId?: string;
  businessId?: string | null;
  mode: SyncMode;
  trigger?: string;
  /** A caller-chosen run id (e.g. the schedule's); default random. */
  runId?: string;
  /** Plan only: a DRY_RUN run records what the sync would write and writes nothing. */
  dryRun?: boolean;
}

export interface StartVerifyInput {
  locationId?: string;
  businessId?: string | null;
  /** Contacts drawn at random among the linked ones; null or absent: every contact. */
  sample?: number | null;
  /** Queue the writes that fix what is found. */
  repair?: boolean;
  trigger?: string;
}

/** The run mode recorded for a verify, e.g. "FULL", "SAMPLE:200+REPAIR". */
export function verifyMode(sample: number | null, repair: boolean): string {
  return `${sample === null ? 'FULL' : `SAMPLE:${sample}`}${repair ? '+REPAIR' : ''}`;
}

export interface StartEveryLocationInput {
  mode: SyncMode;
  trigger: string;
  /** Run ids are `${runIdPrefix}-${locationId}`, so replicas queuing the same batch queue it once; default random. */
  runIdPrefix?: string;
}

export interface SyncEngine {
  /** Records a run and queues it; resolves with the run (status running). */
  startSync(input: StartSyncInput): Promise<SyncRun>;
  /**
   * Queues one run per location (the nightly batch): each runs on its own location's rate budget,
   * so the workers (SYNC_CONCURRENCY per process) run them side by side. A location whose run
   * could not be queued (e.g. already queued by another replica) is reported in `refused`.
   */
  startSyncEveryLocation(
    input: StartEveryLocationInput,
  ): Promise<{ runs: SyncRun[]; refused: Array<{ locationId: string; error: unknown }> }>;
  /** Runs a batch in this process now (the CLI), resuming the run when it exists. */
  runBatch(spec: BatchSpec, hooks?: BatchHooks): Promise<SyncRun>;
  /** Records a VERIFY run and queues it; resolves with the run (status running). */
  startVerify(input: StartVerifyInput): Promise<SyncRun>;
  /** Runs a verify in this process now (the CLI), resuming the run when it exists. */
  runVerify(spec: VerifySpec, hooks?: BatchHooks): Promise<SyncRun>;
  /**
   * Syncs one contact (with tasks and notes) to Roofr now; the run records it. `within` bounds it
   * by a caller's deadline (a GraphQL mutation's): reads and the inline Roofr writes get the time
   * left, and what Roofr cannot take in time waits in the outbox.
   */
  syncContact(
    contactId: string,
    locationId?: string,
    within?: Pick<CallOptions, 'deadlineAt' | 'signal'>,
    options?: { dryRun?: boolean },
  ): Promise<SyncRun>;
  /** Processes queued webhook events until none is due; resolves with how many were handled. */
  drainInbound(): Promise<number>;
  /** Runs queued sync jobs (store queue) until none is due. */
  drainJobs(): Promise<number>;
  /** Starts the workers (webhook queue, sync jobs) and the schedule. */
  start(): void;
  /** Wakes the webhook worker now (after an enqueue). */
  nudge(): void;
  stop(): Promise<void>;
  readonly schedule: SyncSchedule | null;
}

export async function createSyncEngine(deps: SyncEngineDeps): Promise<SyncEngine> {
  const owner = deps.owner ?? newLeaseOwner();
  const pollMs = deps.pollMs ?? 500;
  const onLeaseLost = (kind: string) => (id: string | number) =>
    deps.logger?.warn({ id, kind }, 'lease lost to another worker (this one stalled); the work resumes there');
  const jobQueue =
    deps.jobQueue ??
    createStoreSyncJobQueue(deps.store.syncJobs, {
      owner,
      pollMs,
      ...(deps.leaseMs !== undefined ? { leaseMs: deps.leaseMs } : {}),
      onError: (error) =>
        error instanceof SyncInterruptedError
          ? deps.logger?.warn({ err: error }, 'sync run interrupted; its job is retried with backoff')
          : deps.logger?.error({ err: error }, 'sync job failed'),
      onLeaseLost: onLeaseLost('sync job'),
      ...(deps.jobConcurrency !== undefined ? { concurrency: deps.jobConcurrency } : {}),
    });
  const { store } = deps;
  const maxEntries = deps.maxRunEntries ?? DEFAULT_MAX_RUN_ENTRIES;
  const planSink = () => createPlanSink({ store, roofr: deps.roofr, mapping: deps.mapping });
  const batchDeps: BatchSyncDeps = {
    ghl: deps.ghl,
    push: deps.push,
    store,
    pageSize: deps.pageSize,
    ...(deps.contactsInFlight !== undefined ? { contactSlots: createContactSlots(deps.contactsInFlight) } : {}),
    ...(deps.confirmTimeoutMs !== undefined ? { confirmTimeoutMs: deps.confirmTimeoutMs } : {}),
    dryRun: { planSink, entries: store.syncRunEntries, maxEntries },
  };
  const verifyDeps = {
    ghl: deps.ghl,
    roofr: deps.roofr,
    mapping: deps.mapping,
    deletePolicy: deps.deletePolicy ?? 'archive',
    store,
    pageSize: deps.pageSize,
    maxEntries,
    ...(deps.onQueued ? { onQueued: deps.onQueued } : {}),
  };
  const inbound: InboundWorkerDeps = {
    webhooks: store.webhooks,
    syncRuns: store.syncRuns,
    owner,
    ...(deps.leaseMs !== undefined ? { leaseMs: deps.leaseMs } : {}),
    ...(deps.roofrLocations ? { roofrLocations: deps.roofrLocations } : {}),
    onLeaseLost: onLeaseLost('webhook event'),
    stopping: () => stopped,
    ghlHandler: {
      ghl: deps.ghl,
      push: deps.push,
      store,
      ...(deps.invalidate ? { invalidate: deps.invalidate } : {}),
      ...(deps.installs ? { installs: deps.installs } : {}),
    },
    roofrHandler: {
      ghl: deps.ghl,
      roofr: deps.roofr,
      push: deps.push,
      mapping: deps.mapping,
      store,
      eventTasks: deps.eventTasks,
      locationId: deps.locationId,
    },
    onError: (error, event) =>
      deps.logger?.warn(
        { err: error, webhookId: event.webhookId, eventType: event.eventType },
        'webhook event failed; it is retried with backoff',
      ),
  };

  const handleJob: SyncJobHandler = async (spec: SyncJobSpec, control) => {
    if (spec.kind === 'verify') {
      const run = await runVerify(verifyDeps, spec, { keepGoing: control.keepGoing });
      if (run.status === 'running')
        throw new Error(`verify run ${run.id} stopped before it finished; it resumes from its last checkpoint`);
      deps.logger?.info(
        { runId: run.id, requestId: `verify-${run.id}`, status: run.status, counts: run.counts },
        'verify run finished',
      );
    } else if (spec.kind === 'batch') {
      const run = await runBatchSync(batchDeps, spec, { keepGoing: control.keepGoing });
      // Stopped between pages (shutdown, lost lease): the job must stay queued so it resumes.
      if (run.status === 'running')
        throw new Error(`sync run ${run.id} stopped before it finished; it resumes from its last checkpoint`);
      // requestId: the x-request-id the run's HighLevel calls carried, to match their log lines.
      deps.logger?.info(
        { runId: run.id, requestId: `sync-${run.id}`, status: run.status, counts: run.counts },
        'sync run finished',
      );
    } else {
      await runContact(spec.runId, spec.locationId, spec.contactId, {}, spec.dryRun === true);
    }
  };

  async function runContact(
    runId: string,
    locationId: string,
    contactId: string,
    within: Pick<CallOptions, 'deadlineAt' | 'signal'> = {},
    dryRun = false,
  ): Promise<SyncRun> {
    try {
      let ghlCalls = 0;
      const callOptions: CallOptions = {
        ...within,
        lane: 'background',
        requestId: `sync-${runId}`,
        ...(dryRun ? { observer: { onRequest: () => (ghlCalls += 1) } } : {}),
      };
      // A dry run: the same push, its decided writes recorded as the plan (dry-run-sink.ts).
      const sink = dryRun ? planSink() : undefined;
      const push = sink === undefined ? deps.push : deps.push.withSink(sink);
      const contact = await deps.ghl.getContact(locationId, contactId, callOptions);
      const children = await fetchChildren(deps.ghl, locationId, contactId, callOptions);
      const outcome = await syncContactRecords({ ghl: deps.ghl, push }, locationId, contact, children, callOptions);
      const { counts, errors } = outcome.tally;
      let summary: Partial<RunSummary> | undefined;
      if (sink !== undefined) {
        const plan = sink.drain();
        const { omitted } = await store.syncRunEntries.append(runId, plan.entries, maxEntries);
        counts.skipped += plan.skipped;
        counts.conflicts += plan.conflicts;
        summary = { tallies: plan.tallies, omittedEntries: omitted, roofrReads: plan.roofrReads, ghlCalls };
      }
      const status = counts.failed > 0 ? 'partial' : 'succeeded';
      return (
        (await store.syncRuns.finish(runId, { status, counts, errors, ...(summary ? { summary } : {}) })) ??
        (await mustGet(runId))
      );
    } catch (error) {
      return (
        (await store.syncRuns.finish(runId, {
          status: 'failed',
          counts: { read: 1, failed: 1 },
          errors: [logEntry('SYNC_FAILED', describeError(error), { kind: 'contact', id: contactId })],
        })) ?? (await mustGet(runId))
      );
    }
  }

  /** The job of a run gave up (its attempts spent): the run is failed with why, not left running. */
  const onJobDead = (spec: SyncJobSpec, error: unknown): Promise<void> => closeGivenUpRun(spec.runId, error);

  async function closeGivenUpRun(runId: string, error: unknown): Promise<void> {
    const cause = error instanceof SyncInterruptedError ? error.cause : error;
    await store.syncRuns.finish(runId, {
      status: 'failed',
      errors: [
        logEntry(
          'RUN_GAVE_UP',
          `${describeError(cause)}; the job was retried until its attempts ran out. Fix the cause, then start the sync again (records already in Roofr are skipped as unchanged)`,
        ),
      ],
    });
  }

  async function mustGet(runId: string): Promise<SyncRun> {
    const run = await store.syncRuns.get(runId);
    if (run === null) throw new Error(`sync run ${runId} vanished`);
    return run;
  }

  let inboundTimer: NodeJS.Timeout | null = null;
  let inboundBusy: Promise<unknown> = Promise.resolve();
  let started = false;
  let stopped = false;
  let schedule: SyncSchedule | null = null;

  async function drainInbound(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await drainInboundOnce(inbound);
      total += claimed;
      if (claimed === 0 || stopped) return total;
    }
  }

  function tickInbound(): void {
    if (stopped) return;
    if (inboundTimer !== null) clearTimeout(inboundTimer);
    inboundTimer = null;
    inboundBusy = inboundBusy
      .then(() => drainInbound())
      .catch((error: unknown) => deps.logger?.error({ err: error }, 'webhook worker pass failed'))
      .finally(() => {
        if (!stopped && inboundTimer === null) inboundTimer = setTimeout(tickInbound, pollMs);
      });
  }

  async function startSync(input: StartSyncInput): Promise<SyncRun> {
    const locationId = input.locationId ?? deps.locationId;
    const runInput = {
      id: input.runId ?? randomUUID(),
      trigger: input.trigger ?? 'manual',
      locationId,
      businessId: input.businessId ?? null,
      kind: input.dryRun === true ? ('dry_run' as const) : ('sync' as const),
      mode: input.mode,
    };
    const job: SyncJobSpec = {
      kind: 'batch',
      runId: runInput.id,
      locationId,
      businessId: runInput.businessId,
      mode: input.mode,
      ...(input.dryRun === true ? { dryRun: true } : {}),
    };
    return queueRun(runInput, job);
  }

  async function startSyncEveryLocation(
    input: StartEveryLocationInput,
  ): Promise<{ runs: SyncRun[]; refused: Array<{ locationId: string; error: unknown }> }> {
    const locations = deps.locations ? await deps.locations() : [deps.locationId];
    const prefix = input.runIdPrefix ?? randomUUID();
    const runs: SyncRun[] = [];
    const refused: Array<{ locationId: string; error: unknown }> = [];
    // One after another: queuing is a row and a Redis call each, and the order keeps the run list readable.
    for (const locationId of locations.filter((id) => id !== '')) {
      try {
        runs.push(
          await startSync({ locationId, mode: input.mode, trigger: input.trigger, runId: `${prefix}-${locationId}` }),
        );
      } catch (error) {
        refused.push({ locationId, error });
      }
    }
    return { runs, refused };
  }

  async function startVerify(input: StartVerifyInput): Promise<SyncRun> {
    const locationId = input.locationId ?? deps.locationId;
    const sample = input.sample ?? null;
    const repair = input.repair ?? false;
    const runInput = {
      id: randomUUID(),
      trigger: input.trigger ?? 'manual',
      locationId,
      businessId: input.businessId ?? null,
      kind: 'verify' as const,
      mode: verifyMode(sample, repair),
    };
    return queueRun(runInput, {
      kind: 'verify',
      runId: runInput.id,
      locationId,
      businessId: runInput.businessId,
      sample,
      repair,
    });
  }

  /** Records the run and queues its job, atomically with the store queue. */
  async function queueRun(runInput: StartSyncRunInput, job: SyncJobSpec): Promise<SyncRun> {
    if (jobQueue.joinsStoreTransactions) {
      return store.db.transaction().execute(async (trx) => {
        const run = await store.syncRuns.start(runInput, trx);
        await jobQueue.enqueue(job, trx);
        return run;
      });
    }
    const run = await store.syncRuns.start(runInput);
    try {
      await jobQueue.enqueue(job);
    } catch (error) {
      await store.syncRuns
        .finish(run.id, {
          status: 'failed',
          counts: {},
          errors: [logEntry('QUEUE_UNAVAILABLE', `the run could not be queued: ${describeError(error)}`)],
        })
        .catch(() => undefined);
      throw error;
    }
    return run;
  }

  return {
    startSync,
    startSyncEveryLocation,
    startVerify,
    runBatch: (spec, hooks) => runBatchSync(batchDeps, spec, hooks),
    runVerify: (spec, hooks) => runVerify(verifyDeps, spec, hooks),
    async syncContact(contactId, locationId = deps.locationId, within = {}, options = {}) {
      const dryRun = options.dryRun === true;
      const run = await store.syncRuns.start({
        trigger: 'manual',
        locationId,
        mode: 'contact',
        kind: dryRun ? 'dry_run' : 'sync',
      });
      return runContact(run.id, locationId, contactId, within, dryRun);
    },
    drainInbound,
    drainJobs: () => (jobQueue.drainOnce ? jobQueue.drainOnce(handleJob, onJobDead) : Promise.resolve(0)),
    start() {
      if (started) return;
      started = true;
      tickInbound();
      jobQueue.consume(handleJob, onJobDead);
      if (deps.schedule) {
        schedule = scheduleSync({
          ...deps.schedule,
          fire: async (runId) => {
            // One id per scheduled minute and location: replicas firing together queue each once.
            const { refused } = await startSyncEveryLocation({
              mode: 'INCREMENTAL',
              trigger: 'schedule',
              runIdPrefix: runId,
            });
            for (const { locationId, error } of refused)
              deps.logger?.info({ err: error, locationId }, 'scheduled sync already queued by another replica');
          },
          onError: (error) => deps.logger?.error({ err: error }, 'scheduled sync failed to start'),
        });
      }
    },
    nudge: () => {
      if (started) tickInbound();
    },
    async stop() {
      stopped = true;
      schedule?.stop();
      if (inboundTimer !== null) clearTimeout(inboundTimer);
      await inboundBusy;
      await jobQueue.close();
    },
    get schedule() {
      return schedule;
    },
  };
}
