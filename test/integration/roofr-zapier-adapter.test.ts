import { RoofrUnavailableError } from '../../src/roofr/errors.js';
import { ROOFR_OPERATIONS, type RoofrPort } from '../../src/roofr/roofr-port.js';
import { RoofrZapierAdapter, ZAPIER_SKIP_REASONS } from '../../src/roofr/zapier-adapter.js';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';

describe('Roofr Zapier adapter against the simulator catch hook', () => {
  let simulator: RoofrSimulator;
  let adapter: RoofrZapierAdapter;

  beforeEach(async () => {
    simulator = await startRoofrSimulator();
    adapter = new RoofrZapierAdapter({
      hookUrl: simulator.zapierHookUrl,
      timeoutMs: 2000,
      maxRetries: 2,
      retryBaseDelayMs: 5,
    });
  });

  afterEach(async () => {
    await simulator.close();
  });

  it('when a new customer and job are upserted, then the Zap creates both in Roofr and the outcome is FORWARDED', async () => {
    const outcome = await adapter.upsertCustomerAndJob(
      {
        first_name: 'Maria',
        last_name: 'Gonzalez',
        email: 'maria@example.com',
        phone: '+15125550143',
        address: { street: '1 Elm', city: 'Austin', state: 'TX', postal_code: '78756', country: 'US' },
      },
      { name: 'Maria Gonzalez', tags: ['hail'], lead_source: 'HighLevel', external_ref: 'ghl:contact:abc' },
      { idempotencyKey: 'ghl:contact:abc:v1' },
    );
    expect(outcome.customer).toEqual({ status: 'FORWARDED', via: 'zapier', requestId: expect.any(String) });
    const [receipt] = simulator.zapier.received;
    expect(receipt?.body).toMatchObject({
      idempotency_key: 'ghl:contact:abc:v1',
      customer: { first_name: 'Maria' },
      job: { name: 'Maria Gonzalez' },
    });
    expect(receipt?.outcome).toEqual({ customerId: expect.any(String), jobId: expect.any(String) });
    const [job] = [...simulator.data.jobs.values()];
    expect(job).toMatchObject({ name: 'Maria Gonzalez', tags: ['hail'], external_ref: 'ghl:contact:abc' });
    expect(simulator.data.customers.get(job?.customer_id ?? '')?.email).toBe('maria@example.com');
  });

  it('when the records carry Roofr ids (an update), then nothing is posted and the outcome says why', async () => {
    const outcome = await adapter.upsertCustomerAndJob(
      { id: '1001', first_name: 'X' },
      { name: 'X' },
      { idempotencyKey: 'k' },
    );
    expect(outcome.customer).toEqual({
      status: 'SKIPPED',
      operation: 'upsertCustomerAndJob',
      reason: expect.stringContaining('cannot update'),
    });
    expect(simulator.zapier.received).toHaveLength(0);
  });

  it('when any other operation is asked, then it answers SKIPPED with its reason and posts nothing', async () => {
    const port: RoofrPort = adapter;
    const options = { idempotencyKey: 'k' };
    const outcomes = [
      await port.upsertCustomer({ first_name: 'A' }, options),
      await port.upsertJob('1', { name: 'A' }, options),
      await port.upsertJobContact('1', { contact_type: 'insurance' }, options),
      await port.upsertJobTask('1', { title: 'T' }, options),
      await port.upsertJobNote('1', { body: 'N' }, options),
      await port.getCustomer('1'),
      await port.getJob('1'),
      await port.listJobContacts('1'),
      await port.listJobTasks('1'),
      await port.listJobNotes('1'),
      await port.findCustomers({ email: 'a@example.com' }),
      await port.archiveJob('1', options),
      await port.deleteCustomer('1', options),
      await port.deleteJobTask('1', '2', options),
      await port.deleteJobNote('1', '3', options),
    ];
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('SKIPPED');
      if (outcome.status === 'SKIPPED') expect(outcome.reason).toBe(ZAPIER_SKIP_REASONS[outcome.operation]);
    }
    expect(outcomes.map((outcome) => outcome.status === 'SKIPPED' && outcome.operation)).toEqual(
      ROOFR_OPERATIONS.filter((operation) => operation !== 'upsertCustomerAndJob'),
    );
    expect(simulator.log.entries).toHaveLength(0);
  });

  it('when a job task or note is deleted, then it answers SKIPPED saying to delete it in Roofr', async () => {
    const port: RoofrPort = adapter;
    const task = await port.deleteJobTask('job1', 'task1', { idempotencyKey: 'd1' });
    const note = await port.deleteJobNote('job1', 'note1', { idempotencyKey: 'd2' });
    expect(task).toEqual({
      status: 'SKIPPED',
      operation: 'deleteJobTask',
      reason: expect.stringMatching(/job tasks cannot be deleted through Zapier; delete it in Roofr/),
    });
    expect(note).toEqual({
      status: 'SKIPPED',
      operation: 'deleteJobNote',
      reason: expect.stringMatching(/job notes cannot be deleted through Zapier; delete it in Roofr/),
    });
    expect(simulator.log.entries).toHaveLength(0);
  });

  it('when the capabilities are read, then only upsertCustomerAndJob is expressible', () => {
    expect(
      Object.entries(adapter.capabilities)
        .filter(([, can]) => can)
        .map(([operation]) => operation),
    ).toEqual(['upsertCustomerAndJob']);
  });

  it('when Zapier answers 429, then the post is retried and lands once', async () => {
    simulator.faults.rateLimitNext(1, 0);
    const outcome = await adapter.upsertCustomerAndJob(
      { first_name: 'Retry' },
      { name: 'Retry job' },
      { idempotencyKey: 'k' },
    );
    expect(outcome.job.status).toBe('FORWARDED');
    expect(simulator.data.jobs.size).toBe(1);
  });

  it('when Zapier answers 503, then the post is not retried because Zapier would not dedupe it', async () => {
    simulator.faults.failNext(1, 503);
    await expect(
      adapter.upsertCustomerAndJob({ first_name: 'Once' }, { name: 'Once' }, { idempotencyKey: 'k' }),
    ).rejects.toBeInstanceOf(RoofrUnavailableError);
    expect(simulator.log.count('POST /hooks/catch/{accountId}/{hookId}')).toBe(1);
    expect(simulator.data.jobs.size).toBe(0);
  });
});
