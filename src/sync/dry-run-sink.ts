/**
 * The dry run's write sink: the push (roofr-push.ts) decides exactly as in a real run, and this
 * sink records each decided write instead of performing it. It asks the executor's own planners
 * (planContactUpsert / planChildUpsert) what the write becomes, so "create" and "update" mean
 * what the executor would do with the links as they stand. For an update it reads the linked
 * Roofr record through the port to show the field-level diff (from Roofr's value to the new
 * one) and to tell a CONFLICT: a field both sides write (mapping direction `both`) that Roofr
 * changed since the last write, found as the fields which, put back, make Roofr's record hash
 * to the stored content hash of that write (record-diff.ts changedSinceWritten). It writes
 * nothing: no Roofr write, no link, hash, cursor or outbox row; its only state is the entries
 * it collected, drained per page.
 */
import type { Kysely } from 'kysely';
import { contentHash } from '../domain/content-hash.js';
import type { Direction, Mapping } from '../domain/mapping/mapping-schema.js';
import { directionsByRoofrField } from '../domain/mapping/rule-owners.js';
import { changedSinceWritten, diffRecord, type FieldChange } from '../domain/record-diff.js';
import { isRoofrError, RoofrNotFoundError } from '../roofr/errors.js';
import { portWithDeadline } from '../roofr/deadline-port.js';
import type { ReadOutcome, RoofrPort } from '../roofr/roofr-port.js';
import type { HashesRepo } from '../store/hashes-repo.js';
import type { LinksRepo } from '../store/links-repo.js';
import type { Database, RoofrEntityKind } from '../store/schema.js';
import type { RunEntryInput } from '../store/sync-run-entries-repo.js';
import { hasPendingWrite } from './outbox-ordering.js';
import type { DecidedWrite, PushOptions, UnwrittenRecord, WriteSink } from './roofr-push.js';
import { syncResult, type RoofrSyncResult } from './roofr-sync-result.js';
import { planChildUpsert, planContactUpsert, type UpsertTarget } from './roofr-write-executor.js';
import { entityKeyPrefix, entityOf, type ContactUpsert, type RoofrWrite } from './roofr-writes.js';

interface PlanSinkDeps {
  store: { db: Kysely<Database>; links: LinksRepo; hashes: HashesRepo };
  /** Read only: linked records, for the field diffs of updates. */
  roofr: RoofrPort;
  mapping: Mapping;
}

/** What a page of the dry run planned. */
export interface PlanBatch {
  entries: RunEntryInput[];
  /** Per "<target kind>.<ACTION>", unchanged records included (they get no entry). */
  tallies: Record<string, number>;
  /** HighLevel records the run would skip for a reason. */
  skipped: number;
  /** HighLevel records whose update would overwrite a change made in Roofr. */
  conflicts: number;
  roofrReads: number;
}

export interface PlanSink extends WriteSink {
  /** What was recorded since the last drain; starts afresh. */
  drain(): PlanBatch;
}

/** The result a planned write reports to the push's caller (counted like the write it stands for). */
const PLANNED = 'dry run: planned, nothing written';

type Actual = { kind: 'found'; record: object } | { kind: 'gone' } | { kind: 'unreadable'; why: string };

type ChildKind = 'task' | 'note' | 'appointment';

function sectionOf(kind: ChildKind): 'task' | 'note' | 'appointment' {
  return kind;
}

export function createPlanSink(deps: PlanSinkDeps): PlanSink {
  const { store, mapping } = deps;
  const directions: Record<'customer' | 'job' | 'task' | 'note' | 'appointment', Map<string, Direction>> = {
    customer: directionsByRoofrField(mapping.customer),
    job: directionsByRoofrField(mapping.job),
    task: directionsByRoofrField(mapping.task),
    note: directionsByRoofrField(mapping.note),
    appointment: directionsByRoofrField(mapping.appointment),
  };
  /** Entity keys planned in this run: a child then waits for its contact as it would in the outbox. */
  const planned = new Set<string>();
  let batch = emptyBatch();
  /** A job's tasks / notes, read once per page. */
  let jobChildren = new Map<string, Promise<Actual & { list?: Array<{ id: string }> }>>();

  function emptyBatch(): PlanBatch {
    return { entries: [], tallies: {}, skipped: 0, conflicts: 0, roofrReads: 0 };
  }

  function tally(targetKind: string, action: string): void {
    const key = `${targetKind}.${action}`;
    batch.tallies[key] = (batch.tallies[key] ?? 0) + 1;
  }

  function record(entry: RunEntryInput): void {
    batch.entries.push(entry);
    tally(entry.targetKind, entry.action);
  }

  function portFor(options: PushOptions): RoofrPort {
    const deadlineAt = options.callOptions?.deadlineAt;
    return deadlineAt === undefined ? deps.roofr : portWithDeadline(deps.roofr, deadlineAt);
  }

  async function read<T extends object>(fetch: () => Promise<ReadOutcome<T>>): Promise<Actual> {
    batch.roofrReads += 1;
    try {
      const outcome = await fetch();
      return outcome.status === 'OK'
        ? { kind: 'found', record: outcome.value }
        : { kind: 'unreadable', why: outcome.reason };
    } catch (error) {
      if (error instanceof RoofrNotFoundError) return { kind: 'gone' };
      return { kind: 'unreadable', why: isRoofrError(error) || error instanceof Error ? error.message : String(error) };
    }
  }

  function readChild(port: RoofrPort, kind: 'job_task' | 'job_note', jobId: string, id: string): Promise<Actual> {
    const key = `${kind}:${jobId}`;
    let listed = jobChildren.get(key);
    if (listed === undefined) {
      const list =
        kind === 'job_task'
          ? read<Array<{ id: string }>>(() => port.listJobTasks(jobId))
          : read<Array<{ id: string }>>(() => port.listJobNotes(jobId));
      listed = list.then((actual) =>
        actual.kind === 'found' ? { ...actual, list: actual.record as Array<{ id: string }> } : actual,
      );
      jobChildren.set(key, listed);
    }
    return listed.then((actual) => {
      if (actual.kind !== 'found') return actual;
      const found = (actual.list ?? []).find((item) => item.id === id);
      return found === undefined ? { kind: 'gone' } : { kind: 'found', record: found };
    });
  }

  /**
   * The entry of an update: the fields Roofr would see change, and whether one of them is a
   * change made in Roofr that the run overwrites.
   */
  async function updateEntry(
    base: Omit<RunEntryInput, 'action' | 'reason' | 'fields'>,
    updateRecord: Record<string, unknown>,
    owners: Map<string, Direction>,
    actual: Actual,
    locationId: string,
  ): Promise<RunEntryInput> {
    if (actual.kind === 'gone')
      return {
        ...base,
        action: 'UPDATE',
        reason: `Roofr no longer has ${base.targetKind} ${base.roofrId ?? ''}: the run's update will fail; npm run verify -- --repair writes it again`,
        fields: diffRecord(updateRecord, null),
      };
    if (actual.kind === 'unreadable')
      return {
        ...base,
        action: 'UPDATE',
        reason: `Roofr could not be read (${actual.why}): the fields show the new values, not Roofr's`,
        fields: diffRecord(updateRecord, null),
      };
    const fields = diffRecord(updateRecord, actual.record);
    const stored = await store.hashes.get({
      locationId,
      direction: 'ghl_to_roofr',
      entityKind: base.targetKind,
      entityId: base.roofrId ?? '',
    });
    if (stored === null || fields.length === 0)
      return {
        ...base,
        action: 'UPDATE',
        reason:
          fields.length > 0
            ? null
            : stored?.hash === contentHash(updateRecord)
              ? 'unchanged, but written again with the rest of its contact (customer and job are one write)'
              : 'the content changed since the last write, but Roofr already holds it',
        fields,
      };
    const both = (field: string): boolean => owners.get(field) === 'both';
    const inRoofr = changedSinceWritten(updateRecord, actual.record, fields, stored.hash);
    const list = (names: string[]): string => names.join(', ');
    if (inRoofr === null) {
      // Roofr's record is not what was last written, and no set of fields explains it.
      const shared = fields.filter((change) => both(change.field)).map((change) => change.field);
      return {
        ...base,
        action: shared.length > 0 ? 'CONFLICT' : 'UPDATE',
        reason: `Roofr's ${base.targetKind} changed since the last sync (or the mapping did); the run overwrites ${list(fields.map((change) => change.field))} with HighLevel's values`,
        fields,
      };
    }
    const conflicting = inRoofr.filter(both);
    const owned = inRoofr.filter((field) => !both(field));
    if (conflicting.length > 0)
      return {
        ...base,
        action: 'CONFLICT',
        reason: `Roofr changed ${list(conflicting)} since the last sync; the run overwrites ${conflicting.length === 1 ? 'it' : 'them'} with HighLevel's value${conflicting.length === 1 ? '' : 's'}${owned.length > 0 ? ` (and ${list(owned)}, which HighLevel owns)` : ''}`,
        fields,
      };
    return {
      ...base,
      action: 'UPDATE',
      reason:
        owned.length > 0
          ? `Roofr changed ${list(owned)}, which HighLevel owns: the run writes HighLevel's value back`
          : null,
      fields,
    };
  }

  function createEntry(
    base: Omit<RunEntryInput, 'action' | 'reason' | 'fields'>,
    target: UpsertTarget,
    reason: string | null,
  ): RunEntryInput {
    const { id: _id, ...record } = target.record;
    return { ...base, action: 'CREATE', reason, fields: diffRecord(record, null) };
  }

  function baseOf(
    entity: { kind: string; id: string },
    targetKind: RoofrEntityKind,
    roofrId: string | null,
  ): Omit<RunEntryInput, 'action' | 'reason' | 'fields'> {
    return {
      entryKey: `${entity.kind}:${entity.id}>${targetKind}`,
      entityKind: entity.kind,
      entityId: entity.id,
      targetKind,
      roofrId,
    };
  }

  function countRecord(entries: RunEntryInput[]): void {
    if (entries.some((entry) => entry.action === 'CONFLICT')) batch.conflicts += 1;
    if (entries.some((entry) => entry.action === 'SKIP')) batch.skipped += 1;
    for (const entry of entries) record(entry);
  }

  async function planContact(decided: DecidedWrite, write: ContactUpsert, queuedBehind: string | null) {
    const entity = { kind: 'contact', id: write.ghlContactId };
    const plan = await planContactUpsert({ store, roofr: deps.roofr }, decided.locationId, write);
    if (plan.via === 'skip') {
      countRecord(
        (['customer', 'job'] as const).map((kind) => ({
          ...baseOf(entity, kind, null),
          action: 'SKIP',
          reason: plan.reason,
          fields: [],
        })),
      );
      return syncResult('SKIPPED', { error: plan.reason });
    }
    const port = portFor(decided.options);
    const via =
      plan.via === 'bridge' ? `through the ${deps.roofr.adapter} bridge (customer and job in one step)` : null;
    const entries: RunEntryInput[] = [];
    const customerBase = baseOf(entity, 'customer', plan.customer.roofrId);
    const customerId = plan.customer.roofrId;
    entries.push(
      customerId === null
        ? createEntry(customerBase, plan.customer, via)
        : await updateEntry(
            customerBase,
            write.customer.update,
            directions.customer,
            await read(() => port.getCustomer(customerId)),
            decided.locationId,
          ),
    );
    const jobBase = baseOf(entity, 'job', plan.job.roofrId);
    const jobId = plan.job.roofrId;
    entries.push(
      jobId === null
        ? createEntry(jobBase, plan.job, via)
        : await updateEntry(
            jobBase,
            write.job.update,
            directions.job,
            await read(() => port.getJob(jobId)),
            decided.locationId,
          ),
    );
    countRecord(entries.map((entry) => withQueuedNote(entry, queuedBehind)));
    return syncResult('SYNCED', { roofrId: customerId, roofrJobId: jobId, error: PLANNED });
  }

  async function planChild(
    decided: DecidedWrite,
    write: Extract<RoofrWrite, { kind: 'task.upsert' | 'note.upsert' | 'appointment.upsert' }>,
    queuedBehind: string | null,
  ): Promise<RoofrSyncResult> {
    const kind: ChildKind =
      write.kind === 'task.upsert' ? 'task' : write.kind === 'note.upsert' ? 'note' : 'appointment';
    const entity = entityOf(write);
    const targetKind = kind === 'note' ? 'job_note' : 'job_task';
    const plan = await planChildUpsert({ store, roofr: deps.roofr }, decided.locationId, write);
    if (plan.via === 'skip') {
      const reason = `the ${deps.roofr.adapter} adapter cannot write ${targetKind === 'job_task' ? 'job tasks' : 'job notes'}`;
      countRecord([{ ...baseOf(entity, targetKind, null), action: 'SKIP', reason, fields: [] }]);
      return syncResult('SKIPPED', { error: reason });
    }
    const base = baseOf(entity, targetKind, plan.target.roofrId);
    let entry: RunEntryInput;
    if (plan.via === 'after-contact') {
      entry = createEntry(base, plan.target, "after its contact's Roofr job is created");
    } else if (plan.target.roofrId === null) {
      entry = createEntry(base, plan.target, null);
    } else {
      entry = await updateEntry(
        base,
        write.record.update,
        directions[sectionOf(kind)],
        await readChild(portFor(decided.options), targetKind, plan.jobId, plan.target.roofrId),
        decided.locationId,
      );
    }
    countRecord([withQueuedNote(entry, queuedBehind)]);
    return syncResult('SYNCED', {
      roofrId: plan.target.roofrId,
      roofrJobId: plan.via === 'direct' ? plan.jobId : null,
      error: PLANNED,
    });
  }

  function planRemoval(write: RoofrWrite): RoofrSyncResult {
    const entity = entityOf(write);
    const removals: Array<{ kind: RoofrEntityKind; id: string | null; action: string }> = [];
    switch (write.kind) {
      case 'contact.delete':
        if (write.policy === 'archive') removals.push({ kind: 'job', id: write.jobId, action: 'ARCHIVE' });
        else if (write.policy === 'delete') removals.push({ kind: 'customer', id: write.customerId, action: 'DELETE' });
        break;
      case 'task.delete':
      case 'appointment.delete':
        removals.push({ kind: 'job_task', id: write.roofrId, action: 'DELETE' });
        break;
      case 'note.delete':
        removals.push({ kind: 'job_note', id: write.roofrId, action: 'DELETE' });
        break;
      case 'duplicate.delete':
        removals.push({ kind: write.roofrKind, id: write.roofrId, action: 'DELETE' });
        break;
      default:
        break;
    }
    countRecord(
      removals.map((removal) => ({
        ...baseOf(entity, removal.kind, removal.id),
        action: removal.action,
        reason: null,
        fields: [],
      })),
    );
    return syncResult('SYNCED', { error: PLANNED });
  }

  function withQueuedNote(entry: RunEntryInput, queuedBehind: string | null): RunEntryInput {
    if (queuedBehind === null) return entry;
    return { ...entry, reason: entry.reason === null ? queuedBehind : `${entry.reason}; ${queuedBehind}` };
  }

  return {
    recordsOnly: true,

    async submit(decided) {
      const { write, locationId } = decided;
      const prefix = entityKeyPrefix(locationId, entityOf(write));
      const queuedBehind = (await hasPendingWrite(store.db, prefix))
        ? 'queued behind an earlier write of this record still in the outbox'
        : null;
      planned.add(prefix);
      switch (write.kind) {
        case 'contact.upsert':
          return planContact(decided, write, queuedBehind);
        case 'task.upsert':
        case 'note.upsert':
        case 'appointment.upsert':
          return planChild(decided, write, queuedBehind);
        default:
          return planRemoval(write);
      }
    },

    async isPending(locationId, entity) {
      const prefix = entityKeyPrefix(locationId, entity);
      return planned.has(prefix) || hasPendingWrite(store.db, prefix);
    },

    unwritten(unwritten: UnwrittenRecord) {
      if (unwritten.unchanged) {
        for (const target of unwritten.targets) tally(target, 'UNCHANGED');
        return;
      }
      countRecord(
        unwritten.targets.map((target) => ({
          ...baseOf(unwritten.entity, target, null),
          action: 'SKIP',
          reason: unwritten.reason,
          fields: [] as FieldChange[],
        })),
      );
    },

    drain() {
      const drained = batch;
      batch = emptyBatch();
      jobChildren = new Map();
      // A page's contacts are planned before their children; nothing later waits on them.
      planned.clear();
      return drained;
    },
  };
}
