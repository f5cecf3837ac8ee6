/**
 * The Roofr port: everything the gateway asks of Roofr, whatever carries it (partner REST API,
 * the Zapier bridge, the simulator). Roofr publishes no API, so adapters differ in what they can
 * express; an operation an adapter cannot carry answers `SKIPPED` with a reason instead of
 * throwing or silently doing nothing, so sync runs can record why a change did not reach Roofr.
 * Failures that are not about capability (auth, rate limit, outage) throw a RoofrError.
 */
import type {
  RoofrCustomer,
  RoofrCustomerWrite,
  RoofrJob,
  RoofrJobContact,
  RoofrJobContactWrite,
  RoofrJobNote,
  RoofrJobNoteWrite,
  RoofrJobTask,
  RoofrJobTaskWrite,
  RoofrJobWrite,
} from './types.js';

export const ROOFR_OPERATIONS = [
  'upsertCustomer',
  'upsertJob',
  'upsertCustomerAndJob',
  'upsertJobContact',
  'upsertJobTask',
  'upsertJobNote',
  'getCustomer',
  'getJob',
  'listJobContacts',
  'listJobTasks',
  'listJobNotes',
  'findCustomers',
  'archiveJob',
  'deleteCustomer',
  'deleteJobTask',
  'deleteJobNote',
] as const;

export type RoofrOperation = (typeof ROOFR_OPERATIONS)[number];

/** Which operations the adapter can express; `false` ones always answer SKIPPED. */
export type RoofrCapabilities = Readonly<Record<RoofrOperation, boolean>>;

export interface Skipped {
  status: 'SKIPPED';
  operation: RoofrOperation;
  /** Why the adapter could not carry the operation, in words an operator can act on. */
  reason: string;
}

/** Roofr holds the change: the record's Roofr id is known. */
export interface Applied {
  status: 'APPLIED';
  id: string;
  created: boolean;
}

/**
 * A bridge (Zapier) accepted the change for delivery to Roofr; Roofr's id is not known to us.
 * `requestId` is the bridge's receipt, for tracing.
 */
export interface Forwarded {
  status: 'FORWARDED';
  via: 'zapier';
  requestId: string | null;
}

export type WriteOutcome = Applied | Forwarded | Skipped;

export interface Found<T> {
  status: 'OK';
  value: T;
}

export type ReadOutcome<T> = Found<T> | Skipped;

export interface WriteOptions {
  /**
   * Same key, same request → Roofr applies it once. Derive it from the content (e.g. the record's
   * content hash plus its link id) so a retried sync job reuses it.
   */
  idempotencyKey: string;
  signal?: AbortSignal;
  /** Epoch ms by which the write must have settled (an inline push during a mutation). */
  deadlineAt?: number;
}

export interface ReadOptions {
  signal?: AbortSignal;
  deadlineAt?: number;
}

export interface CustomerQuery {
  email?: string;
  phone?: string;
}

export interface CustomerAndJobOutcome {
  customer: WriteOutcome;
  job: WriteOutcome;
}

export interface RoofrPort {
  /** Which adapter this is, for logs and the sync status. */
  readonly adapter: 'rest' | 'zapier' | 'simulator';
  readonly capabilities: RoofrCapabilities;

  upsertCustomer(record: RoofrCustomerWrite, options: WriteOptions): Promise<WriteOutcome>;
  upsertJob(customerId: string, record: RoofrJobWrite, options: WriteOptions): Promise<WriteOutcome>;
  /**
   * The customer and their job in one step: what Roofr's Zapier action "Create Job and Customer"
   * does, and what a sync of a new contact needs. REST adapters run upsertCustomer then upsertJob.
   */
  upsertCustomerAndJob(
    customer: RoofrCustomerWrite,
    job: RoofrJobWrite,
    options: WriteOptions,
  ): Promise<CustomerAndJobOutcome>;
  upsertJobContact(jobId: string, record: RoofrJobContactWrite, options: WriteOptions): Promise<WriteOutcome>;
  upsertJobTask(jobId: string, record: RoofrJobTaskWrite, options: WriteOptions): Promise<WriteOutcome>;
  upsertJobNote(jobId: string, record: RoofrJobNoteWrite, options: WriteOptions): Promise<WriteOutcome>;

  /** Throws RoofrNotFoundError for an unknown id. */
  getCustomer(id: string, options?: ReadOptions): Promise<ReadOutcome<RoofrCustomer>>;
  getJob(id: string, options?: ReadOptions): Promise<ReadOutcome<RoofrJob>>;
  listJobContacts(jobId: string, options?: ReadOptions): Promise<ReadOutcome<RoofrJobContact[]>>;
  listJobTasks(jobId: string, options?: ReadOptions): Promise<ReadOutcome<RoofrJobTask[]>>;
  listJobNotes(jobId: string, options?: ReadOptions): Promise<ReadOutcome<RoofrJobNote[]>>;
  /** Customers matching every given criterion (email case-insensitive, phone as E.164). */
  findCustomers(query: CustomerQuery, options?: ReadOptions): Promise<ReadOutcome<RoofrCustomer[]>>;

  /** For delete policies: a job is archived (Roofr keeps history), a customer deleted. */
  archiveJob(id: string, options: WriteOptions): Promise<WriteOutcome>;
  deleteCustomer(id: string, options: WriteOptions): Promise<WriteOutcome>;
  /**
   * Deletes a job task / note (APPLIED with the deleted id). A record already gone counts as
   * deleted, so a retried delete succeeds; a missing job or an outage still throws.
   */
  deleteJobTask(jobId: string, taskId: string, options: WriteOptions): Promise<WriteOutcome>;
  deleteJobNote(jobId: string, noteId: string, options: WriteOptions): Promise<WriteOutcome>;
}

export function skipped(operation: RoofrOperation, reason: string): Skipped {
  return { status: 'SKIPPED', operation, reason };
}

/** Capabilities with every operation set to `value`, then `overrides`. */
export function capabilitiesOf(
  value: boolean,
  overrides: Partial<Record<RoofrOperation, boolean>> = {},
): RoofrCapabilities {
  const all = Object.fromEntries(ROOFR_OPERATIONS.map((operation) => [operation, value])) as Record<
    RoofrOperation,
    boolean
  >;
  return Object.freeze({ ...all, ...overrides });
}
