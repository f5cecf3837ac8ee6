/**
 * Every mutation over real HTTP through startGateway, checked against both simulators: what
 * HighLevel holds afterwards, what Roofr holds, and the roofrSync each payload reports.
 */
import type { Gateway } from '../../src/gateway.js';
import {
  dataOf,
  gql,
  startWriteWorld,
  SYNC_FIELDS,
  type RoofrSyncAnswer,
  type WriteWorld,
} from './mutations-harness.js';

interface ContactPayload {
  contact: { id: string; email: string | null; phone: string | null; firstName: string | null; tags: string[] };
  created: boolean;
  roofrSync: RoofrSyncAnswer;
}
interface TaskPayload {
  task: { id: string; title: string; completed: boolean; dueDate: string };
  roofrSync: RoofrSyncAnswer;
}
interface NotePayload {
  note: { id: string; body: string };
  roofrSync: RoofrSyncAnswer;
}
interface DeletePayload {
  deletedId: string;
  roofrSync: RoofrSyncAnswer;
}
interface TagsPayload {
  contactId: string;
  tags: string[];
  roofrSync: RoofrSyncAnswer;
}

const CREATE_CONTACT = `mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id email phone firstName tags } created ${SYNC_FIELDS} } }`;
const UPDATE_CONTACT = `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { contact { id email phone firstName tags } created ${SYNC_FIELDS} } }`;
const UPSERT_CONTACT = `mutation($input: CreateContactInput!) { upsertContact(input: $input) { contact { id email phone firstName tags } created ${SYNC_FIELDS} } }`;
const CREATE_TASK = `mutation($contactId: ID!, $input: CreateTaskInput!) { createTask(contactId: $contactId, input: $input) { task { id title completed dueDate } ${SYNC_FIELDS} } }`;
const CREATE_NOTE = `mutation($contactId: ID!, $input: NoteInput!) { createNote(contactId: $contactId, input: $input) { note { id body } ${SYNC_FIELDS} } }`;

describe('mutations against the HighLevel and Roofr simulators', () => {
  let world: WriteWorld;
  let gateway: Gateway;

  beforeAll(async () => {
    world = await startWriteWorld();
    gateway = await world.startGateway();
  });

  afterAll(async () => {
    await world.close();
  });

  async function createContact(input: Record<string, unknown>): Promise<ContactPayload> {
    return dataOf<ContactPayload>(await gql(gateway, CREATE_CONTACT, { input }), 'createContact');
  }

  test('when a contact is created, then HighLevel stores it (phone as E.164) and Roofr gets its customer and job', async () => {
    const payload = await createContact({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'Ada@Example.com',
      phone: '(415) 555-0132',
      tags: ['roof'],
    });

    expect(payload.created).toBe(true);
    expect(payload.contact).toMatchObject({ email: 'ada@example.com', phone: '+14155550132', firstName: 'Ada' });
    expect(world.ghlSim.data.getContact(payload.contact.id)).toMatchObject({
      email: 'ada@example.com',
      phone: '+14155550132',
      firstName: 'Ada',
    });

    expect(payload.roofrSync).toMatchObject({ status: 'SYNCED', error: null, outboxId: null });
    const customer = world.roofrSim.data.customers.get(payload.roofrSync.roofrId ?? '');
    expect(customer).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@example.com',
      phone: '+14155550132',
    });
    const job = world.roofrSim.data.jobs.get(payload.roofrSync.roofrJobId ?? '');
    expect(job).toMatchObject({
      customer_id: customer?.id,
      name: 'Ada Lovelace',
      external_ref: `ghl:contact:${payload.contact.id}`,
      workflow_stage: 'New Incoming Leads',
      tags: ['roof'],
    });
  });

  test('when a contact is updated, then both sides change; when the same values come again, then the Roofr write is SKIPPED as unchanged', async () => {
    const created = await createContact({ firstName: 'Grace', email: 'grace@example.com' });
    const updated = dataOf<ContactPayload>(
      await gql(gateway, UPDATE_CONTACT, {
        id: created.contact.id,
        input: { firstName: 'Gracie', phone: '+44 20 7946 0958' },
      }),
      'updateContact',
    );

    expect(updated.created).toBe(false);
    expect(world.ghlSim.data.getContact(created.contact.id)).toMatchObject({
      firstName: 'Gracie',
      phone: '+442079460958',
    });
    expect(updated.roofrSync).toMatchObject({
      status: 'SYNCED',
      roofrId: created.roofrSync.roofrId,
      roofrJobId: created.roofrSync.roofrJobId,
    });
    expect(world.roofrSim.data.customers.get(created.roofrSync.roofrId ?? '')).toMatchObject({
      first_name: 'Gracie',
      phone: '+442079460958',
    });
    expect(world.roofrSim.data.jobs.get(created.roofrSync.roofrJobId ?? '')?.name).toBe('Gracie');

    const writesBefore = world.roofrSim.log.entries.length;
    const again = dataOf<ContactPayload>(
      await gql(gateway, UPDATE_CONTACT, { id: created.contact.id, input: { firstName: 'Gracie' } }),
      'updateContact',
    );
    expect(again.roofrSync).toMatchObject({
      status: 'SKIPPED',
      error: 'unchanged',
      roofrId: created.roofrSync.roofrId,
    });
    expect(world.roofrSim.log.entries.length).toBe(writesBefore);
  });

  test('when a contact is upserted by an existing email, then HighLevel updates it (created false) and Roofr keeps one customer for it', async () => {
    const created = await createContact({ firstName: 'Linus', email: 'linus@example.com' });
    const customersBefore = world.roofrSim.data.customers.size;
    const upserted = dataOf<ContactPayload>(
      await gql(gateway, UPSERT_CONTACT, { input: { email: 'linus@example.com', lastName: 'Torvalds' } }),
      'upsertContact',
    );

    expect(upserted).toMatchObject({ created: false, contact: { id: created.contact.id } });
    expect(world.ghlSim.data.getContact(created.contact.id)).toMatchObject({ lastName: 'Torvalds' });
    expect(upserted.roofrSync).toMatchObject({ status: 'SYNCED', roofrId: created.roofrSync.roofrId });
    expect(world.roofrSim.data.customers.size).toBe(customersBefore);
    expect(world.roofrSim.data.customers.get(created.roofrSync.roofrId ?? '')?.last_name).toBe('Torvalds');

    const fresh = dataOf<ContactPayload>(
      await gql(gateway, UPSERT_CONTACT, { input: { email: 'new-upsert@example.com' } }),
      'upsertContact',
    );
    expect(fresh.created).toBe(true);
    expect(world.roofrSim.data.customers.size).toBe(customersBefore + 1);
  });

  test('when tags are added and removed, then HighLevel holds the resulting list and the Roofr job carries it', async () => {
    const created = await createContact({ firstName: 'Tag', email: 'tags@example.com', tags: ['lead'] });
    const added = dataOf<TagsPayload>(
      await gql(
        gateway,
        `mutation($id: ID!, $tags: [String!]!) { addContactTags(contactId: $id, tags: $tags) { contactId tags ${SYNC_FIELDS} } }`,
        { id: created.contact.id, tags: [' storm ', 'hail'] },
      ),
      'addContactTags',
    );
    expect([...added.tags].sort()).toEqual(['hail', 'lead', 'storm']);
    expect([...(world.ghlSim.data.getContact(created.contact.id) as { tags: string[] }).tags].sort()).toEqual([
      'hail',
      'lead',
      'storm',
    ]);
    expect(added.roofrSync.status).toBe('SYNCED');
    expect([...(world.roofrSim.data.jobs.get(created.roofrSync.roofrJobId ?? '')?.tags ?? [])].sort()).toEqual([
      'hail',
      'lead',
      'storm',
    ]);

    const removed = dataOf<TagsPayload>(
      await gql(
        gateway,
        `mutation($id: ID!, $tags: [String!]!) { removeContactTags(contactId: $id, tags: $tags) { contactId tags ${SYNC_FIELDS} } }`,
        { id: created.contact.id, tags: ['lead'] },
      ),
      'removeContactTags',
    );
    expect([...removed.tags].sort()).toEqual(['hail', 'storm']);
    expect(removed.roofrSync.status).toBe('SYNCED');
    expect([...(world.roofrSim.data.jobs.get(created.roofrSync.roofrJobId ?? '')?.tags ?? [])].sort()).toEqual([
      'hail',
      'storm',
    ]);
  });

  test('when a task is created, updated, completed and deleted, then HighLevel and the Roofr job task follow each step', async () => {
    const contact = await createContact({ firstName: 'Task', email: 'task-owner@example.com' });
    const created = dataOf<TaskPayload>(
      await gql(gateway, CREATE_TASK, {
        contactId: contact.contact.id,
        input: { title: 'Inspect roof', dueDate: '2026-12-01T15:00:00-06:00', body: 'Bring the ladder' },
      }),
      'createTask',
    );
    expect(created.task).toMatchObject({ title: 'Inspect roof', completed: false });
    expect(world.ghlSim.data.tasksOf(contact.contact.id)).toEqual([
      expect.objectContaining({ id: created.task.id, title: 'Inspect roof' }),
    ]);
    expect(created.roofrSync).toMatchObject({ status: 'SYNCED', roofrJobId: contact.roofrSync.roofrJobId });
    const roofrTaskId = created.roofrSync.roofrId ?? '';
    expect(world.roofrSim.data.jobTasks.get(roofrTaskId)).toMatchObject({
      job_id: contact.roofrSync.roofrJobId,
      title: 'Inspect roof',
      description: 'Bring the ladder',
      status: 'open',
      external_ref: `ghl:task:${created.task.id}`,
    });
    expect(Date.parse(world.roofrSim.data.jobTasks.get(roofrTaskId)?.due_at ?? '')).toBe(
      Date.parse('2026-12-01T21:00:00Z'),
    );

    const updated = dataOf<TaskPayload>(
      await gql(
        gateway,
        `mutation($c: ID!, $id: ID!) { updateTask(contactId: $c, id: $id, input: {title: "Inspect roof and gutters"}) { task { id title completed dueDate } ${SYNC_FIELDS} } }`,
        { c: contact.contact.id, id: created.task.id },
      ),
      'updateTask',
    );
    expect(updated.roofrSync).toMatchObject({ status: 'SYNCED', roofrId: roofrTaskId });
    expect(world.roofrSim.data.jobTasks.get(roofrTaskId)?.title).toBe('Inspect roof and gutters');

    const completed = dataOf<TaskPayload>(
      await gql(
        gateway,
        `mutation($c: ID!, $id: ID!) { completeTask(contactId: $c, id: $id) { task { id title completed dueDate } ${SYNC_FIELDS} } }`,
        { c: contact.contact.id, id: created.task.id },
      ),
      'completeTask',
    );
    expect(completed.task.completed).toBe(true);
    expect(world.ghlSim.data.tasksOf(contact.contact.id)[0]).toMatchObject({ completed: true });
    expect(world.roofrSim.data.jobTasks.get(roofrTaskId)?.status).toBe('completed');

    const deleted = dataOf<DeletePayload>(
      await gql(
        gateway,
        `mutation($c: ID!, $id: ID!) { deleteTask(contactId: $c, id: $id) { deletedId ${SYNC_FIELDS} } }`,
        { c: contact.contact.id, id: created.task.id },
      ),
      'deleteTask',
    );
    expect(deleted.deletedId).toBe(created.task.id);
    expect(world.ghlSim.data.tasksOf(contact.contact.id)).toEqual([]);
    expect(deleted.roofrSync).toMatchObject({
      status: 'SYNCED',
      roofrId: roofrTaskId,
      roofrJobId: contact.roofrSync.roofrJobId,
    });
    expect(world.roofrSim.data.jobTasks.has(roofrTaskId)).toBe(false);
    const link = await gateway.writePath.store.links.findByGhl({
      locationId: gateway.locationId,
      ghlKind: 'task',
      ghlId: created.task.id,
      roofrKind: 'job_task',
    });
    expect(link?.status).toBe('deleted');
  });

  test('when a note is created, updated and deleted, then HighLevel and the Roofr job note follow', async () => {
    const contact = await createContact({ firstName: 'Note', email: 'note-owner@example.com' });
    const created = dataOf<NotePayload>(
      await gql(gateway, CREATE_NOTE, { contactId: contact.contact.id, input: { body: 'Customer prefers mornings' } }),
      'createNote',
    );
    expect(world.ghlSim.data.notesOf(contact.contact.id)).toEqual([
      expect.objectContaining({ id: created.note.id, body: 'Customer prefers mornings' }),
    ]);
    expect(created.roofrSync.status).toBe('SYNCED');
    const roofrNoteId = created.roofrSync.roofrId ?? '';
    expect(world.roofrSim.data.jobNotes.get(roofrNoteId)).toMatchObject({
      job_id: contact.roofrSync.roofrJobId,
      body: 'Customer prefers mornings',
      external_ref: `ghl:note:${created.note.id}`,
    });

    const updated = dataOf<NotePayload>(
      await gql(
        gateway,
        `mutation($c: ID!, $id: ID!) { updateNote(contactId: $c, id: $id, input: {body: "Mornings only"}) { note { id body } ${SYNC_FIELDS} } }`,
        { c: contact.contact.id, id: created.note.id },
      ),
      'updateNote',
    );
    expect(updated.roofrSync).toMatchObject({ status: 'SYNCED', roofrId: roofrNoteId });
    expect(world.ghlSim.data.notesOf(contact.contact.id)[0]).toMatchObject({ body: 'Mornings only' });
    expect(world.roofrSim.data.jobNotes.get(roofrNoteId)?.body).toBe('Mornings only');

    const deleted = dataOf<DeletePayload>(
      await gql(
        gateway,
        `mutation($c: ID!, $id: ID!) { deleteNote(contactId: $c, id: $id) { deletedId ${SYNC_FIELDS} } }`,
        { c: contact.contact.id, id: created.note.id },
      ),
      'deleteNote',
    );
    expect(world.ghlSim.data.notesOf(contact.contact.id)).toEqual([]);
    expect(deleted.roofrSync).toMatchObject({
      status: 'SYNCED',
      roofrId: roofrNoteId,
      roofrJobId: contact.roofrSync.roofrJobId,
    });
    expect(world.roofrSim.data.jobNotes.has(roofrNoteId)).toBe(false);
    const link = await gateway.writePath.store.links.findByGhl({
      locationId: gateway.locationId,
      ghlKind: 'note',
      ghlId: created.note.id,
      roofrKind: 'job_note',
    });
    expect(link?.status).toBe('deleted');
  });

  test('when a contact is deleted, then HighLevel forgets it and its Roofr job is archived (default policy) and the links are marked deleted', async () => {
    const contact = await createContact({ firstName: 'Gone', email: 'gone@example.com' });
    const deleted = dataOf<DeletePayload>(
      await gql(gateway, `mutation($id: ID!) { deleteContact(id: $id) { deletedId ${SYNC_FIELDS} } }`, {
        id: contact.contact.id,
      }),
      'deleteContact',
    );
    expect(deleted).toMatchObject({
      deletedId: contact.contact.id,
      roofrSync: { status: 'SYNCED', roofrJobId: contact.roofrSync.roofrJobId },
    });
    expect(world.ghlSim.data.getContact(contact.contact.id)).toBeUndefined();
    expect(world.roofrSim.data.jobs.get(contact.roofrSync.roofrJobId ?? '')?.archived).toBe(true);
    expect(world.roofrSim.data.customers.has(contact.roofrSync.roofrId ?? '')).toBe(true);
    const links = await gateway.writePath.store.links.listForGhl(gateway.locationId, 'contact', contact.contact.id);
    expect(links.map((link) => link.status)).toEqual(['deleted', 'deleted']);
  });

  test('when a task is created for a seeded contact never synced, then the contact reaches Roofr first and the task lands on its job', async () => {
    const seededId = world.ghlSim.data.listContactIds()[0] ?? '';
    const created = dataOf<TaskPayload>(
      await gql(gateway, CREATE_TASK, {
        contactId: seededId,
        input: { title: 'Call back', dueDate: '2026-12-02T10:00:00Z' },
      }),
      'createTask',
    );
    expect(created.roofrSync.status).toBe('SYNCED');
    const jobLink = await gateway.writePath.store.links.findByGhl({
      locationId: gateway.locationId,
      ghlKind: 'contact',
      ghlId: seededId,
      roofrKind: 'job',
    });
    expect(jobLink?.roofrId).toBe(created.roofrSync.roofrJobId);
    expect(world.roofrSim.data.jobs.get(jobLink?.roofrId ?? '')?.external_ref).toBe(`ghl:contact:${seededId}`);
  });

  test('when previewRoofrRecord is asked for a contact, then it returns the mapped customer, job, tasks and notes and writes nothing', async () => {
    const contact = await createContact({ firstName: 'Pre', lastName: 'View', email: 'preview@example.com' });
    await gql(gateway, CREATE_NOTE, { contactId: contact.contact.id, input: { body: 'Preview me' } });
    const roofrRequests = world.roofrSim.log.entries.length;
    const ghlWrites = Object.entries(world.ghlSim.log.counts())
      .filter(([operation]) => !operation.startsWith('GET') && !operation.includes('search'))
      .reduce((sum, [, count]) => sum + count, 0);

    const preview = dataOf<{
      customer: Record<string, unknown>;
      job: Record<string, unknown>;
      jobTasks: unknown[];
      jobNotes: Array<Record<string, unknown>>;
      linkedCustomerId: string | null;
      linkedJobId: string | null;
    }>(
      await gql(
        gateway,
        'query($id: ID!) { previewRoofrRecord(contactId: $id) { contactId customer job jobTasks jobNotes linkedCustomerId linkedJobId } }',
        { id: contact.contact.id },
      ),
      'previewRoofrRecord',
    );
    expect(preview.customer).toMatchObject({ first_name: 'Pre', last_name: 'View', email: 'preview@example.com' });
    expect(preview.job).toMatchObject({ name: 'Pre View', external_ref: `ghl:contact:${contact.contact.id}` });
    expect(preview.jobNotes).toEqual([expect.objectContaining({ body: 'Preview me' })]);
    expect(preview.jobTasks).toEqual([]);
    expect(preview).toMatchObject({
      linkedCustomerId: contact.roofrSync.roofrId,
      linkedJobId: contact.roofrSync.roofrJobId,
    });
    expect(world.roofrSim.log.entries.length).toBe(roofrRequests);
    const ghlWritesAfter = Object.entries(world.ghlSim.log.counts())
      .filter(([operation]) => !operation.startsWith('GET') && !operation.includes('search'))
      .reduce((sum, [, count]) => sum + count, 0);
    expect(ghlWritesAfter).toBe(ghlWrites);
  });
});
