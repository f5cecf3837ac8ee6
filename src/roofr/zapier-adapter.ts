/**
 * RoofrPort over Roofr's one documented integration surface: a Zap whose trigger is a Zapier
 * catch hook (ROOFR_ZAPIER_HOOK_URL) and whose action is Roofr's "Create Job and Customer".
 * That action can only create, so this adapter carries exactly one operation: a new customer
 * with their job. Everything else answers SKIPPED with the reason, so the sync records why a
 * change did not reach Roofr instead of dropping it. Zapier does not dedupe, so writes are not
 * retried after a timeout or 5xx (Roofr might then hold the job twice); the idempotency key still
 * travels in the payload and header for a Zap filter to use.
 */
import { resolveRoofrPaths } from './api-paths.js';
import { RoofrContractError } from './errors.js';
import { RoofrTransport, type RoofrRequestEvent } from './rest-transport.js';
import {
  capabilitiesOf,
  skipped,
  type CustomerAndJobOutcome,
  type ReadOutcome,
  type RoofrCapabilities,
  type RoofrOperation,
  type RoofrPort,
  type Skipped,
  type WriteOptions,
  type WriteOutcome,
} from './roofr-port.js';
import type {
  RoofrCustomer,
  RoofrCustomerWrite,
  RoofrJob,
  RoofrJobContact,
  RoofrJobNote,
  RoofrJobTask,
  RoofrJobWrite,
} from './types.js';
import { ZapierHookResponseSchema, type ZapierJobAndCustomer } from './zapier-payload.js';

interface ZapierAdapterOptions {
  hookUrl: string;
  timeoutMs: number;
  /** Only for answers that prove nothing was processed (429, connection refused). */
  maxRetries: number;
  retryBaseDelayMs?: number;
  onRequest?: (event: RoofrRequestEvent) => void;
  now?: () => Date;
}

const HOOK_LABEL = 'POST zapier-catch-hook';
const NO_ACTION = "Roofr's Zapier app has one action, Create Job and Customer";

export const ZAPIER_SKIP_REASONS: Readonly<Partial<Record<RoofrOperation, string>>> = {
  upsertCustomer: `${NO_ACTION}: a customer is only created together with a job (upsertCustomerAndJob)`,
  upsertJob: `${NO_ACTION}: a job is only created together with its customer (upsertCustomerAndJob)`,
  upsertJobContact: `${NO_ACTION}: job contacts cannot be added through Zapier`,
  upsertJobTask: `${NO_ACTION}: job tasks cannot be written through Zapier`,
  upsertJobNote: `${NO_ACTION}: job notes cannot be written through Zapier`,
  getCustomer: 'the Zapier bridge cannot read from Roofr (no search or get action)',
  getJob: 'the Zapier bridge cannot read from Roofr (no search or get action)',
  listJobContacts: 'the Zapier bridge cannot read from Roofr (no search or get action)',
  listJobTasks: 'the Zapier bridge cannot read from Roofr (no search or get action)',
  listJobNotes: 'the Zapier bridge cannot read from Roofr (no search or get action)',
  findCustomers: 'the Zapier bridge cannot search Roofr (no search action)',
  archiveJob: `${NO_ACTION}: jobs cannot be archived through Zapier; archive it in Roofr`,
  deleteCustomer: `${NO_ACTION}: customers cannot be deleted through Zapier; delete it in Roofr`,
  deleteJobTask: `${NO_ACTION}: job tasks cannot be deleted through Zapier; delete it in Roofr`,
  deleteJobNote: `${NO_ACTION}: job notes cannot be deleted through Zapier; delete it in Roofr`,
};

const UPDATE_REASON = `${NO_ACTION}, which cannot update: change existing Roofr records in Roofr or use the REST adapter`;

export class RoofrZapierAdapter implements RoofrPort {
  readonly adapter = 'zapier' as const;
  readonly capabilities: RoofrCapabilities = capabilitiesOf(false, { upsertCustomerAndJob: true });
  private readonly transport: RoofrTransport;

  constructor(private readonly options: ZapierAdapterOptions) {
    this.transport = new RoofrTransport({
      baseUrl: options.hookUrl,
      apiKey: '',
      authHeader: 'authorization',
      authScheme: '',
      paths: resolveRoofrPaths(),
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      honoursIdempotencyKey: false,
      ...(options.retryBaseDelayMs === undefined ? {} : { retryBaseDelayMs: options.retryBaseDelayMs }),
      ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
    });
  }

  async upsertCustomerAndJob(
    customer: RoofrCustomerWrite,
    job: RoofrJobWrite,
    options: WriteOptions,
  ): Promise<CustomerAndJobOutcome> {
    if (customer.id !== undefined || job.id !== undefined) {
      const outcome = skipped('upsertCustomerAndJob', UPDATE_REASON);
      return { customer: outcome, job: outcome };
    }
    const { id: _customerId, ...customerFields } = customer;
    const { id: _jobId, ...jobFields } = job;
    const payload: ZapierJobAndCustomer = {
      idempotency_key: options.idempotencyKey,
      sent_at: (this.options.now?.() ?? new Date()).toISOString(),
      customer: customerFields,
      job: jobFields,
    };
    const response = await this.transport.postTo(this.options.hookUrl, HOOK_LABEL, payload, {
      idempotencyKey: options.idempotencyKey,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.deadlineAt === undefined ? {} : { deadlineAt: options.deadlineAt }),
    });
    const parsed = ZapierHookResponseSchema.safeParse(response.body);
    if (!parsed.success)
      throw new RoofrContractError(
        HOOK_LABEL,
        parsed.error.issues[0]?.path.join('.') ?? '',
        'not a Zapier catch-hook answer',
      );
    if (parsed.data.status !== 'success')
      throw new RoofrContractError(HOOK_LABEL, 'status', `Zapier answered status "${parsed.data.status}"`);
    const outcome: WriteOutcome = {
      status: 'FORWARDED',
      via: 'zapier',
      requestId: parsed.data.request_id ?? parsed.data.id ?? null,
    };
    return { customer: outcome, job: outcome };
  }

  private skip(operation: RoofrOperation): Promise<Skipped> {
    return Promise.resolve(
      skipped(operation, ZAPIER_SKIP_REASONS[operation] ?? `${operation} is not possible through Zapier`),
    );
  }

  upsertCustomer(): Promise<WriteOutcome> {
    return this.skip('upsertCustomer');
  }

  upsertJob(): Promise<WriteOutcome> {
    return this.skip('upsertJob');
  }

  upsertJobContact(): Promise<WriteOutcome> {
    return this.skip('upsertJobContact');
  }

  upsertJobTask(): Promise<WriteOutcome> {
    return this.skip('upsertJobTask');
  }

  upsertJobNote(): Promise<WriteOutcome> {
    return this.skip('upsertJobNote');
  }

  getCustomer(): Promise<ReadOutcome<RoofrCustomer>> {
    return this.skip('getCustomer');
  }

  getJob(): Promise<ReadOutcome<RoofrJob>> {
    return this.skip('getJob');
  }

  listJobContacts(): Promise<ReadOutcome<RoofrJobContact[]>> {
    return this.skip('listJobContacts');
  }

  listJobTasks(): Promise<ReadOutcome<RoofrJobTask[]>> {
    return this.skip('listJobTasks');
  }

  listJobNotes(): Promise<ReadOutcome<RoofrJobNote[]>> {
    return this.skip('listJobNotes');
  }

  findCustomers(): Promise<ReadOutcome<RoofrCustomer[]>> {
    return this.skip('findCustomers');
  }

  archiveJob(): Promise<WriteOutcome> {
    return this.skip('archiveJob');
  }

  deleteCustomer(): Promise<WriteOutcome> {
    return this.skip('deleteCustomer');
  }

  deleteJobTask(): Promise<WriteOutcome> {
    return this.skip('deleteJobTask');
  }

  deleteJobNote(): Promise<WriteOutcome> {
    return this.skip('deleteJobNote');
  }
}
