/**
 * The Roofr simulator's records, in memory. Ids are numeric strings in creation order, like the
 * integer ids of Roofr's web app. Exposed as `data` by startRoofrSimulator so tests can seed and
 * inspect state without going through HTTP.
 */
import {
  emptyRoofrAddress,
  type RoofrAddress,
  type RoofrCustomer,
  type RoofrCustomerFields,
  type RoofrJob,
  type RoofrJobContact,
  type RoofrJobContactFields,
  type RoofrJobFields,
  type RoofrJobNote,
  type RoofrJobNoteFields,
  type RoofrJobTask,
  type RoofrJobTaskFields,
} from '../../roofr/types.js';

/** Writes may send part of an address; the rest is kept. */
type Patch<T extends { address: RoofrAddress }> = Omit<Partial<T>, 'address'> & { address?: Partial<RoofrAddress> };
type CustomerPatch = Patch<RoofrCustomerFields>;
type JobPatch = Patch<RoofrJobFields>;

export type StoreEvent =
  | { type: 'customer.created' | 'customer.updated'; customer: RoofrCustomer }
  | { type: 'job.created'; job: RoofrJob }
  | { type: 'job.stage_changed'; job: RoofrJob; previousStage: string | null };

export class RoofrSimStore {
  readonly customers = new Map<string, RoofrCustomer>();
  readonly jobs = new Map<string, RoofrJob>();
  readonly jobContacts = new Map<string, RoofrJobContact>();
  readonly jobTasks = new Map<string, RoofrJobTask>();
  readonly jobNotes = new Map<string, RoofrJobNote>();
  private nextId = 1000;
  private readonly listeners: Array<(event: StoreEvent) => void> = [];

  constructor(private readonly now: () => Date = () => new Date()) {}

  onChange(listener: (event: StoreEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private id(): string {
    this.nextId += 1;
    return String(this.nextId);
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  createCustomer(fields: CustomerPatch): RoofrCustomer {
    const at = this.stamp();
    const customer: RoofrCustomer = {
      id: this.id(),
      first_name: null,
      last_name: null,
      email: null,
      phone: null,
      company_name: null,
      custom_fields: {},
      ...fields,
      address: { ...emptyRoofrAddress(), ...fields.address },
      created_at: at,
      updated_at: at,
    };
    this.customers.set(customer.id, customer);
    this.emit({ type: 'customer.created', customer });
    return customer;
  }

  updateCustomer(id: string, fields: CustomerPatch): RoofrCustomer | null {
    const existing = this.customers.get(id);
    if (!existing) return null;
    const customer: RoofrCustomer = {
      ...existing,
      ...fields,
      address: { ...existing.address, ...fields.address },
      custom_fields: { ...existing.custom_fields, ...fields.custom_fields },
      updated_at: this.stamp(),
    };
    this.customers.set(id, customer);
    this.emit({ type: 'customer.updated', customer });
    return customer;
  }

  /** Deleting a customer deletes their jobs and everything on them, as Roofr's UI does. */
  deleteCustomer(id: string): boolean {
    if (!this.customers.delete(id)) return false;
    for (const job of [...this.jobs.values()]) {
      if (job.customer_id === id) this.deleteJobChildren(job.id);
    }
    return true;
  }

  private deleteJobChildren(jobId: string): void {
    this.jobs.delete(jobId);
    for (const map of [this.jobContacts, this.jobTasks, this.jobNotes] as const) {
      for (const [childId, child] of map) if (child.job_id === jobId) map.delete(childId);
    }
  }

  findCustomers(query: { email?: string; phone?: string }): RoofrCustomer[] {
    const email = query.email?.trim().toLowerCase();
    const phone = query.phone === undefined ? undefined : digits(query.phone);
    return [...this.customers.values()].filter(
      (customer) =>
        (email === undefined || customer.email?.toLowerCase() === email) &&
        (phone === undefined || (customer.phone !== null && digits(customer.phone) === phone)),
    );
  }

  createJob(customerId: string, fields: JobPatch): RoofrJob {
    const at = this.stamp();
    const job: RoofrJob = {
      id: this.id(),
      customer_id: customerId,
      name: null,
      workflow_stage: 'New Incoming Leads',
      lead_source: null,
      tags: [],
      assignees: [],
      external_ref: null,
      custom_fields: {},
      ...fields,
      address: { ...emptyRoofrAddress(), ...fields.address },
      archived: false,
      created_at: at,
      updated_at: at,
    };
    this.jobs.set(job.id, job);
    this.emit({ type: 'job.created', job });
    return job;
  }

  updateJob(id: string, fields: JobPatch & { customer_id?: string; archived?: boolean }): RoofrJob | null {
    const existing = this.jobs.get(id);
    if (!existing) return null;
    const job: RoofrJob = {
      ...existing,
      ...fields,
      address: { ...existing.address, ...fields.address },
      custom_fields: { ...existing.custom_fields, ...fields.custom_fields },
      updated_at: this.stamp(),
    };
    this.jobs.set(id, job);
    if (job.workflow_stage !== existing.workflow_stage)
      this.emit({ type: 'job.stage_changed', job, previousStage: existing.workflow_stage });
    return job;
  }

  createJobContact(jobId: string, fields: Partial<RoofrJobContactFields>): RoofrJobContact {
    const contact: RoofrJobContact = {
      id: this.id(),
      job_id: jobId,
      contact_type: 'other',
      first_name: null,
      last_name: null,
      email: null,
      phone: null,
      ...fields,
    };
    this.jobContacts.set(contact.id, contact);
    return contact;
  }

  updateJobContact(jobId: string, id: string, fields: Partial<RoofrJobContactFields>): RoofrJobContact | null {
    const existing = this.jobContacts.get(id);
    if (!existing || existing.job_id !== jobId) return null;
    const contact = { ...existing, ...fields };
    this.jobContacts.set(id, contact);
    return contact;
  }

  createJobTask(jobId: string, fields: Partial<RoofrJobTaskFields> & { title: string }): RoofrJobTask {
    const at = this.stamp();
    const task: RoofrJobTask = {
      id: this.id(),
      job_id: jobId,
      description: null,
      status: 'open',
      assignee: null,
      due_at: null,
      external_ref: null,
      ...fields,
      created_at: at,
      updated_at: at,
    };
    this.jobTasks.set(task.id, task);
    return task;
  }

  updateJobTask(jobId: string, id: string, fields: Partial<RoofrJobTaskFields>): RoofrJobTask | null {
    const existing = this.jobTasks.get(id);
    if (!existing || existing.job_id !== jobId) return null;
    const task = { ...existing, ...fields, updated_at: this.stamp() };
    this.jobTasks.set(id, task);
    return task;
  }

  createJobNote(jobId: string, fields: Partial<RoofrJobNoteFields> & { body: string }): RoofrJobNote {
    const at = this.stamp();
    const note: RoofrJobNote = {
      id: this.id(),
      job_id: jobId,
      author: null,
      external_ref: null,
      created_at: at,
      ...fields,
      updated_at: at,
    };
    if (note.created_at === null) note.created_at = at;
    this.jobNotes.set(note.id, note);
    return note;
  }

  updateJobNote(jobId: string, id: string, fields: Partial<RoofrJobNoteFields>): RoofrJobNote | null {
    const existing = this.jobNotes.get(id);
    if (!existing || existing.job_id !== jobId) return null;
    const note = { ...existing, ...fields, updated_at: this.stamp() };
    this.jobNotes.set(id, note);
    return note;
  }

  /** Deletes a job's task or note; false when it is unknown or on another job (the route's 404). */
  deleteChild(map: Map<string, { job_id: string }>, jobId: string, id: string): boolean {
    const existing = map.get(id);
    if (!existing || existing.job_id !== jobId) return false;
    return map.delete(id);
  }

  childrenOf<T extends { job_id: string }>(map: Map<string, T>, jobId: string): T[] {
    return [...map.values()].filter((child) => child.job_id === jobId);
  }

  clear(): void {
    for (const map of [this.customers, this.jobs, this.jobContacts, this.jobTasks, this.jobNotes] as const) map.clear();
  }
}

function digits(phone: string): string {
  return phone.replace(/\D/g, '');
}
