import { contentHash } from '../../src/domain/content-hash.js';
import type { Mapping } from '../../src/domain/mapping/mapping-schema.js';
import { toGhl } from '../../src/domain/mapping/to-ghl.js';
import { toRoofr } from '../../src/domain/mapping/to-roofr.js';
import { resolveRoofrPaths } from '../../src/roofr/api-paths.js';
import { loadMappingFile } from '../../src/roofr/mapping-file.js';
import { RoofrRestAdapter } from '../../src/roofr/rest-adapter.js';
import type { WriteOutcome } from '../../src/roofr/roofr-port.js';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';
import { note, REALISTIC_CONTACTS, task } from '../unit/mapping/ghl-fixtures.js';

function idOf(outcome: WriteOutcome): string {
  if (outcome.status !== 'APPLIED') throw new Error(`expected APPLIED, got ${outcome.status}`);
  return outcome.id;
}

describe('default mapping through the Roofr simulator over HTTP', () => {
  let simulator: RoofrSimulator;
  let adapter: RoofrRestAdapter;
  let mapping: Mapping;

  beforeAll(async () => {
    mapping = await loadMappingFile('mapping/default.yaml');
    simulator = await startRoofrSimulator({ rateLimit: { limit: 1000, windowMs: 10_000 } });
    adapter = new RoofrRestAdapter({
      baseUrl: simulator.apiBaseUrl,
      apiKey: simulator.apiKey,
      authHeader: 'Authorization',
      authScheme: 'Bearer',
      paths: resolveRoofrPaths(),
      timeoutMs: 2000,
      maxRetries: 2,
      retryBaseDelayMs: 5,
    });
  });

  afterAll(async () => {
    await simulator.close();
  });

  it.each(REALISTIC_CONTACTS.map((source) => [source.id, source] as const))(
    'when contact %s is written to Roofr and read back, then mapping it to GHL reproduces the contact fields',
    async (_id, source) => {
      const tasks = [
        task({ id: `${source.id}-t`, title: 'Inspect roof', dueDate: '2026-03-02T15:00:00.000Z', assignedTo: 'usrA' }),
      ];
      const notes = [note({ id: `${source.id}-n`, body: 'Gate code 4321', userId: 'usrA' })];
      const records = toRoofr(mapping, { contact: source, tasks, notes });
      const key = contentHash(records);
      const pair = await adapter.upsertCustomerAndJob(records.customer, records.job, { idempotencyKey: key });
      const jobId = idOf(pair.job);
      for (const [index, jobTask] of records.jobTasks.entries())
        await adapter.upsertJobTask(jobId, jobTask, { idempotencyKey: `${key}:task:${index}` });
      for (const [index, jobNote] of records.jobNotes.entries())
        await adapter.upsertJobNote(jobId, jobNote, { idempotencyKey: `${key}:note:${index}` });

      const customer = await adapter.getCustomer(idOf(pair.customer));
      const job = await adapter.getJob(jobId);
      const jobTasks = await adapter.listJobTasks(jobId);
      const jobNotes = await adapter.listJobNotes(jobId);
      if (customer.status !== 'OK' || job.status !== 'OK' || jobTasks.status !== 'OK' || jobNotes.status !== 'OK')
        throw new Error('expected reads');
      const back = toGhl(mapping, {
        customer: customer.value,
        job: job.value,
        jobTasks: jobTasks.value,
        jobNotes: jobNotes.value,
      });

      expect(back.contact).toEqual({
        firstName: source.firstName,
        lastName: source.lastName,
        email: source.email,
        phone: source.phone,
        companyName: source.companyName,
        address1: source.address.line1,
        city: source.address.city,
        state: source.address.state,
        postalCode: source.address.postalCode,
        country: source.address.country,
        tags: source.tags,
        assignedTo: source.assignedTo,
      });
      expect(back.tasks).toEqual([
        {
          ghlId: `${source.id}-t`,
          roofrId: expect.any(String),
          write: {
            title: 'Inspect roof',
            body: null,
            dueDate: '2026-03-02T15:00:00.000Z',
            completed: false,
            assignedTo: 'usrA',
          },
        },
      ]);
      expect(back.notes).toEqual([
        { ghlId: `${source.id}-n`, roofrId: expect.any(String), write: { body: 'Gate code 4321', userId: 'usrA' } },
      ]);
    },
  );

  it('when the same mapped contact is written again with its content hash as key, then Roofr holds it once', async () => {
    const [source] = REALISTIC_CONTACTS;
    if (!source) throw new Error('fixture missing');
    const records = toRoofr(mapping, { contact: source });
    const before = simulator.data.jobs.size;
    const first = await adapter.upsertCustomerAndJob(records.customer, records.job, {
      idempotencyKey: `again:${contentHash(records)}`,
    });
    const second = await adapter.upsertCustomerAndJob(records.customer, records.job, {
      idempotencyKey: `again:${contentHash(toRoofr(mapping, { contact: { ...source } }))}`,
    });
    expect(idOf(second.job)).toBe(idOf(first.job));
    expect(simulator.data.jobs.size).toBe(before + 1);
  });
});
