import { resolveRoofrPaths } from '../../src/roofr/api-paths.js';
import {
  RoofrContractError,
  RoofrNotFoundError,
  RoofrRateLimitedError,
  RoofrUnauthorizedError,
  RoofrUnavailableError,
  RoofrValidationError,
} from '../../src/roofr/errors.js';
import { RoofrRestAdapter, type RestAdapterOptions } from '../../src/roofr/rest-adapter.js';
import type { RoofrRequestEvent } from '../../src/roofr/rest-transport.js';
import type { WriteOutcome } from '../../src/roofr/roofr-port.js';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';

function adapterFor(simulator: RoofrSimulator, overrides: Partial<RestAdapterOptions> = {}): RoofrRestAdapter {
  return new RoofrRestAdapter({
    baseUrl: simulator.apiBaseUrl,
    apiKey: simulator.apiKey,
    authHeader: 'Authorization',
    authScheme: 'Bearer',
    paths: resolveRoofrPaths(),
    timeoutMs: 2000,
    maxRetries: 3,
    retryBaseDelayMs: 5,
    ...overrides,
  });
}

function appliedId(outcome: WriteOutcome): string {
  if (outcome.status !== 'APPLIED') throw new Error(`expected APPLIED, got ${JSON.stringify(outcome)}`);
  return outcome.id;
}

describe('Roofr REST adapter against the Roofr simulator', () => {
  let simulator: RoofrSimulator;
  let adapter: RoofrRestAdapter;

  beforeEach(async () => {
    simulator = await startRoofrSimulator({ rateLimit: { limit: 1000, windowMs: 10_000 } });
    adapter = adapterFor(simulator);
  });

  afterEach(async () => {
    await simulator.close();
  });

  it('when a customer is upserted without id, then it is created and reads back with the same fields', async () => {
    const outcome = await adapter.upsertCustomer(
      {
        first_name: 'Ada',
        last_name: 'Lovelace',
        email: 'ada@example.com',
        phone: '+14155550101',
        address: { street: '1 Main St', city: 'Austin', state: 'TX', postal_code: '73301', country: 'US' },
      },
      { idempotencyKey: 'c-1' },
    );
    expect(outcome).toMatchObject({ status: 'APPLIED', created: true });
    const read = await adapter.getCustomer(appliedId(outcome));
    expect(read.status).toBe('OK');
    expect(read.status === 'OK' && read.value).toMatchObject({
      first_name: 'Ada',
      email: 'ada@example.com',
      address: { city: 'Austin', postal_code: '73301' },
    });
  });

  it('when a customer is upserted with its id, then it is updated, not duplicated', async () => {
    const id = appliedId(await adapter.upsertCustomer({ first_name: 'Ada' }, { idempotencyKey: 'c-1' }));
    const outcome = await adapter.upsertCustomer({ id, last_name: 'Byron' }, { idempotencyKey: 'c-2' });
    expect(outcome).toEqual({ status: 'APPLIED', id, created: false });
    expect(simulator.data.customers.size).toBe(1);
    expect(simulator.data.customers.get(id)).toMatchObject({ first_name: 'Ada', last_name: 'Byron' });
  });

  it('when the same idempotency key is sent twice, then Roofr holds one record and both answers name it', async () => {
    const first = await adapter.upsertCustomer({ first_name: 'Grace' }, { idempotencyKey: 'same-key' });
    const second = await adapter.upsertCustomer({ first_name: 'Grace' }, { idempotencyKey: 'same-key' });
    expect(appliedId(second)).toBe(appliedId(first));
    expect(simulator.data.customers.size).toBe(1);
    expect(simulator.log.count('POST /v1/customers')).toBe(2);
    expect(simulator.log.entries.filter((entry) => entry.replayed)).toHaveLength(1);
  });

  it('when a job, its contact, task and note are upserted, then each lists back from Roofr', async () => {
    const customerId = appliedId(await adapter.upsertCustomer({ first_name: 'Lin' }, { idempotencyKey: 'c' }));
    const jobOutcome = await adapter.upsertJob(
      customerId,
      { name: 'Lin roof', tags: ['storm'], workflow_stage: 'New Incoming Leads', external_ref: 'ghl:contact:1' },
      { idempotencyKey: 'j' },
    );
    const jobId = appliedId(jobOutcome);
    await adapter.upsertJobContact(
      jobId,
      { contact_type: 'insurance', first_name: 'Adjuster' },
      { idempotencyKey: 'jc' },
    );
    const taskId = appliedId(
      await adapter.upsertJobTask(
        jobId,
        { title: 'Inspect', status: 'open', due_at: '2026-12-01T10:00:00.000Z' },
        { idempotencyKey: 't' },
      ),
    );
    await adapter.upsertJobTask(jobId, { id: taskId, status: 'completed' }, { idempotencyKey: 't2' });
    await adapter.upsertJobNote(jobId, { body: 'Called the customer', author: 'u1' }, { idempotencyKey: 'n' });

    const job = await adapter.getJob(jobId);
    expect(job.status === 'OK' && job.value).toMatchObject({
      customer_id: customerId,
      name: 'Lin roof',
      tags: ['storm'],
      archived: false,
    });
    const contacts = await adapter.listJobContacts(jobId);
    expect(contacts.status === 'OK' && contacts.value.map((contact) => contact.contact_type)).toEqual(['insurance']);
    const tasks = await adapter.listJobTasks(jobId);
    expect(tasks.status === 'OK' && tasks.value).toEqual([
      expect.objectContaining({ id: taskId, title: 'Inspect', status: 'completed' }),
    ]);
    const notes = await adapter.listJobNotes(jobId);
    expect(notes.status === 'OK' && notes.value.map((note) => note.body)).toEqual(['Called the customer']);
  });

  it('when a list spans several pages, then every item comes back once', async () => {
    const customerId = appliedId(await adapter.upsertCustomer({ first_name: 'Many' }, { idempotencyKey: 'c' }));
    const job = simulator.data.createJob(customerId, { name: 'Big job' });
    for (let index = 0; index < 230; index += 1) simulator.data.createJobTask(job.id, { title: `Task ${index}` });
    const tasks = await adapter.listJobTasks(job.id);
    expect(tasks.status === 'OK' && new Set(tasks.value.map((task) => task.title)).size).toBe(230);
    expect(simulator.log.count('GET /v1/jobs/{jobId}/tasks')).toBe(3);
  });

  it('when customers are searched by email or phone, then only matches come back', async () => {
    simulator.data.createCustomer({ first_name: 'A', email: 'a@example.com', phone: '+14155550101' });
    simulator.data.createCustomer({ first_name: 'B', email: 'b@example.com', phone: '+14155550102' });
    const byEmail = await adapter.findCustomers({ email: 'A@Example.com' });
    expect(byEmail.status === 'OK' && byEmail.value.map((customer) => customer.first_name)).toEqual(['A']);
    const byPhone = await adapter.findCustomers({ phone: '+14155550102' });
    expect(byPhone.status === 'OK' && byPhone.value.map((customer) => customer.first_name)).toEqual(['B']);
    const none = await adapter.findCustomers({});
    expect(none).toEqual({ status: 'OK', value: [] });
  });

  it('when a job is archived and a customer deleted, then Roofr reflects both', async () => {
    const customerId = appliedId(await adapter.upsertCustomer({ first_name: 'Gone' }, { idempotencyKey: 'c' }));
    const jobId = appliedId(await adapter.upsertJob(customerId, { name: 'Old' }, { idempotencyKey: 'j' }));
    await adapter.archiveJob(jobId, { idempotencyKey: 'archive' });
    expect(simulator.data.jobs.get(jobId)?.archived).toBe(true);
    await expect(adapter.deleteCustomer(customerId, { idempotencyKey: 'delete' })).resolves.toEqual({
      status: 'APPLIED',
      id: customerId,
      created: false,
    });
    await expect(adapter.getCustomer(customerId)).rejects.toBeInstanceOf(RoofrNotFoundError);
  });

  it('when a job task and note are deleted twice, then both answers are APPLIED and Roofr no longer has them', async () => {
    const customerId = appliedId(await adapter.upsertCustomer({ first_name: 'Del' }, { idempotencyKey: 'dc' }));
    const jobId = appliedId(await adapter.upsertJob(customerId, { name: 'Del roof' }, { idempotencyKey: 'dj' }));
    const taskId = appliedId(await adapter.upsertJobTask(jobId, { title: 'Gone soon' }, { idempotencyKey: 'dt' }));
    const noteId = appliedId(await adapter.upsertJobNote(jobId, { body: 'Gone soon' }, { idempotencyKey: 'dn' }));
    for (const attempt of ['first', 'second']) {
      await expect(adapter.deleteJobTask(jobId, taskId, { idempotencyKey: `task-${attempt}` })).resolves.toEqual({
        status: 'APPLIED',
        id: taskId,
        created: false,
      });
      await expect(adapter.deleteJobNote(jobId, noteId, { idempotencyKey: `note-${attempt}` })).resolves.toEqual({
        status: 'APPLIED',
        id: noteId,
        created: false,
      });
    }
    expect(simulator.data.jobTasks.has(taskId)).toBe(false);
    expect(simulator.data.jobNotes.has(noteId)).toBe(false);
    const counts = simulator.log.counts();
    expect(counts['DELETE /v1/jobs/{jobId}/tasks/{taskId}']).toBe(2);
    expect(counts['DELETE /v1/jobs/{jobId}/notes/{noteId}']).toBe(2);
  });

  it('when a delete is repeated under the same idempotency key, then Roofr replays its first answer', async () => {
    const customerId = appliedId(await adapter.upsertCustomer({ first_name: 'Rep' }, { idempotencyKey: 'rc' }));
    const jobId = appliedId(await adapter.upsertJob(customerId, { name: 'Rep roof' }, { idempotencyKey: 'rj' }));
    const taskId = appliedId(await adapter.upsertJobTask(jobId, { title: 'Once' }, { idempotencyKey: 'rt' }));
    await adapter.deleteJobTask(jobId, taskId, { idempotencyKey: 'same-delete' });
    await adapter.deleteJobTask(jobId, taskId, { idempotencyKey: 'same-delete' });
    const deletes = simulator.log.entries.filter(
      (entry) => entry.route === 'DELETE /v1/jobs/{jobId}/tasks/{taskId}' && entry.idempotencyKey === 'same-delete',
    );
    expect(deletes.map((entry) => entry.replayed)).toEqual([false, true]);
  });

  it('when upsertCustomerAndJob runs, then the job belongs to the customer it created', async () => {
    const outcome = await adapter.upsertCustomerAndJob(
      { first_name: 'Pat' },
      { name: 'Pat roof' },
      { idempotencyKey: 'pair' },
    );
    const customerId = appliedId(outcome.customer);
    const jobId = appliedId(outcome.job);
    expect(simulator.data.jobs.get(jobId)?.customer_id).toBe(customerId);
  });

  it('when Roofr answers 503 twice, then the write is retried with the same key and lands once', async () => {
    const events: RoofrRequestEvent[] = [];
    adapter = adapterFor(simulator, { onRequest: (event) => events.push(event) });
    simulator.faults.failNext(2, 503);
    const outcome = await adapter.upsertCustomer({ first_name: 'Retry' }, { idempotencyKey: 'retry-key' });
    expect(outcome).toMatchObject({ status: 'APPLIED', created: true });
    expect(simulator.data.customers.size).toBe(1);
    expect(events.map((event) => event.status)).toEqual([503, 503, 201]);
    expect(events[0]?.retryReason).toBe('HTTP 503 on an idempotent request');
  });

  it('when Roofr stays at 503 beyond the retries, then the caller gets RoofrUnavailableError', async () => {
    adapter = adapterFor(simulator, { maxRetries: 1 });
    simulator.faults.failNext(5, 503);
    await expect(adapter.getCustomer('1')).rejects.toBeInstanceOf(RoofrUnavailableError);
  });

  it('when Roofr answers 429 with Retry-After, then the adapter waits and succeeds', async () => {
    simulator.faults.rateLimitNext(1, 0);
    const outcome = await adapter.upsertCustomer({ first_name: 'Patient' }, { idempotencyKey: 'k' });
    expect(outcome.status).toBe('APPLIED');
    expect(simulator.log.entries.map((entry) => entry.status)).toEqual([429, 201]);
  });

  it('when Retry-After is longer than the adapter will wait, then it throws RoofrRateLimitedError', async () => {
    adapter = adapterFor(simulator, { maxRetryAfterMs: 1000 });
    simulator.faults.rateLimitNext(1, 120);
    const error = await adapter.getJob('1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RoofrRateLimitedError);
    expect(error instanceof RoofrRateLimitedError && error.retryAfterMs).toBe(120_000);
  });

  it('when the simulator rate limit is spent, then the adapter paces itself from the headers instead of failing', async () => {
    simulator.rateLimit.configure({ limit: 3, windowMs: 300 });
    const customerId = appliedId(await adapter.upsertCustomer({ first_name: 'Paced' }, { idempotencyKey: 'c' }));
    for (let index = 0; index < 6; index += 1) await adapter.getCustomer(customerId);
    expect(simulator.log.entries.filter((entry) => entry.status === 429)).toHaveLength(0);
    expect(simulator.log.count('GET /v1/customers/{customerId}')).toBe(6);
  });

  it('when Roofr hangs, then the caller gets a Roofr Timeout error', async () => {
    adapter = adapterFor(simulator, { timeoutMs: 150, maxRetries: 1 });
    simulator.faults.set({ hang: true });
    const error = await adapter.getCustomer('1').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'Timeout', upstream: 'Roofr' });
    expect(simulator.log.entries.filter((entry) => entry.fault === 'hang')).toHaveLength(2);
  });

  it('when the connection is reset once, then an idempotent read is retried and succeeds', async () => {
    const customer = simulator.data.createCustomer({ first_name: 'Reset' });
    simulator.faults.resetNext(1);
    const read = await adapter.getCustomer(customer.id);
    expect(read.status === 'OK' && read.value.first_name).toBe('Reset');
  });

  it('when Roofr is down, then the caller gets a Roofr Unavailable error and after up the call works', async () => {
    adapter = adapterFor(simulator, { maxRetries: 1 });
    const customer = simulator.data.createCustomer({ first_name: 'Down' });
    await simulator.faults.down();
    const error = await adapter.getCustomer(customer.id).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'Unavailable', upstream: 'Roofr', status: null });
    await simulator.faults.up();
    const read = await adapter.getCustomer(customer.id);
    expect(read.status).toBe('OK');
  });

  it('when the API key is wrong, then the caller gets RoofrUnauthorizedError without retries', async () => {
    adapter = adapterFor(simulator, { apiKey: 'wrong' });
    await expect(adapter.getCustomer('1')).rejects.toBeInstanceOf(RoofrUnauthorizedError);
    expect(simulator.log.entries).toHaveLength(1);
  });

  it('when the auth header is configured differently, then the simulator configured alike accepts it', async () => {
    const custom = await startRoofrSimulator({ authHeader: 'X-Api-Key', authScheme: '' });
    try {
      const customAdapter = adapterFor(custom, { authHeader: 'X-Api-Key', authScheme: '' });
      await expect(customAdapter.upsertCustomer({ first_name: 'Key' }, { idempotencyKey: 'k' })).resolves.toMatchObject(
        { status: 'APPLIED' },
      );
    } finally {
      await custom.close();
    }
  });

  it('when a write is invalid, then RoofrValidationError names the field', async () => {
    const error = await adapter
      .upsertJob('does-not-exist', { name: 'Orphan' }, { idempotencyKey: 'k' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RoofrValidationError);
    expect(error instanceof RoofrValidationError && error.messages).toEqual([
      'customer_id: The selected customer id is invalid.',
    ]);
  });

  it('when the path map points elsewhere, then the adapter calls the configured path', async () => {
    adapter = adapterFor(simulator, { paths: resolveRoofrPaths({ 'customers.get': 'GET /jobs/{customerId}' }) });
    const customer = simulator.data.createCustomer({ first_name: 'Mapped' });
    await expect(adapter.getCustomer(customer.id)).rejects.toBeInstanceOf(RoofrNotFoundError);
    expect(simulator.log.count('GET /v1/jobs/{jobId}')).toBe(1);
  });

  it('when a response breaks the assumed shape, then RoofrContractError names the field', async () => {
    adapter = adapterFor(simulator, { paths: resolveRoofrPaths({ 'jobs.get': 'GET /customers/{jobId}' }) });
    const customer = simulator.data.createCustomer({ first_name: 'Shape' });
    const error = await adapter.getJob(customer.id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RoofrContractError);
    expect(error instanceof RoofrContractError && error.fieldPath).toBe('data.customer_id');
  });
});

describe('Roofr REST adapter cancellation', () => {
  it('when the caller aborts a hanging request, then the call rejects with the abort reason and is not retried', async () => {
    const simulator = await startRoofrSimulator();
    try {
      const adapter = adapterFor(simulator, { timeoutMs: 10_000 });
      simulator.faults.hangNext(1);
      const controller = new AbortController();
      const pending = adapter.getCustomer('1', { signal: controller.signal });
      // Abort once the simulator has logged the hanging request, so the abort hits it in flight.
      while (simulator.log.entries.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort(new Error('caller gave up'));
      await expect(pending).rejects.toThrow('caller gave up');
      expect(simulator.log.entries).toHaveLength(1);
    } finally {
      await simulator.close();
    }
  });
});
