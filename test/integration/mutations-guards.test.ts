/**
 * Inputs are checked and scopes enforced before any upstream call: a bad input answers
 * BAD_USER_INPUT naming every bad field, a token without contacts.write answers FORBIDDEN, and in
 * both cases neither simulator sees a single request.
 */
import type { Gateway } from '../../src/gateway.js';
import { gql, startWriteWorld, SYNC_FIELDS, type WriteWorld } from './mutations-harness.js';

function upstreamRequests(world: WriteWorld): number {
  return world.ghlSim.log.total() + world.roofrSim.log.entries.length;
}

describe('when the input is bad', () => {
  let world: WriteWorld;
  let gateway: Gateway;

  beforeAll(async () => {
    world = await startWriteWorld();
    gateway = await world.startGateway();
  });

  afterAll(async () => {
    await world.close();
  });

  test('when email, phone, tags and website are invalid, then BAD_USER_INPUT lists each field and nothing is sent upstream', async () => {
    const before = upstreamRequests(world);
    const answer = await gql(
      gateway,
      `mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } ${SYNC_FIELDS} } }`,
      {
        input: {
          firstName: 'Bad',
          email: 'not-an-email',
          phone: '12',
          tags: ['ok', '   '],
          website: 'ftp://example.com',
          timezone: 'Mars/Olympus',
          address: { country: 'USA' },
        },
      },
    );

    expect(answer.data).toBeNull();
    const error = answer.errors?.[0];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    const fields = (error?.extensions?.fields as Array<{ field: string; message: string }>)
      .map((entry) => entry.field)
      .sort();
    expect(fields).toEqual([
      'input.address.country',
      'input.email',
      'input.phone',
      'input.tags[1]',
      'input.timezone',
      'input.website',
    ]);
    const phone = (error?.extensions?.fields as Array<{ field: string; message: string }>).find(
      (entry) => entry.field === 'input.phone',
    );
    expect(phone?.message).toMatch(/E\.164/);
    expect(upstreamRequests(world)).toBe(before);
  });

  test('when a task has an empty title and a too long body, or a due date without offset, then BAD_USER_INPUT and nothing is sent', async () => {
    const before = upstreamRequests(world);
    const answer = await gql(
      gateway,
      `mutation($input: CreateTaskInput!) { createTask(contactId: "  ", input: $input) { task { id } } }`,
      {
        input: { title: '  ', body: 'x'.repeat(5_001), dueDate: '2026-12-01T10:00:00Z' },
      },
    );
    const fields = (answer.errors?.[0]?.extensions?.fields as Array<{ field: string }>)
      .map((entry) => entry.field)
      .sort();
    expect(fields).toEqual(['contactId', 'input.body', 'input.title']);
    expect(upstreamRequests(world)).toBe(before);

    const badDate = await gql(
      gateway,
      'mutation($input: CreateTaskInput!) { createTask(contactId: "abc", input: $input) { task { id } } }',
      { input: { title: 't', dueDate: '2026-12-01T10:00:00' } },
    );
    expect(badDate.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(upstreamRequests(world)).toBe(before);
  });

  test('when tags to add are empty or blank, then BAD_USER_INPUT and nothing is sent', async () => {
    const before = upstreamRequests(world);
    const none = await gql(gateway, 'mutation { addContactTags(contactId: "abc", tags: []) { tags } }');
    expect(none.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'tags' }] });
    const blank = await gql(gateway, 'mutation { removeContactTags(contactId: "abc", tags: ["", "ok"]) { tags } }');
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'tags[0]' }] });
    expect(upstreamRequests(world)).toBe(before);
  });

  test('when an update names no field, or a new contact has nothing to know it by, then BAD_USER_INPUT', async () => {
    const before = upstreamRequests(world);
    const update = await gql(gateway, 'mutation { updateContact(id: "abc", input: {}) { contact { id } } }');
    expect(update.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const create = await gql(gateway, 'mutation { createContact(input: {companyName: "Acme"}) { contact { id } } }');
    expect(create.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'input.email' }],
    });
    expect(upstreamRequests(world)).toBe(before);
  });

  test('when HighLevel refuses the write, then the error is BAD_USER_INPUT / NOT_FOUND and Roofr is not touched', async () => {
    const roofrBefore = world.roofrSim.log.entries.length;
    const answer = await gql(
      gateway,
      'mutation { updateContact(id: "NoSuchContact0000001", input: {firstName: "X"}) { contact { id } } }',
    );
    expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(answer.errors?.[0]?.extensions?.code);
    expect(world.roofrSim.log.entries.length).toBe(roofrBefore);
  });
});

describe('when the token lacks contacts.write', () => {
  let world: WriteWorld;

  beforeAll(async () => {
    world = await startWriteWorld({ tokenScopes: ['contacts.readonly'] });
  });

  afterAll(async () => {
    await world.close();
  });

  const MUTATIONS = [
    'mutation { createContact(input: {email: "a@example.com"}) { contact { id } } }',
    'mutation { updateContact(id: "abc", input: {firstName: "X"}) { contact { id } } }',
    'mutation { upsertContact(input: {email: "a@example.com"}) { contact { id } } }',
    'mutation { deleteContact(id: "abc") { deletedId } }',
    'mutation { addContactTags(contactId: "abc", tags: ["x"]) { tags } }',
    'mutation { removeContactTags(contactId: "abc", tags: ["x"]) { tags } }',
    'mutation { createTask(contactId: "abc", input: {title: "t", dueDate: "2026-12-01T10:00:00Z"}) { task { id } } }',
    'mutation { updateTask(contactId: "abc", id: "t1", input: {title: "t"}) { task { id } } }',
    'mutation { completeTask(contactId: "abc", id: "t1") { task { id } } }',
    'mutation { deleteTask(contactId: "abc", id: "t1") { deletedId } }',
    'mutation { createNote(contactId: "abc", input: {body: "b"}) { note { id } } }',
    'mutation { updateNote(contactId: "abc", id: "n1", input: {body: "b"}) { note { id } } }',
    'mutation { deleteNote(contactId: "abc", id: "n1") { deletedId } }',
  ];

  test('when GHL_TOKEN_SCOPES declares only contacts.readonly, then every mutation answers FORBIDDEN with missingScope and nothing is sent', async () => {
    const gateway = await world.startGateway({ GHL_TOKEN_SCOPES: 'contacts.readonly' });
    const before = upstreamRequests(world);
    for (const mutation of MUTATIONS) {
      const answer = await gql(gateway, mutation);
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', missingScope: 'contacts.write' });
    }
    expect(upstreamRequests(world)).toBe(before);
    // Reads still work with the read scope.
    const read = await gql(gateway, `query { contact(id: "${world.ghlSim.data.listContactIds()[0] ?? ''}") { id } }`);
    expect(read.errors).toBeUndefined();
  });

  test('when GHL_TOKEN_SCOPES is unset, then writes are off (contacts.readonly only) with zero upstream calls', async () => {
    const gateway = await world.startGateway({ GHL_TOKEN_SCOPES: '' });
    const before = upstreamRequests(world);
    const answer = await gql(gateway, MUTATIONS[0] ?? '');
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', missingScope: 'contacts.write' });
    expect(upstreamRequests(world)).toBe(before);
  });
});
