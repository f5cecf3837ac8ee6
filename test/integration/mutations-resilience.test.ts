/**
 * The write path when things fail: Roofr down (the GHL write stands, the Roofr write waits in the
 * outbox and arrives exactly once, also across a gateway restart), HighLevel creates that time out
 * (reconciled, never duplicated), Roofr refusing a write (FAILED), dead letters and their retry,
 * and an adapter that cannot carry a write (SKIPPED with its reason).
 */
import { parseMapping } from '../../src/roofr/mapping-file.js';
import { startAnswerDroppingProxy, type AnswerDroppingProxy } from '../support/answer-dropping-proxy.js';
import {
  dataOf,
  eventually,
  gql,
  startWriteWorld,
  SYNC_FIELDS,
  type RoofrSyncAnswer,
  type WriteWorld,
} from './mutations-harness.js';

interface ContactPayload {
  contact: { id: string; email: string | null };
  roofrSync: RoofrSyncAnswer;
}

const CREATE_CONTACT = `mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id email } ${SYNC_FIELDS} } }`;
const UPDATE_CONTACT = `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { contact { id email } ${SYNC_FIELDS} } }`;

function ghlContactsWithEmail(world: WriteWorld, email: string): string[] {
  return world.ghlSim.data
    .listContactIds()
    .filter((id) => (world.ghlSim.data.getContact(id) as { email?: string } | undefined)?.email === email);
}

function roofrCustomersWithEmail(world: WriteWorld, email: string) {
  return [...world.roofrSim.data.customers.values()].filter((customer) => customer.email === email);
}

describe('when Roofr is down', () => {
  let world: WriteWorld;

  beforeEach(async () => {
    world = await startWriteWorld();
  });

  afterEach(async () => {
    await world.close();
  });

  test('when a contact is created, then HighLevel has it, roofrSync is QUEUED, and once Roofr is back it arrives exactly once', async () => {
    const gateway = await world.startGateway();
    await world.roofrSim.faults.down();

    const payload = dataOf<ContactPayload>(
      await gql(gateway, CREATE_CONTACT, { input: { firstName: 'Queued', email: 'queued@example.com' } }),
      'createContact',
    );
    expect(world.ghlSim.data.getContact(payload.contact.id)).toMatchObject({ email: 'queued@example.com' });
    expect(payload.roofrSync).toMatchObject({ status: 'QUEUED', roofrId: null });
    expect(payload.roofrSync.error).toMatch(/Roofr could not be reached/);
    expect(payload.roofrSync.outboxId).not.toBeNull();
    expect(world.roofrSim.data.customers.size).toBe(0);

    // A second change while queued goes behind the first, never around it.
    const update = dataOf<ContactPayload>(
      await gql(gateway, UPDATE_CONTACT, { id: payload.contact.id, input: { lastName: 'Later' } }),
      'updateContact',
    );
    expect(update.roofrSync.status).toBe('QUEUED');

    await world.roofrSim.faults.up();
    await eventually(async () => (await gateway.writePath.store.outbox.depth()) === 0, 'the outbox to drain');
    const customers = roofrCustomersWithEmail(world, 'queued@example.com');
    expect(customers).toHaveLength(1);
    expect(customers[0]).toMatchObject({ first_name: 'Queued', last_name: 'Later' });
    expect(
      [...world.roofrSim.data.jobs.values()].filter((job) => job.external_ref === `ghl:contact:${payload.contact.id}`),
    ).toHaveLength(1);
    const entry = await gateway.writePath.store.outbox.get(Number(payload.roofrSync.outboxId));
    expect(entry?.status).toBe('done');
  });

  test('when the gateway restarts while a write is queued, then the new gateway delivers it once Roofr is back, exactly once', async () => {
    const first = await world.startGateway();
    await world.roofrSim.faults.down();
    const payload = dataOf<ContactPayload>(
      await gql(first, CREATE_CONTACT, { input: { firstName: 'Restart', email: 'restart@example.com' } }),
      'createContact',
    );
    expect(payload.roofrSync.status).toBe('QUEUED');
    await first.close();

    const second = await world.startGateway();
    expect(await second.writePath.store.outbox.depth()).toBe(1);
    await world.roofrSim.faults.up();
    await eventually(
      async () => (await second.writePath.store.outbox.depth()) === 0,
      'the restarted gateway to drain the outbox',
    );
    expect(roofrCustomersWithEmail(world, 'restart@example.com')).toHaveLength(1);
    expect(
      [...world.roofrSim.data.jobs.values()].filter((job) => job.external_ref === `ghl:contact:${payload.contact.id}`),
    ).toHaveLength(1);
    const link = await second.writePath.store.links.findByGhl({
      locationId: second.locationId,
      ghlKind: 'contact',
      ghlId: payload.contact.id,
      roofrKind: 'customer',
    });
    expect(link?.roofrId).toBe(roofrCustomersWithEmail(world, 'restart@example.com')[0]?.id);
  });

  test('when a task is created for a contact whose Roofr write is still queued, then the task is QUEUED too and lands on the job after it', async () => {
    const gateway = await world.startGateway();
    await world.roofrSim.faults.down();
    const contact = dataOf<ContactPayload>(
      await gql(gateway, CREATE_CONTACT, { input: { firstName: 'Parent', email: 'parent@example.com' } }),
      'createContact',
    );
    const task = dataOf<{ task: { id: string }; roofrSync: RoofrSyncAnswer }>(
      await gql(
        gateway,
        `mutation($c: ID!) { createTask(contactId: $c, input: {title: "Measure", dueDate: "2026-12-03T09:00:00Z"}) { task { id } ${SYNC_FIELDS} } }`,
        { c: contact.contact.id },
      ),
      'createTask',
    );
    expect(task.roofrSync.status).toBe('QUEUED');
    await world.roofrSim.faults.up();
    await eventually(async () => (await gateway.writePath.store.outbox.depth()) === 0, 'the outbox to drain');
    const job = [...world.roofrSim.data.jobs.values()].find(
      (candidate) => candidate.external_ref === `ghl:contact:${contact.contact.id}`,
    );
    const tasks = [...world.roofrSim.data.jobTasks.values()].filter(
      (candidate) => candidate.external_ref === `ghl:task:${task.task.id}`,
    );
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.job_id).toBe(job?.id);
  });
});

describe('when a HighLevel create times out', () => {
  let world: WriteWorld;
  let proxy: AnswerDroppingProxy;

  beforeAll(async () => {
    world = await startWriteWorld();
    proxy = await startAnswerDroppingProxy(world.ghlSim.url);
  });

  afterAll(async () => {
    await world.close();
    await proxy.close();
  });

  test('when the create was stored but its answer lost, then the contact is found by email and not created again', async () => {
    const gateway = await world.startGateway({
      GHL_API_BASE_URL: proxy.url,
      GHL_REQUEST_TIMEOUT_MS: '400',
      GHL_WRITE_TIMEOUT_MS: '400',
    });
    const createsBefore = world.ghlSim.log.count('POST', '/contacts/');
    proxy.dropNextAnswers('POST', '/contacts/');

    const payload = dataOf<ContactPayload>(
      await gql(gateway, CREATE_CONTACT, { input: { firstName: 'Lost', email: 'lost-answer@example.com' } }),
      'createContact',
    );
    expect(proxy.dropped).toBe(1);
    expect(world.ghlSim.log.count('POST', '/contacts/')).toBe(createsBefore + 1);
    expect(ghlContactsWithEmail(world, 'lost-answer@example.com')).toEqual([payload.contact.id]);
    expect(payload.roofrSync.status).toBe('SYNCED');
    expect(roofrCustomersWithEmail(world, 'lost-answer@example.com')).toHaveLength(1);
  });

  test('when the answer is lost and search lags behind writes, then the upsert retry matches the stored contact: still one', async () => {
    const gateway = await world.startGateway({
      GHL_API_BASE_URL: proxy.url,
      GHL_REQUEST_TIMEOUT_MS: '400',
      GHL_WRITE_TIMEOUT_MS: '400',
    });
    world.ghlSim.setSearchLag(60_000);
    try {
      proxy.dropNextAnswers('POST', '/contacts/');
      const payload = dataOf<ContactPayload>(
        await gql(gateway, CREATE_CONTACT, { input: { firstName: 'Lagged', email: 'lagged@example.com' } }),
        'createContact',
      );
      expect(ghlContactsWithEmail(world, 'lagged@example.com')).toEqual([payload.contact.id]);
    } finally {
      world.ghlSim.setSearchLag(0);
    }
  });

  test('when the create hung before it was stored (simulator hang fault), then it is looked up, not found, and sent once more as an upsert: one contact', async () => {
    const gateway = await world.startGateway({ GHL_REQUEST_TIMEOUT_MS: '400', GHL_WRITE_TIMEOUT_MS: '400' });
    const createsBefore = world.ghlSim.log.count('POST', '/contacts/');
    const upsertsBefore = world.ghlSim.log.count('POST', '/contacts/upsert');
    world.ghlSim.faults.hangNext(1, { method: 'POST', path: '/contacts/' });

    const payload = dataOf<ContactPayload>(
      await gql(gateway, CREATE_CONTACT, { input: { firstName: 'Hung', phone: '+1 415 555 0199' } }),
      'createContact',
    );
    expect(world.ghlSim.log.count('POST', '/contacts/')).toBe(createsBefore + 1);
    expect(world.ghlSim.log.count('POST', '/contacts/upsert')).toBe(upsertsBefore + 1);
    const withPhone = world.ghlSim.data
      .listContactIds()
      .filter((id) => (world.ghlSim.data.getContact(id) as { phone?: string } | undefined)?.phone === '+14155550199');
    expect(withPhone).toEqual([payload.contact.id]);
  });

  test('when a create is stored but its answer arrives cut off, then it is looked up and returned, not reported failed, and not created twice', async () => {
    const gateway = await world.startGateway();
    world.ghlSim.faults.malformNext(1, { method: 'POST', path: '/contacts/' });

    const answer = await gql(gateway, CREATE_CONTACT, { input: { firstName: 'Cut', email: 'cut.off@example.com' } });

    expect(answer.errors).toBeUndefined();
    const payload = dataOf<ContactPayload>(answer, 'createContact');
    const stored = world.ghlSim.data
      .listContactIds()
      .filter(
        (id) => (world.ghlSim.data.getContact(id) as { email?: string } | undefined)?.email === 'cut.off@example.com',
      );
    expect(stored).toEqual([payload.contact.id]);
  });

  test('when a task or note create loses its answer, then the listing finds it and exactly one of each exists', async () => {
    const gateway = await world.startGateway({
      GHL_API_BASE_URL: proxy.url,
      GHL_REQUEST_TIMEOUT_MS: '400',
      GHL_WRITE_TIMEOUT_MS: '400',
    });
    const contact = dataOf<ContactPayload>(
      await gql(gateway, CREATE_CONTACT, { input: { firstName: 'Kids', email: 'kids@example.com' } }),
      'createContact',
    );
    proxy.dropNextAnswers('POST', `/contacts/${contact.contact.id}/tasks`);
    proxy.dropNextAnswers('POST', `/contacts/${contact.contact.id}/notes`);

    const task = await gql(
      gateway,
      `mutation($c: ID!) { createTask(contactId: $c, input: {title: "Quote", dueDate: "2026-12-04T12:00:00Z"}) { task { id } ${SYNC_FIELDS} } }`,
      { c: contact.contact.id },
    );
    const note = await gql(
      gateway,
      `mutation($c: ID!) { createNote(contactId: $c, input: {body: "Called, no answer"}) { note { id } ${SYNC_FIELDS} } }`,
      { c: contact.contact.id },
    );
    expect(task.errors).toBeUndefined();
    expect(note.errors).toBeUndefined();
    expect(proxy.dropped).toBeGreaterThanOrEqual(3);
    expect(world.ghlSim.data.tasksOf(contact.contact.id)).toHaveLength(1);
    expect(world.ghlSim.data.notesOf(contact.contact.id)).toHaveLength(1);
    expect([...world.roofrSim.data.jobTasks.values()].filter((candidate) => candidate.title === 'Quote')).toHaveLength(
      1,
    );
  });
});

describe('when Roofr refuses a write or the adapter cannot carry it', () => {
  let world: WriteWorld;

  beforeAll(async () => {
    world = await startWriteWorld();
  });

  afterAll(async () => {
    await world.close();
  });

  test('when Roofr answers a validation error, then roofrSync is FAILED with the reason while HighLevel keeps the contact', async () => {
    // A mapping that sends the first name as the customer's e-mail, which Roofr refuses.
    const mapping = parseMapping(
      'version: 1\ncustomer:\n  - { roofr: email, ghl: firstName, direction: to_roofr }\n',
      'test-mapping.yaml',
    );
    const gateway = await world.startGateway({}, { writePath: { mapping } });
    const payload = dataOf<ContactPayload>(
      await gql(gateway, CREATE_CONTACT, { input: { firstName: 'NotAnEmail', email: 'refused@example.com' } }),
      'createContact',
    );
    expect(payload.roofrSync.status).toBe('FAILED');
    expect(payload.roofrSync.error).toMatch(/Roofr rejected the request/);
    expect(world.ghlSim.data.getContact(payload.contact.id)).toMatchObject({ email: 'refused@example.com' });
  });

  test('when the Zapier adapter carries the writes, then a new contact is forwarded (SYNCED) and a task is SKIPPED with the reason', async () => {
    const gateway = await world.startGateway({
      ROOFR_ADAPTER: 'zapier',
      ROOFR_ZAPIER_HOOK_URL: world.roofrSim.zapierHookUrl,
    });
    const received = world.roofrSim.zapier.received.length;
    const contact = dataOf<ContactPayload>(
      await gql(gateway, CREATE_CONTACT, { input: { firstName: 'Zap', email: 'zap@example.com' } }),
      'createContact',
    );
    expect(contact.roofrSync).toMatchObject({ status: 'SYNCED', roofrId: null });
    expect(world.roofrSim.zapier.received.length).toBe(received + 1);
    expect(world.roofrSim.zapier.received.at(-1)?.outcome).toMatchObject({ customerId: expect.any(String) });

    const task = dataOf<{ roofrSync: RoofrSyncAnswer }>(
      await gql(
        gateway,
        `mutation($c: ID!) { createTask(contactId: $c, input: {title: "Zap task", dueDate: "2026-12-05T12:00:00Z"}) { ${SYNC_FIELDS} } }`,
        { c: contact.contact.id },
      ),
      'createTask',
    );
    expect(task.roofrSync.status).toBe('SKIPPED');
    expect(task.roofrSync.error).toMatch(/job tasks cannot be written through Zapier/);
    expect(world.ghlSim.data.tasksOf(contact.contact.id)).toHaveLength(1);

    const update = dataOf<ContactPayload>(
      await gql(gateway, UPDATE_CONTACT, { id: contact.contact.id, input: { lastName: 'Again' } }),
      'updateContact',
    );
    expect(update.roofrSync.status).toBe('SKIPPED');
    expect(world.roofrSim.zapier.received.length).toBe(received + 1);
  });
});

describe('when a queued write keeps failing', () => {
  test('when a queued write is refused by Roofr, then it becomes a dead letter, deadLetters lists it, and retryDeadLetter queues it again', async () => {
    // A world of its own: no other gateway's worker may claim the retried entry.
    const world = await startWriteWorld();
    try {
      const mapping = parseMapping(
        'version: 1\ncustomer:\n  - { roofr: email, ghl: firstName, direction: to_roofr }\n',
        'test-mapping.yaml',
      );
      const gateway = await world.startGateway({}, { writePath: { mapping } });
      await world.roofrSim.faults.down();
      const payload = dataOf<ContactPayload>(
        await gql(gateway, CREATE_CONTACT, { input: { firstName: 'DeadLetter', email: 'dead@example.com' } }),
        'createContact',
      );
      expect(payload.roofrSync.status).toBe('QUEUED');
      await world.roofrSim.faults.up();
      const outboxId = Number(payload.roofrSync.outboxId);
      await eventually(
        async () => (await gateway.writePath.store.outbox.get(outboxId))?.status === 'dead',
        'the refused write to become a dead letter',
      );

      const listed = dataOf<{
        edges: Array<{ node: { id: string; kind: string; lastError: string; attempts: number } }>;
      }>(
        await gql(
          gateway,
          'query { deadLetters(first: 10) { edges { node { id kind lastError attempts payload } } pageInfo { hasNextPage endCursor } } }',
        ),
        'deadLetters',
      );
      const dead = listed.edges.find((edge) => edge.node.id === String(outboxId))?.node;
      expect(dead).toMatchObject({ kind: 'contact.upsert' });
      expect(dead?.lastError).toMatch(/Roofr rejected/);

      await gateway.writePath.outboxWorker.stop();
      // Another location's dead letter is invisible to this caller: it cannot be put back.
      const outbox = gateway.writePath.store.outbox;
      const { entry: foreign } = await outbox.enqueue({
        locationId: 'anotherLocation00001',
        kind: 'customer.upsert',
        payload: {},
        idempotencyKey: 'foreign-dead-letter',
      });
      await outbox.claimDue('test-owner', 10, 60_000);
      await outbox.fail(foreign.id, 'refused', new Date(), { owner: 'test-owner', permanent: true });
      expect((await outbox.get(foreign.id))?.status).toBe('dead');
      const foreignRetry = await gql(gateway, 'mutation($id: ID!) { retryDeadLetter(id: $id) }', {
        id: String(foreign.id),
      });
      expect(foreignRetry.data?.retryDeadLetter).toBe(false);
      expect((await outbox.get(foreign.id))?.status).toBe('dead');

      const retried = await gql(gateway, 'mutation($id: ID!) { retryDeadLetter(id: $id) }', { id: String(outboxId) });
      expect(retried.data?.retryDeadLetter).toBe(true);
      expect((await gateway.writePath.store.outbox.get(outboxId))?.status).toBe('pending');
      const again = await gql(gateway, 'mutation($id: ID!) { retryDeadLetter(id: $id) }', { id: String(outboxId) });
      expect(again.data?.retryDeadLetter).toBe(false);
    } finally {
      await world.close();
    }
  });
});
