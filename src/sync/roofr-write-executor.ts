/**
 * Performs one RoofrWrite against the Roofr port and records the result: links (GHL entity ↔
 * Roofr record) and the content hash written. Used by the direct attempt of a mutation and by
 * the outbox delivery, so both write exactly the same way. Create-vs-update comes from the links
 * at the time of the write; each request carries an idempotency key derived from the write's key,
 * so a repeat after a lost answer is answered by Roofr's replay instead of a second record.
 * Failures of Roofr are thrown (RoofrError); the caller decides between queueing and failing.
 * What a write becomes (create or update of which record, or a skip and why) is decided by
 * planContactUpsert / planChildUpsert, which a dry run (dry-run-sink.ts) calls too: a plan
 * cannot say "update" where the executor would create.
 */
import type { Kysely } from 'kysely';
import type { GatewayEventSink } from '../domain/gateway-events.js';
import { isRoofrError, RoofrNotFoundError } from '../roofr/errors.js';
import type { RoofrCapabilities, RoofrPort, WriteOutcome } from '../roofr/roofr-port.js';
import type { GroupCommit } from '../store/group-commit.js';
import type { ContentHashKey, HashesRepo } from '../store/hashes-repo.js';
import type { Link, LinkInput, LinksRepo } from '../store/links-repo.js';
import type { Database, GhlEntityKind, RoofrEntityKind } from '../store/schema.js';
import { inTransaction } from '../store/store-context.js';
import {
  asCustomer,
  asJob,
  asNote,
  asTask,
  entityKeyPrefix,
  entityOf,
  type AppointmentRemoval,
  type AppointmentUpsert,
  type ContactRemoval,
  type ContactUpsert,
  type DuplicateRemoval,
  type NoteRemoval,
  type NoteUpsert,
  type RoofrWrite,
  type TaskRemoval,
  type TaskUpsert,
} from './roofr-writes.js';

export interface ExecutorDeps {
  /** With `db`, a write's link and hash are stored in one transaction; with `commits`, in one shared with concurrent writes. */
  store: { links: LinksRepo; hashes: HashesRepo; db?: Kysely<Database>; commits?: GroupCommit };
  roofr: RoofrPort;
  /** Where contacts synced and Roofr's refusals are reported (notifications, Zapier). */
  events?: GatewayEventSink;
}

export interface Executed {
  status: 'SYNCED' | 'SKIPPED';
  roofrId: string | null;
  roofrJobId: string | null;
  /** Why nothing was written (SKIPPED). */
  reason: string | null;
}

/** The write needs a Roofr record that is not there yet (e.g. the contact's job is still queued). */
export class RoofrDependencyPendingError extends Error {
  readonly retryAfterMs = 1_000;
  constructor(message: string) {
    super(message);
    this.name = 'RoofrDependencyPendingError';
  }
}

/** Hash key kind for contacts handed to the Zapier bridge, whose Roofr ids we never learn. */
export const ZAPIER_FORWARD_KIND = 'zapier_forward';

export async function activeLink(
  links: LinksRepo,
  locationId: string,
  ghlKind: GhlEntityKind,
  ghlId: string,
  roofrKind: RoofrEntityKind,
): Promise<Link | null> {
  const link = await links.findByGhl({ locationId, ghlKind, ghlId, roofrKind });
  return link !== null && link.status === 'active' ? link : null;
}

/**
 * Records what Roofr confirmed: the link and the content hash written, atomically when the store
 * offers a transaction (never a link without its hash after a crash). A batch sync does this for
 * every record, so concurrent records share a commit (group-commit.ts) where the store offers it.
 */
async function recordWritten(
  store: ExecutorDeps['store'],
  link: LinkInput,
  key: ContentHashKey,
  hash: string,
): Promise<void> {
  const record = async (trx: Kysely<Database>): Promise<void> => {
    await store.links.upsert(link, trx);
    await store.hashes.put(key, hash, trx);
  };
  if (store.commits !== undefined) return store.commits.run(record);
  if (store.db === undefined) {
    await store.links.upsert(link);
    await store.hashes.put(key, hash);
    return;
  }
  await inTransaction(store.db, record);
}

function synced(roofrId: string | null, roofrJobId: string | null): Executed {
  return { status: 'SYNCED', roofrId, roofrJobId, reason: null };
}

function skippedWith(reason: string, roofrId: string | null = null, roofrJobId: string | null = null): Executed {
  return { status: 'SKIPPED', roofrId, roofrJobId, reason };
}

/**
 * Performs the write and reports it to the gateway's event stream (deps.events): a contact that
 * reached Roofr, a write Roofr accepted, or one it refused for its credentials or the record.
 */
export async function executeRoofrWrite(
  deps: ExecutorDeps,
  locationId: string,
  write: RoofrWrite,
  idempotencyKey: string,
): Promise<Executed> {
  let executed: Executed;
  try {
    executed = await performRoofrWrite(deps, locationId, write, idempotencyKey);
  } catch (error) {
    if (
      deps.events !== undefined &&
      isRoofrError(error) &&
      (error.kind === 'Unauthorized' || error.kind === 'Validation')
    )
      deps.events.emit({
        type: 'roofr.refused',
        at: new Date().toISOString(),
        locationId,
        reason: error.kind === 'Unauthorized' ? 'unauthorized' : 'validation',
        message: error.message,
        entity: entityOf(write),
      });
    throw error;
  }
  if (deps.events !== undefined && executed.status === 'SYNCED') {
    const at = new Date().toISOString();
    deps.events.emit({ type: 'roofr.accepted', at, locationId });
    if (write.kind === 'contact.upsert')
      deps.events.emit({
        type: 'contact.synced',
        at,
        locationId,
        contactId: write.ghlContactId,
        roofrCustomerId: executed.roofrId,
        roofrJobId: executed.roofrJobId,
      });
  }
  return executed;
}

async function performRoofrWrite(
  deps: ExecutorDeps,
  locationId: string,
  write: RoofrWrite,
  idempotencyKey: string,
): Promise<Executed> {
  switch (write.kind) {
    case 'contact.upsert':
      return upsertContact(deps, locationId, write, idempotencyKey);
    case 'task.upsert':
    case 'note.upsert':
    case 'appointment.upsert':
      return upsertChild(deps, locationId, write, idempotencyKey);
    case 'contact.delete':
      return removeContact(deps, locationId, write, idempotencyKey);
    case 'task.delete':
    case 'note.delete':
    case 'appointment.delete':
      return removeChild(deps, locationId, write, idempotencyKey);
    case 'duplicate.delete':
      return removeDuplicate(deps, write, idempotencyKey);
  }
}

/** One Roofr record a write creates (roofrId null) or updates, with the body sent. */
export interface UpsertTarget {
  roofrId: string | null;
  record: Record<string, unknown>;
}

function targetOf(link: Link | null, record: { create: Record<string, unknown>; update: Record<string, unknown> }) {
  return link === null
    ? { roofrId: null, record: record.create }
    : { roofrId: link.roofrId, record: { ...record.update, id: link.roofrId } };
}

/** What a contact upsert does in Roofr: the decision the executor performs and a dry run records. */
type ContactPlan =
  | { via: 'direct'; customer: UpsertTarget; job: UpsertTarget }
  /** A bridge (Zapier) creates the customer with their job in one step, and can do nothing else. */
  | { via: 'bridge'; customer: UpsertTarget; job: UpsertTarget }
  | { via: 'skip'; reason: string; customerId: string | null; jobId: string | null };

interface PlanDeps {
  store: { links: LinksRepo; hashes: HashesRepo };
  roofr: { adapter: RoofrPort['adapter']; capabilities: RoofrCapabilities };
}

/** The active link, unless a repair retires it (its Roofr record is gone). */
async function linkOf(
  links: LinksRepo,
  locationId: string,
  ghl: { kind: GhlEntityKind; id: string },
  roofrKind: RoofrEntityKind,
  retire: readonly string[],
): Promise<Link | null> {
  const link = await activeLink(links, locationId, ghl.kind, ghl.id, roofrKind);
  return link !== null && retire.includes(link.roofrId) ? null : link;
}

export async function planContactUpsert(
  deps: PlanDeps,
  locationId: string,
  write: ContactUpsert,
): Promise<ContactPlan> {
  const { roofr, store } = deps;
  const retire = write.repair?.retire ?? [];
  const contact = { kind: 'contact' as const, id: write.ghlContactId };
  const customerLink = await linkOf(store.links, locationId, contact, 'customer', retire);
  const jobLink = await linkOf(store.links, locationId, contact, 'job', retire);
  if (roofr.capabilities.upsertCustomer && roofr.capabilities.upsertJob) {
    return { via: 'direct', customer: targetOf(customerLink, write.customer), job: targetOf(jobLink, write.job) };
  }
  const skip = (reason: string): ContactPlan => ({ via: 'skip', reason, customerId: null, jobId: null });
  if (!roofr.capabilities.upsertCustomerAndJob)
    return skip(`the ${roofr.adapter} adapter cannot write customers or jobs`);
  const forwarded = await store.hashes.get(forwardKeyOf(locationId, write.ghlContactId));
  if (customerLink !== null || jobLink !== null || forwarded !== null)
    return skip(
      `the ${roofr.adapter} adapter can only create a customer with their job; this contact was sent to Roofr before, so change it in Roofr (or use the REST adapter)`,
    );
  return { via: 'bridge', customer: targetOf(null, write.customer), job: targetOf(null, write.job) };
}

/** What a task / note / appointment upsert does in Roofr (see planContactUpsert). */
type ChildPlan =
  /** The adapter cannot write job tasks (notes); the adapter says why. */
  | { via: 'skip' }
  /** The contact's job is not in Roofr yet: the write waits for it (the outbox retries it). */
  | { via: 'after-contact'; target: UpsertTarget }
  | { via: 'direct'; jobId: string; target: UpsertTarget };

export async function planChildUpsert(
  deps: PlanDeps,
  locationId: string,
  write: TaskUpsert | NoteUpsert | AppointmentUpsert,
): Promise<ChildPlan> {
  const { ghlKind, ghlId, roofrKind } = childOf(write);
  const capable =
    roofrKind === 'job_task' ? deps.roofr.capabilities.upsertJobTask : deps.roofr.capabilities.upsertJobNote;
  if (!capable) return { via: 'skip' };
  const retire = write.repair?.retire ?? [];
  const jobLink = await activeLink(deps.store.links, locationId, 'contact', write.ghlContactId, 'job');
  const link = await linkOf(deps.store.links, locationId, { kind: ghlKind, id: ghlId }, roofrKind, retire);
  const target = targetOf(link, write.record);
  return jobLink === null ? { via: 'after-contact', target } : { via: 'direct', jobId: jobLink.roofrId, target };
}

/** A repair's links to Roofr records that are gone: retired before the write, with their hashes. */
async function retireGone(
  store: ExecutorDeps['store'],
  locationId: string,
  ghl: { kind: GhlEntityKind; id: string },
  roofrKinds: readonly RoofrEntityKind[],
  retire: readonly string[],
): Promise<void> {
  if (retire.length === 0) return;
  for (const roofrKind of roofrKinds) {
    const link = await activeLink(store.links, locationId, ghl.kind, ghl.id, roofrKind);
    if (link === null || !retire.includes(link.roofrId)) continue;
    await store.links.markDeleted(link.id);
    await store.hashes.delete({ locationId, direction: 'ghl_to_roofr', entityKind: roofrKind, entityId: link.roofrId });
  }
}

async function upsertContact(
  deps: ExecutorDeps,
  locationId: string,
  write: ContactUpsert,
  key: string,
): Promise<Executed> {
  const { roofr, store } = deps;
  const ghl = { locationId, ghlKind: 'contact' as const, ghlId: write.ghlContactId };
  const retire = write.repair?.retire ?? [];
  await retireGone(store, locationId, { kind: 'contact', id: write.ghlContactId }, ['customer', 'job'], retire);
  const plan = await planContactUpsert(deps, locationId, write);
  if (plan.via === 'skip') {
    // An adapter that cannot write customers answers with its own reason, without a request.
    if (!roofr.capabilities.upsertCustomerAndJob)
      return outcomeWithoutIds(await roofr.upsertCustomer(asCustomer(write.customer.create), { idempotencyKey: key }));
    return skippedWith(plan.reason);
  }
  if (plan.via === 'bridge') return upsertContactViaBridge(deps, locationId, write, key);

  const customerOutcome =
    plan.customer.roofrId !== null
      ? await roofr.upsertCustomer(asCustomer(plan.customer.record), { idempotencyKey: `${key}:customer:update` })
      : await roofr.upsertCustomer(asCustomer(plan.customer.record), { idempotencyKey: `${key}:customer:create` });
  if (customerOutcome.status !== 'APPLIED') return outcomeWithoutIds(customerOutcome);
  const customerId = customerOutcome.id;
  await recordWritten(
    store,
    { ...ghl, roofrKind: 'customer', roofrId: customerId },
    { locationId, direction: 'ghl_to_roofr', entityKind: 'customer', entityId: customerId },
    write.customerHash,
  );

  // The job create is keyed by the customer and the job content, not the whole write's key:
  // that key changes once the customer's hash is stored, so a crash between the two creates
  // would create the job twice on the retry. (Sync engine crash test, test/e2e/sync-crash.test.ts.)
  // A repair recreating a job Roofr lost adds its run: the original create's key would be replayed.
  const jobCreateKey = `${entityKeyPrefix(locationId, { kind: 'contact', id: write.ghlContactId })}job.create:${customerId}:${write.jobHash}${write.repair === undefined ? '' : `:repair:${write.repair.runId}`}`;
  const jobOutcome =
    plan.job.roofrId !== null
      ? await roofr.upsertJob(customerId, asJob(plan.job.record), { idempotencyKey: `${key}:job:update` })
      : await roofr.upsertJob(customerId, asJob(plan.job.record), { idempotencyKey: jobCreateKey });
  if (jobOutcome.status !== 'APPLIED') return { ...outcomeWithoutIds(jobOutcome), roofrId: customerId };
  await recordWritten(
    store,
    { ...ghl, roofrKind: 'job', roofrId: jobOutcome.id },
    { locationId, direction: 'ghl_to_roofr', entityKind: 'job', entityId: jobOutcome.id },
    write.jobHash,
  );
  return synced(customerId, jobOutcome.id);
}

function forwardKeyOf(locationId: string, ghlContactId: string): ContentHashKey {
  return { locationId, direction: 'ghl_to_roofr', entityKind: ZAPIER_FORWARD_KIND, entityId: ghlContactId };
}

/** Adapters that only create a customer with their job in one step (Zapier); planContactUpsert chose it. */
async function upsertContactViaBridge(
  deps: ExecutorDeps,
  locationId: string,
  write: ContactUpsert,
  key: string,
): Promise<Executed> {
  const { roofr, store } = deps;
  const outcome = await roofr.upsertCustomerAndJob(asCustomer(write.customer.create), asJob(write.job.create), {
    idempotencyKey: key,
  });
  if (outcome.customer.status === 'SKIPPED') return skippedWith(outcome.customer.reason);
  if (outcome.job.status === 'SKIPPED') return skippedWith(outcome.job.reason);
  const ghl = { locationId, ghlKind: 'contact' as const, ghlId: write.ghlContactId };
  const customerId = outcome.customer.status === 'APPLIED' ? outcome.customer.id : null;
  const jobId = outcome.job.status === 'APPLIED' ? outcome.job.id : null;
  if (customerId !== null) await store.links.upsert({ ...ghl, roofrKind: 'customer', roofrId: customerId });
  if (jobId !== null) await store.links.upsert({ ...ghl, roofrKind: 'job', roofrId: jobId });
  // Forwarded: Roofr's ids are unknown; remember the hand-over so an update is not a second create.
  await store.hashes.put(forwardKeyOf(locationId, write.ghlContactId), `${write.customerHash}|${write.jobHash}`);
  return synced(customerId, jobId);
}

function outcomeWithoutIds(outcome: WriteOutcome): Executed {
  if (outcome.status === 'SKIPPED') return skippedWith(outcome.reason);
  if (outcome.status === 'FORWARDED') return synced(null, null);
  return synced(outcome.id, null);
}

/** The GHL entity of a child write and the Roofr record it becomes (appointments are job tasks). */
function childOf(write: TaskUpsert | NoteUpsert | AppointmentUpsert | TaskRemoval | NoteRemoval | AppointmentRemoval): {
  ghlKind: 'task' | 'note' | 'appointment';
  ghlId: string;
  roofrKind: 'job_task' | 'job_note';
} {
  switch (write.kind) {
    case 'task.upsert':
    case 'task.delete':
      return { ghlKind: 'task', ghlId: write.ghlTaskId, roofrKind: 'job_task' };
    case 'note.upsert':
    case 'note.delete':
      return { ghlKind: 'note', ghlId: write.ghlNoteId, roofrKind: 'job_note' };
    case 'appointment.upsert':
    case 'appointment.delete':
      return { ghlKind: 'appointment', ghlId: write.ghlAppointmentId, roofrKind: 'job_task' };
  }
}

async function upsertChild(
  deps: ExecutorDeps,
  locationId: string,
  write: TaskUpsert | NoteUpsert | AppointmentUpsert,
  key: string,
): Promise<Executed> {
  const { roofr, store } = deps;
  const { ghlKind, ghlId, roofrKind } = childOf(write);
  const isTask = roofrKind === 'job_task';
  const send = (jobId: string, record: Record<string, unknown>, suffix: string): Promise<WriteOutcome> =>
    isTask
      ? roofr.upsertJobTask(jobId, asTask(record), { idempotencyKey: `${key}:${suffix}` })
      : roofr.upsertJobNote(jobId, asNote(record), { idempotencyKey: `${key}:${suffix}` });

  await retireGone(store, locationId, { kind: ghlKind, id: ghlId }, [roofrKind], write.repair?.retire ?? []);
  const plan = await planChildUpsert(deps, locationId, write);
  // The adapter answers SKIPPED with its reason without any request.
  if (plan.via === 'skip') return outcomeWithoutIds(await send('', write.record.create, 'create'));
  if (plan.via === 'after-contact')
    throw new RoofrDependencyPendingError(
      `contact ${write.ghlContactId} has no Roofr job yet; its ${ghlKind} is written once the contact reached Roofr`,
    );
  const outcome = await send(plan.jobId, plan.target.record, plan.target.roofrId === null ? 'create' : 'update');
  if (outcome.status !== 'APPLIED') return { ...outcomeWithoutIds(outcome), roofrJobId: plan.jobId };
  await recordWritten(
    store,
    { locationId, ghlKind, ghlId, roofrKind, roofrId: outcome.id },
    { locationId, direction: 'ghl_to_roofr', entityKind: roofrKind, entityId: outcome.id },
    write.hash,
  );
  return synced(outcome.id, plan.jobId);
}

async function removeContact(
  deps: ExecutorDeps,
  locationId: string,
  write: ContactRemoval,
  key: string,
): Promise<Executed> {
  const { roofr, store } = deps;
  const customerLink = await activeLink(store.links, locationId, 'contact', write.ghlContactId, 'customer');
  const jobLink = await activeLink(store.links, locationId, 'contact', write.ghlContactId, 'job');
  const customerId = customerLink?.roofrId ?? null;
  const jobId = jobLink?.roofrId ?? null;
  let result: Executed;
  if (write.policy === 'ignore') {
    result = skippedWith('ROOFR_DELETE_POLICY=ignore: the Roofr records are kept', customerId, jobId);
  } else if (customerId === null && jobId === null) {
    result = skippedWith('the contact was never synced to Roofr');
  } else {
    try {
      const outcome =
        write.policy === 'archive'
          ? jobId === null
            ? null
            : await roofr.archiveJob(jobId, { idempotencyKey: `${key}:archive` })
          : customerId === null
            ? null
            : await roofr.deleteCustomer(customerId, { idempotencyKey: `${key}:delete` });
      if (outcome === null) result = skippedWith(`nothing to ${write.policy} in Roofr`, customerId, jobId);
      else
        result =
          outcome.status === 'SKIPPED' ? skippedWith(outcome.reason, customerId, jobId) : synced(customerId, jobId);
    } catch (error) {
      // Already gone in Roofr: the delete's goal holds.
      if (!(error instanceof RoofrNotFoundError)) throw error;
      result = synced(customerId, jobId);
    }
  }
  for (const link of [customerLink, jobLink]) {
    if (link === null) continue;
    await store.links.markDeleted(link.id);
    await store.hashes.delete({
      locationId,
      direction: 'ghl_to_roofr',
      entityKind: link.roofrKind,
      entityId: link.roofrId,
    });
  }
  return result;
}

/**
 * Deletes a job task / note in Roofr (the adapter treats an already-gone record as deleted), then
 * retires its link and hash: also when the adapter cannot delete (SKIPPED), as the GHL record is
 * gone and the Roofr one is no longer synced.
 */
async function removeChild(
  deps: ExecutorDeps,
  locationId: string,
  write: TaskRemoval | NoteRemoval | AppointmentRemoval,
  key: string,
): Promise<Executed> {
  const { roofr, store } = deps;
  const { ghlKind, ghlId, roofrKind } = childOf(write);
  const options = { idempotencyKey: `${key}:delete` };
  const outcome =
    roofrKind === 'job_task'
      ? await roofr.deleteJobTask(write.roofrJobId, write.roofrId, options)
      : await roofr.deleteJobNote(write.roofrJobId, write.roofrId, options);
  const link = await activeLink(store.links, locationId, ghlKind, ghlId, roofrKind);
  // Only the link the delete was decided for: a newer link (re-created record) stays.
  if (link !== null && link.roofrId === write.roofrId) await store.links.markDeleted(link.id);
  await store.hashes.delete({ locationId, direction: 'ghl_to_roofr', entityKind: roofrKind, entityId: write.roofrId });
  return outcome.status === 'SKIPPED'
    ? skippedWith(outcome.reason, write.roofrId, write.roofrJobId)
    : synced(write.roofrId, write.roofrJobId);
}

/** Deletes a Roofr copy a verify found (no link names it); a copy already gone counts as deleted. */
async function removeDuplicate(deps: ExecutorDeps, write: DuplicateRemoval, key: string): Promise<Executed> {
  const options = { idempotencyKey: `${key}:delete` };
  try {
    const outcome =
      write.roofrKind === 'customer'
        ? await deps.roofr.deleteCustomer(write.roofrId, options)
        : write.roofrKind === 'job_task'
          ? await deps.roofr.deleteJobTask(write.roofrJobId ?? '', write.roofrId, options)
          : await deps.roofr.deleteJobNote(write.roofrJobId ?? '', write.roofrId, options);
    return outcome.status === 'SKIPPED' ? skippedWith(outcome.reason, write.roofrId) : synced(write.roofrId, null);
  } catch (error) {
    if (!(error instanceof RoofrNotFoundError)) throw error;
    return synced(write.roofrId, null);
  }
}
