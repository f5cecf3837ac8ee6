/**
 * RoofrPort over the REST shape in docs/roofr-api.md: partner API access when Roofr grants it,
 * and the embedded simulator (ROOFR_ADAPTER=simulator) which serves the same shape. Responses are
 * parsed with zod before they become domain records; a mismatch is a RoofrContractError naming
 * the field.
 */
import type { z } from 'zod';
import type { RoofrEndpointName } from './api-paths.js';
import { RoofrContractError, RoofrNotFoundError } from './errors.js';
import { RoofrTransport, type RoofrTransportOptions } from './rest-transport.js';
import {
  dataEnvelope,
  listEnvelope,
  RoofrCustomerSchema,
  RoofrJobContactSchema,
  RoofrJobNoteSchema,
  RoofrJobSchema,
  RoofrJobTaskSchema,
} from './rest-schemas.js';
import {
  capabilitiesOf,
  type CustomerAndJobOutcome,
  type CustomerQuery,
  type Found,
  type ReadOptions,
  type RoofrCapabilities,
  type RoofrPort,
  type WriteOptions,
  type WriteOutcome,
} from './roofr-port.js';
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

/** A runaway `links.next` chain stops here instead of looping forever. */
const MAX_PAGES = 500;
const PER_PAGE = 100;

export interface RestAdapterOptions extends RoofrTransportOptions {
  adapter?: 'rest' | 'simulator';
}

export class RoofrRestAdapter implements RoofrPort {
  readonly adapter: 'rest' | 'simulator';
  readonly capabilities: RoofrCapabilities = capabilitiesOf(true);
  readonly transport: RoofrTransport;

  constructor(options: RestAdapterOptions) {
    this.adapter = options.adapter ?? 'rest';
    this.transport = new RoofrTransport(options);
  }

  async upsertCustomer(record: RoofrCustomerWrite, options: WriteOptions): Promise<WriteOutcome> {
    const { id, ...fields } = record;
    return this.write(
      id === undefined ? 'customers.create' : 'customers.update',
      id === undefined ? {} : { customerId: id },
      fields,
      options,
      RoofrCustomerSchema,
    );
  }

  async upsertJob(customerId: string, record: RoofrJobWrite, options: WriteOptions): Promise<WriteOutcome> {
    const { id, ...fields } = record;
    const body = { ...fields, customer_id: customerId };
    return this.write(
      id === undefined ? 'jobs.create' : 'jobs.update',
      id === undefined ? {} : { jobId: id },
      body,
      options,
      RoofrJobSchema,
    );
  }

  async upsertCustomerAndJob(
    customer: RoofrCustomerWrite,
    job: RoofrJobWrite,
    options: WriteOptions,
  ): Promise<CustomerAndJobOutcome> {
    const customerOutcome = await this.upsertCustomer(customer, {
      ...options,
      idempotencyKey: `${options.idempotencyKey}:customer`,
    });
    if (customerOutcome.status !== 'APPLIED') return { customer: customerOutcome, job: customerOutcome };
    const jobOutcome = await this.upsertJob(customerOutcome.id, job, {
      ...options,
      idempotencyKey: `${options.idempotencyKey}:job`,
    });
    return { customer: customerOutcome, job: jobOutcome };
  }

  async upsertJobContact(jobId: string, record: RoofrJobContactWrite, options: WriteOptions): Promise<WriteOutcome> {
    const { id, ...fields } = record;
    return this.write(
      id === undefined ? 'jobContacts.create' : 'jobContacts.update',
      id === undefined ? { jobId } : { jobId, contactId: id },
      fields,
      options,
      RoofrJobContactSchema,
    );
  }

  async upsertJobTask(jobId: string, record: RoofrJobTaskWrite, options: WriteOptions): Promise<WriteOutcome> {
    const { id, ...fields } = record;
    return this.write(
      id === undefined ? 'jobTasks.create' : 'jobTasks.update',
      id === undefined ? { jobId } : { jobId, taskId: id },
      fields,
      options,
      RoofrJobTaskSchema,
    );
  }

  async upsertJobNote(jobId: string, record: RoofrJobNoteWrite, options: WriteOptions): Promise<WriteOutcome> {
    const { id, ...fields } = record;
    return this.write(
      id === undefined ? 'jobNotes.create' : 'jobNotes.update',
      id === undefined ? { jobId } : { jobId, noteId: id },
      fields,
      options,
      RoofrJobNoteSchema,
    );
  }

  async getCustomer(id: string, options: ReadOptions = {}): Promise<Found<RoofrCustomer>> {
    return this.readOne('customers.get', { customerId: id }, RoofrCustomerSchema, options);
  }

  async getJob(id: string, options: ReadOptions = {}): Promise<Found<RoofrJob>> {
    return this.readOne('jobs.get', { jobId: id }, RoofrJobSchema, options);
  }

  async listJobContacts(jobId: string, options: ReadOptions = {}): Promise<Found<RoofrJobContact[]>> {
    return this.readAll('jobContacts.list', { jobId }, {}, RoofrJobContactSchema, options);
  }

  async listJobTasks(jobId: string, options: ReadOptions = {}): Promise<Found<RoofrJobTask[]>> {
    return this.readAll('jobTasks.list', { jobId }, {}, RoofrJobTaskSchema, options);
  }

  async listJobNotes(jobId: string, options: ReadOptions = {}): Promise<Found<RoofrJobNote[]>> {
    return this.readAll('jobNotes.list', { jobId }, {}, RoofrJobNoteSchema, options);
  }

  async findCustomers(query: CustomerQuery, options: ReadOptions = {}): Promise<Found<RoofrCustomer[]>> {
    if (query.email === undefined && query.phone === undefined) {
      // An empty search would list every customer: never what a caller looking for a match means.
      return { status: 'OK', value: [] };
    }
    return this.readAll(
      'customers.search',
      {},
      { email: query.email, phone: query.phone },
      RoofrCustomerSchema,
      options,
    );
  }

  async archiveJob(id: string, options: WriteOptions): Promise<WriteOutcome> {
    return this.write('jobs.archive', { jobId: id }, undefined, options, RoofrJobSchema);
  }

  async deleteCustomer(id: string, options: WriteOptions): Promise<WriteOutcome> {
    await this.transport.request({
      endpoint: 'customers.delete',
      params: { customerId: id },
      idempotencyKey: options.idempotencyKey,
      ...signalOf(options),
    });
    return { status: 'APPLIED', id, created: false };
  }

  async deleteJobTask(jobId: string, taskId: string, options: WriteOptions): Promise<WriteOutcome> {
    return this.remove('jobTasks.delete', { jobId, taskId }, taskId, options);
  }

  async deleteJobNote(jobId: string, noteId: string, options: WriteOptions): Promise<WriteOutcome> {
    return this.remove('jobNotes.delete', { jobId, noteId }, noteId, options);
  }

  /** A 404 means the record is already gone (an earlier attempt or a user in Roofr): the delete's goal holds. */
  private async remove(
    endpoint: RoofrEndpointName,
    params: Record<string, string>,
    id: string,
    options: WriteOptions,
  ): Promise<WriteOutcome> {
    try {
      await this.transport.request({ endpoint, params, idempotencyKey: options.idempotencyKey, ...signalOf(options) });
    } catch (error) {
      if (!(error instanceof RoofrNotFoundError)) throw error;
    }
    return { status: 'APPLIED', id, created: false };
  }

  private async write(
    endpoint: RoofrEndpointName,
    params: Record<string, string>,
    body: unknown,
    options: WriteOptions,
    schema: z.ZodType<{ id: string }>,
  ): Promise<WriteOutcome> {
    const response = await this.transport.request({
      endpoint,
      params,
      body: body ?? {},
      idempotencyKey: options.idempotencyKey,
      ...signalOf(options),
    });
    const record = parse(dataEnvelope(schema), response.body, endpoint);
    return { status: 'APPLIED', id: record.data.id, created: response.status === 201 };
  }

  private async readOne<T>(
    endpoint: RoofrEndpointName,
    params: Record<string, string>,
    schema: z.ZodType<T>,
    options: ReadOptions,
  ): Promise<Found<T>> {
    const response = await this.transport.request({ endpoint, params, ...signalOf(options) });
    return { status: 'OK', value: parse(dataEnvelope(schema), response.body, endpoint).data };
  }

  private async readAll<T>(
    endpoint: RoofrEndpointName,
    params: Record<string, string>,
    query: Record<string, string | undefined>,
    schema: z.ZodType<T>,
    options: ReadOptions,
  ): Promise<Found<T[]>> {
    const items: T[] = [];
    let nextUrl: string | undefined;
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const response = await this.transport.request({
        endpoint,
        params,
        query: { ...query, per_page: PER_PAGE, page },
        ...(nextUrl === undefined ? {} : { nextUrl }),
        ...signalOf(options),
      });
      const parsed = parse(listEnvelope(schema), response.body, endpoint);
      items.push(...parsed.data);
      const next = parsed.links?.next;
      if (next === undefined || next === null || parsed.data.length === 0) return { status: 'OK', value: items };
      nextUrl = next;
    }
    throw new RoofrContractError(endpoint, 'links.next', `more than ${MAX_PAGES} pages`);
  }
}

/** The signal and deadline of a port call, as the transport takes them. */
function signalOf(options: { signal?: AbortSignal; deadlineAt?: number }): {
  signal?: AbortSignal;
  deadlineAt?: number;
} {
  return {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.deadlineAt === undefined ? {} : { deadlineAt: options.deadlineAt }),
  };
}

function parse<T>(schema: z.ZodType<T>, body: unknown, endpoint: RoofrEndpointName): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new RoofrContractError(
    endpoint,
    issue ? issue.path.map(String).join('.') : '',
    issue?.message ?? 'unexpected shape',
  );
}
