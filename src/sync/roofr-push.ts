/**
 * Pushes GHL records to Roofr: the service every mutation (and the sync engine) goes through.
 * For each change: map it (toRoofr), compare its content hash with what was last written
 * (unchanged → SKIPPED), try the Roofr write at once under an idempotency key derived from
 * (location, entity, content hash); Roofr unavailable / rate limited / slow → the same write and
 * key go to the outbox (QUEUED) for the outbox worker; an adapter that cannot carry the write →
 * SKIPPED with its reason; Roofr refusing it → FAILED. Deletes follow ROOFR_DELETE_POLICY.
 * The decisions (map, compare hashes, which write) are made here once; the decided write goes
 * to a WriteSink: by default the one above (direct, else the outbox), in a dry run the plan
 * sink (dry-run-sink.ts), which records it instead. A dry run therefore cannot decide
 * differently from the run it rehearses: it runs this very code.
 */
import type { Kysely } from 'kysely';
import type { CallOptions, GhlApi } from '../ghl/ghl-api.js';
import { contentHash } from '../domain/content-hash.js';
import { isDependencyUnavailable } from '../domain/dependency-unavailable.js';
import type { Mapping } from '../domain/mapping/mapping-schema.js';
import {
  appointmentToRoofr,
  contactToRoofr,
  noteToRoofr,
  taskToRoofr,
  toRoofr,
  type CreateAndUpdate,
  type RoofrRecords,
} from '../domain/mapping/to-roofr.js';
import type { Appointment, Contact, Note, Task } from '../domain/types.js';
import type { GatewayEventSink } from '../domain/gateway-events.js';
import { isRoofrError } from '../roofr/errors.js';
import { portWithDeadline } from '../roofr/deadline-port.js';
import type { RoofrPort } from '../roofr/roofr-port.js';
import type { GroupCommit } from '../store/group-commit.js';
import type { HashesRepo } from '../store/hashes-repo.js';
import type { Link, LinksRepo } from '../store/links-repo.js';
import { memoizedLinks, type LinksToPrime } from '../store/links-memo.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import type { Database, GhlEntityKind, RoofrEntityKind } from '../store/schema.js';
import { hasPendingWrite, pendingWritesOf, type PendingWrites } from './outbox-ordering.js';
import {
  activeLink,
  executeRoofrWrite,
  RoofrDependencyPendingError,
  ZAPIER_FORWARD_KIND,
  type Executed,
} from './roofr-write-executor.js';
import { syncResult, type RoofrSyncResult } from './roofr-sync-result.js';
import {
  entityKeyPrefix,
  entityOf,
  idempotencyKeyOf,
  type DeletePolicy,
  type RoofrWrite,
  type TaskUpsert,
} from './roofr-writes.js';

interface RoofrPushLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

interface RoofrPushDeps {
  /** Reads a contact when a task or note reaches Roofr before its contact did. */
  ghl: GhlApi;
  store: {
    db: Kysely<Database>;
    links: LinksRepo;
    hashes: HashesRepo;
    outbox: Pick<OutboxRepo, 'enqueue'>;
    commits?: GroupCommit;
  };
  roofr: RoofrPort;
  mapping: Mapping;
  /** ROOFR_DELETE_POLICY. */
  deletePolicy: DeletePolicy;
  logger?: RoofrPushLogger;
  /** Called after a write was queued, e.g. to nudge the outbox worker. */
  onQueued?: () => void;
  /**
   * How long a push tries Roofr before the write waits in the outbox (ROOFR_REQUEST_TIMEOUT_MS;
   * default 5 s), and never past the caller's deadline: a mutation answers QUEUED in time.
   */
  inlineTimeoutMs?: number;
  /** Where contacts synced and Roofr's refusals are reported (roofr-write-executor.ts). */
  events?: GatewayEventSink;
}

export interface PushOptions {
  /** The caller's lane, request id and deadline (`deadlineAt` bounds the inline Roofr attempt). */
  callOptions?: CallOptions;
}

/** A write the push decided to make. */
export interface DecidedWrite {
  locationId: string;
  write: RoofrWrite;
  /** The content hash last written for the entity (part of the idempotency key). */
  previousHash: string | null;
  options: PushOptions;
}

/** A record the push decided not to write. */
export interface UnwrittenRecord {
  locationId: string;
  entity: { kind: GhlEntityKind; id: string };
  /** The Roofr records it would have been written to. */
  targets: readonly RoofrEntityKind[];
  /** True: its content hash equals the last one written. Else `reason` says why. */
  unchanged: boolean;
  reason: string;
}

/** Where decided writes go: performed (the default), or recorded by a dry run. */
export interface WriteSink {
  submit(decided: DecidedWrite): Promise<RoofrSyncResult>;
  /** A write of this entity waits to be delivered (a child then need not push its contact first). */
  isPending(
    locationId: string,
    entity: { kind: 'contact' | 'task' | 'note' | 'appointment'; id: string },
  ): Promise<boolean>;
  /** Told of each record the push decided not to write (a dry run counts them). */
  unwritten?(record: UnwrittenRecord): void;
  /** A sink that only records: the push then changes no link or hash of its own either. */
  readonly recordsOnly?: boolean;
}

const DEFAULT_INLINE_TIMEOUT_MS = 5000;

/** What previewRoofrRecord shows. */
export interface RoofrPreview extends RoofrRecords {
  contactId: string;
  linkedCustomerId: string | null;
  linkedJobId: string | null;
}

export interface RoofrPush {
  pushContact(locationId: string, contact: Contact, options?: PushOptions): Promise<RoofrSyncResult>;
  pushTask(locationId: string, task: Task, options?: PushOptions): Promise<RoofrSyncResult>;
  pushNote(locationId: string, note: Note, options?: PushOptions): Promise<RoofrSyncResult>;
  /** An appointment becomes a job task of its contact's job (the mapping's `appointment:` rules). */
  pushAppointment(locationId: string, appointment: Appointment, options?: PushOptions): Promise<RoofrSyncResult>;
  removeContact(locationId: string, contactId: string, options?: PushOptions): Promise<RoofrSyncResult>;
  /** `contactId` locates the Roofr job the task is on; without it the Roofr task is kept. */
  removeTask(locationId: string, taskId: string, contactId?: string, options?: PushOptions): Promise<RoofrSyncResult>;
  removeNote(locationId: string, noteId: string, contactId?: string, options?: PushOptions): Promise<RoofrSyncResult>;
  removeAppointment(
    locationId: string,
    appointmentId: string,
    contactId?: string,
    options?: PushOptions,
  ): Promise<RoofrSyncResult>;
  /** The records a push of this contact (with its tasks and notes) would write; writes nothing. */
  preview(locationId: string, contactId: string, options?: PushOptions): Promise<RoofrPreview>;
  /**
   * A push for the writes of one contact in a row, remembering its link reads meanwhile; given
   * the records about to be written, their links are read at once (links-memo.ts), and whether
   * writes of them wait in the outbox too (outbox-ordering.ts).
   */
  forContact(records?: LinksToPrime): RoofrPush;
  /** The link of a GHL entity, as this push sees it. */
  findLink(key: Parameters<LinksRepo['findByGhl']>[0]): Promise<Link | null>;
  /** The same push with its decided writes going to `sink` (a dry run's plan) instead of Roofr. */
  withSink(sink: WriteSink): RoofrPush;
}

/** A contact's record that Roofr keeps on its job. */
type Child =
  { kind: 'task'; value: Task } | { kind: 'note'; value: Note } | { kind: 'appointment'; value: Appointment };

/** Roofr failures that pass: the write waits in the outbox. */
function isTransient(error: unknown): boolean {
  if (error instanceof RoofrDependencyPendingError) return true;
  // Unauthorized is an operator's fix (ROOFR_API_KEY); the outbox keeps the write until then.
  return (
    isRoofrError(error) &&
    (error.kind === 'RateLimited' ||
      error.kind === 'Unavailable' ||
      error.kind === 'Timeout' ||
      error.kind === 'Unauthorized')
  );
}

function asRecord(value: object): Record<string, unknown> {
  return { ...value };
}

export function createRoofrPush(deps: RoofrPushDeps, chosenSink?: WriteSink, pendingWrites?: PendingWrites): RoofrPush {
  const { store, roofr, mapping } = deps;
  const pending: PendingWrites = pendingWrites ?? {
    has: (entityKey) => hasPendingWrite(store.db, entityKey),
    queued: () => undefined,
  };

  function fromExecuted(executed: Executed): RoofrSyncResult {
    return syncResult(executed.status, {
      roofrId: executed.roofrId,
      roofrJobId: executed.roofrJobId,
      error: executed.reason,
    });
  }

  async function enqueue(
    locationId: string,
    write: RoofrWrite,
    idempotencyKey: string,
    why: string,
  ): Promise<RoofrSyncResult> {
    const { entry } = await store.outbox.enqueue({
      locationId,
      kind: write.kind,
      payload: write,
      idempotencyKey,
      entityKey: entityKeyPrefix(locationId, entityOf(write)),
    });
    pending.queued(entityKeyPrefix(locationId, entityOf(write)));
    deps.onQueued?.();
    return syncResult('QUEUED', { error: why, outboxId: String(entry.id) });
  }

  /** Until when a push tries Roofr itself: its own budget, and never past the caller's deadline. */
  function inlineDeadline(options: PushOptions): number {
    const own = Date.now() + (deps.inlineTimeoutMs ?? DEFAULT_INLINE_TIMEOUT_MS);
    const caller = options.callOptions?.deadlineAt;
    return caller === undefined ? own : Math.min(own, caller);
  }

  /** Direct attempt, else the outbox; never throws for a Roofr failure (the GHL write stands). */
  async function perform({ locationId, write, previousHash, options }: DecidedWrite): Promise<RoofrSyncResult> {
    const idempotencyKey = idempotencyKeyOf(locationId, write, previousHash);
    try {
      if (await pending.has(entityKeyPrefix(locationId, entityOf(write)))) {
        return await enqueue(
          locationId,
          write,
          idempotencyKey,
          'an earlier change of this record is still queued for Roofr; this one follows it',
        );
      }
      const roofrInTime = portWithDeadline(roofr, inlineDeadline(options));
      return fromExecuted(await executeRoofrWrite({ ...deps, roofr: roofrInTime }, locationId, write, idempotencyKey));
    } catch (error) {
      // Our own store is down: nothing can be decided or queued; `guarded` answers for the push.
      if (isDependencyUnavailable(error)) throw error;
      if (isTransient(error)) {
        const why = error instanceof Error ? error.message : 'Roofr is unavailable';
        try {
          return await enqueue(locationId, write, idempotencyKey, why);
        } catch (storeError) {
          deps.logger?.error({ err: storeError, kind: write.kind }, 'could not queue a Roofr write');
          return syncResult('FAILED', {
            error: `Roofr is unavailable and the write could not be queued; run a sync once the database is back (${why})`,
          });
        }
      }
      if (isRoofrError(error)) return syncResult('FAILED', { error: error.message });
      deps.logger?.error({ err: error, kind: write.kind }, 'unexpected error while syncing a write to Roofr');
      return syncResult('FAILED', { error: 'internal error while syncing to Roofr; see the gateway log' });
    }
  }

  const sink: WriteSink = chosenSink ?? {
    submit: perform,
    isPending: (locationId, entity) => pending.has(entityKeyPrefix(locationId, entity)),
  };
  const submit = (
    locationId: string,
    write: RoofrWrite,
    previousHash: string | null,
    options: PushOptions,
  ): Promise<RoofrSyncResult> => sink.submit({ locationId, write, previousHash, options });

  async function pushContact(locationId: string, contact: Contact, options: PushOptions): Promise<RoofrSyncResult> {
    const { customer, job } = contactToRoofr(mapping, contact);
    const customerHash = contentHash(customer.update);
    const jobHash = contentHash(job.update);
    const customerLink = await activeLink(store.links, locationId, 'contact', contact.id, 'customer');
    const jobLink = await activeLink(store.links, locationId, 'contact', contact.id, 'job');
    const storedCustomer = customerLink
      ? await store.hashes.get({
          locationId,
          direction: 'ghl_to_roofr',
          entityKind: 'customer',
          entityId: customerLink.roofrId,
        })
      : null;
    const storedJob = jobLink
      ? await store.hashes.get({ locationId, direction: 'ghl_to_roofr', entityKind: 'job', entityId: jobLink.roofrId })
      : null;
    const forwarded = await store.hashes.get({
      locationId,
      direction: 'ghl_to_roofr',
      entityKind: ZAPIER_FORWARD_KIND,
      entityId: contact.id,
    });
    const unchanged =
      (storedCustomer?.hash === customerHash && storedJob?.hash === jobHash) ||
      forwarded?.hash === `${customerHash}|${jobHash}`;
    if (unchanged) {
      sink.unwritten?.({
        locationId,
        entity: { kind: 'contact', id: contact.id },
        targets: ['customer', 'job'],
        unchanged: true,
        reason: 'unchanged',
      });
      return syncResult('SKIPPED', {
        roofrId: customerLink?.roofrId ?? null,
        roofrJobId: jobLink?.roofrId ?? null,
        error: 'unchanged',
      });
    }
    const previous =
      storedCustomer || storedJob
        ? `${storedCustomer?.hash ?? ''}|${storedJob?.hash ?? ''}`
        : (forwarded?.hash ?? null);
    return submit(
      locationId,
      {
        kind: 'contact.upsert',
        ghlContactId: contact.id,
        customer: { create: asRecord(customer.create), update: asRecord(customer.update) },
        job: { create: asRecord(job.create), update: asRecord(job.update) },
        customerHash,
        jobHash,
      },
      previous,
      options,
    );
  }

  /** A child needs its contact's job: push the contact first when it never reached Roofr. */
  async function ensureContact(locationId: string, contactId: string, options: PushOptions): Promise<void> {
    if (await activeLink(store.links, locationId, 'contact', contactId, 'job')) return;
    if (await sink.isPending(locationId, { kind: 'contact', id: contactId })) return;
    const contact = await deps.ghl.getContact(locationId, contactId, options.callOptions);
    await pushContact(locationId, contact, options);
  }

  /** Only the child's own rules: its contact's are mapped when the contact is pushed. */
  function mapChild(child: Child): CreateAndUpdate<object> | null {
    switch (child.kind) {
      case 'task':
        return taskToRoofr(mapping, child.value);
      case 'note':
        return noteToRoofr(mapping, child.value);
      case 'appointment':
        return appointmentToRoofr(mapping, child.value);
    }
  }

  function childWrite(child: Child, record: TaskUpsert['record'], hash: string): RoofrWrite {
    const ghlContactId = child.value.contactId;
    switch (child.kind) {
      case 'task':
        return { kind: 'task.upsert', ghlContactId, ghlTaskId: child.value.id, record, hash };
      case 'note':
        return { kind: 'note.upsert', ghlContactId, ghlNoteId: child.value.id, record, hash };
      case 'appointment':
        return { kind: 'appointment.upsert', ghlContactId, ghlAppointmentId: child.value.id, record, hash };
    }
  }

  async function pushChild(locationId: string, child: Child, options: PushOptions): Promise<RoofrSyncResult> {
    const contactId = child.value.contactId;
    const mapped = mapChild(child);
    const roofrKind = child.kind === 'note' ? 'job_note' : 'job_task';
    const entity = { kind: child.kind, id: child.value.id };
    if (mapped === null) {
      const reason = `the mapping has no rules for ${child.kind}s`;
      sink.unwritten?.({ locationId, entity, targets: [roofrKind], unchanged: false, reason });
      return syncResult('SKIPPED', { error: reason });
    }
    const { create: createRecord, update: updateRecord } = mapped;
    const hash = contentHash(updateRecord);
    const link = await activeLink(store.links, locationId, child.kind, child.value.id, roofrKind);
    const stored = link
      ? await store.hashes.get({ locationId, direction: 'ghl_to_roofr', entityKind: roofrKind, entityId: link.roofrId })
      : null;
    if (link && stored?.hash === hash) {
      sink.unwritten?.({ locationId, entity, targets: [roofrKind], unchanged: true, reason: 'unchanged' });
      return syncResult('SKIPPED', { roofrId: link.roofrId, error: 'unchanged' });
    }
    const capable = roofrKind === 'job_task' ? roofr.capabilities.upsertJobTask : roofr.capabilities.upsertJobNote;
    // Only a capable adapter needs the contact in Roofr; an incapable one answers SKIPPED at once.
    if (capable) {
      try {
        await ensureContact(locationId, contactId, options);
      } catch (error) {
        deps.logger?.warn(
          { err: error, contactId },
          'could not read the contact to sync it before its child; the child waits in the outbox',
        );
      }
    }
    return submit(
      locationId,
      childWrite(child, { create: asRecord(createRecord), update: asRecord(updateRecord) }, hash),
      stored?.hash ?? null,
      options,
    );
  }

  async function removeContact(locationId: string, contactId: string, options: PushOptions): Promise<RoofrSyncResult> {
    const customerLink = await activeLink(store.links, locationId, 'contact', contactId, 'customer');
    const jobLink = await activeLink(store.links, locationId, 'contact', contactId, 'job');
    const pending = await sink.isPending(locationId, { kind: 'contact', id: contactId });
    if (customerLink === null && jobLink === null && !pending)
      return syncResult('SKIPPED', { error: 'the contact was never synced to Roofr' });
    return submit(
      locationId,
      {
        kind: 'contact.delete',
        ghlContactId: contactId,
        policy: deps.deletePolicy,
        customerId: customerLink?.roofrId ?? null,
        jobId: jobLink?.roofrId ?? null,
      },
      null,
      options,
    );
  }

  /**
   * Deletes the linked Roofr job task / note (directly, else through the outbox like any write).
   * Tasks and notes have no archive in Roofr and their job keeps its history, so the `archive`
   * policy deletes them as `delete` does; only `ignore` keeps them.
   */
  async function removeChild(
    locationId: string,
    kind: Child['kind'],
    id: string,
    contactId: string | undefined,
    options: PushOptions,
  ): Promise<RoofrSyncResult> {
    const roofrKind = kind === 'note' ? 'job_note' : 'job_task';
    const link = await activeLink(store.links, locationId, kind, id, roofrKind);
    if (link === null) return syncResult('SKIPPED', { error: `the ${kind} was never synced to Roofr` });
    // A deleted job link still names the job the child was written to (the contact may be gone first).
    const jobLink =
      contactId === undefined
        ? null
        : await store.links.findByGhl({ locationId, ghlKind: 'contact', ghlId: contactId, roofrKind: 'job' });
    if (deps.deletePolicy === 'ignore' || jobLink === null) {
      const reason =
        deps.deletePolicy === 'ignore'
          ? 'ROOFR_DELETE_POLICY=ignore: the Roofr record is kept'
          : `the Roofr job of this ${kind} is unknown, so it stays in Roofr and is no longer synced`;
      if (sink.recordsOnly === true) {
        sink.unwritten?.({ locationId, entity: { kind, id }, targets: [roofrKind], unchanged: false, reason });
        return syncResult('SKIPPED', { roofrId: link.roofrId, error: reason });
      }
      await store.links.markDeleted(link.id);
      await store.hashes.delete({
        locationId,
        direction: 'ghl_to_roofr',
        entityKind: roofrKind,
        entityId: link.roofrId,
      });
      return syncResult('SKIPPED', { roofrId: link.roofrId, error: reason });
    }
    const target = { roofrJobId: jobLink.roofrId, roofrId: link.roofrId };
    const write: RoofrWrite =
      kind === 'task'
        ? { kind: 'task.delete', ghlTaskId: id, ...target }
        : kind === 'note'
          ? { kind: 'note.delete', ghlNoteId: id, ...target }
          : { kind: 'appointment.delete', ghlAppointmentId: id, ...target };
    return submit(locationId, write, null, options);
  }

  /**
   * The HighLevel write already happened when a push runs: a failure of our own bookkeeping (the
   * store, the mapping) is reported as FAILED on the payload, never as an error of the mutation.
   */
  async function guarded(what: string, run: () => Promise<RoofrSyncResult>): Promise<RoofrSyncResult> {
    try {
      return await run();
    } catch (error) {
      if (isDependencyUnavailable(error)) {
        // The HighLevel write stands; the next sync (incremental: the contact's dateUpdated moved) carries it.
        deps.logger?.warn({ err: error, what }, 'could not sync a change to Roofr: a dependency is unavailable');
        return syncResult('FAILED', {
          error: `the ${error.dependency === 'postgres' ? 'state database' : 'job queue'} is unavailable, so the ${what} could not be synced or queued for Roofr; run a sync (or wait for the nightly one) once it is back`,
          unavailable: error.dependency,
        });
      }
      deps.logger?.error({ err: error, what }, 'could not sync a change to Roofr');
      return syncResult('FAILED', {
        error: `internal error while syncing the ${what} to Roofr; see the gateway log, then run a sync`,
      });
    }
  }

  return {
    pushContact: (locationId, contact, options = {}) =>
      guarded('contact', () => pushContact(locationId, contact, options)),
    pushTask: (locationId, task, options = {}) =>
      guarded('task', () => pushChild(locationId, { kind: 'task', value: task }, options)),
    pushNote: (locationId, note, options = {}) =>
      guarded('note', () => pushChild(locationId, { kind: 'note', value: note }, options)),
    pushAppointment: (locationId, appointment, options = {}) =>
      guarded('appointment', () => pushChild(locationId, { kind: 'appointment', value: appointment }, options)),
    removeContact: (locationId, id, options = {}) =>
      guarded('contact delete', () => removeContact(locationId, id, options)),
    removeTask: (locationId, id, contactId, options = {}) =>
      guarded('task delete', () => removeChild(locationId, 'task', id, contactId, options)),
    removeNote: (locationId, id, contactId, options = {}) =>
      guarded('note delete', () => removeChild(locationId, 'note', id, contactId, options)),
    removeAppointment: (locationId, id, contactId, options = {}) =>
      guarded('appointment delete', () => removeChild(locationId, 'appointment', id, contactId, options)),
    forContact: (records) =>
      createRoofrPush(
        { ...deps, store: { ...store, links: memoizedLinks(store.links, records) } },
        chosenSink,
        pendingWritesOf(
          store.db,
          (records?.entities ?? []).map((entity) => entityKeyPrefix(records?.locationId ?? '', entity)),
        ),
      ),
    findLink: (key) => store.links.findByGhl(key),
    withSink: (other) => createRoofrPush(deps, other),
    async preview(locationId, contactId, options = {}) {
      const [contact, tasks, notes] = await Promise.all([
        deps.ghl.getContact(locationId, contactId, options.callOptions),
        deps.ghl.listTasks(locationId, contactId, options.callOptions),
        deps.ghl.listNotes(locationId, contactId, options.callOptions),
      ]);
      const customerLink = await activeLink(store.links, locationId, 'contact', contactId, 'customer');
      const jobLink = await activeLink(store.links, locationId, 'contact', contactId, 'job');
      // A linked contact is updated, so create-only rules (e.g. the first stage) do not apply.
      const records = toRoofr(
        mapping,
        { contact, tasks, notes },
        { forCreate: customerLink === null && jobLink === null },
      );
      return {
        contactId,
        ...records,
        linkedCustomerId: customerLink?.roofrId ?? null,
        linkedJobId: jobLink?.roofrId ?? null,
      };
    },
  };
}
