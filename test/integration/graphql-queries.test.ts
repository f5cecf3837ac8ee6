/**
 * Every root field over the real simulator and client, through `executeOperation`: the answer
 * must match what the simulator holds (read through its data handle, GHL-shaped).
 */
import { startHarness, type Harness } from './graphql-harness.js';

interface IdOnly {
  id: string;
}

function ids(list: unknown): string[] {
  return (list as IdOnly[]).map((item) => item.id).sort();
}

function edgesOf(data: unknown, field: string): Array<{ cursor: string; node: Record<string, unknown> }> {
  return (
    (data as Record<string, { edges: Array<{ cursor: string; node: Record<string, unknown> }> }>)[field]?.edges ?? []
  );
}

describe('GraphQL queries against the HighLevel simulator', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ contacts: 60 });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('when a contact is asked for with nested fields, then it matches the simulator, tasks filtered by completed', async () => {
    const [contactId] = harness.sim.data.listContactIds().filter((id) => harness.sim.data.tasksOf(id).length >= 2);
    if (contactId === undefined) throw new Error('the seed has no contact with two tasks; change the seed');
    const stored = harness.sim.data.getContact(contactId);
    const result = await harness.execute(
      `query One($id: ID!) {
        contact(id: $id) {
          id locationId name firstName lastName email phone companyName website timezone tags source type dnd assignedTo businessId
          address { line1 city state postalCode country }
          customFields { id value }
          dateAdded dateUpdated
          tasks { id contactId title completed }
          done: tasks(completed: true) { id completed }
          open: tasks(completed: false) { id completed }
          notes { id contactId body }
          appointments { id contactId title startTime }
        }
      }`,
      { id: contactId },
    );

    expect(result.errors).toBeUndefined();
    const contact = result.data?.contact as Record<string, unknown>;
    expect(contact).toMatchObject({
      id: contactId,
      locationId: harness.sim.locationId,
      email: stored?.email ?? null,
      firstName: stored?.firstName ?? null,
    });
    const tasks = harness.sim.data.tasksOf(contactId);
    expect(ids(contact.tasks)).toEqual(tasks.map((task) => String(task.id)).sort());
    expect(ids(contact.done)).toEqual(
      tasks
        .filter((task) => task.completed === true)
        .map((task) => String(task.id))
        .sort(),
    );
    expect(ids(contact.open)).toEqual(
      tasks
        .filter((task) => task.completed !== true)
        .map((task) => String(task.id))
        .sort(),
    );
    expect(ids(contact.notes)).toEqual(
      harness.sim.data
        .notesOf(contactId)
        .map((note) => String(note.id))
        .sort(),
    );
    expect(ids(contact.appointments)).toEqual(
      harness.sim.data
        .appointmentsOf(contactId)
        .map((appointment) => String(appointment.id))
        .sort(),
    );
    // tasks, done and open share one fetch: the loader is keyed by contact, the filter is ours.
    expect(
      harness.sim.log.count('GET', '/contacts/{contactId}/tasks') +
        harness.sim.log.count('POST', '/locations/{locationId}/tasks/search'),
    ).toBe(1);
  });

  it('when contacts are paged with first and after, then the pages are disjoint and cover every contact', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const result = await harness.execute(
        `query Page($after: String) { contacts(first: 25, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id } } } }`,
        { after },
      );
      expect(result.errors).toBeUndefined();
      const connection = result.data?.contacts as {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
      };
      expect(connection.totalCount).toBe(60);
      expect(connection.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...edgesOf(result.data, 'contacts').map((edge) => String(edge.node.id)));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
    expect(seen.sort()).toEqual(harness.sim.data.listContactIds().sort());
  });

  it('when contacts are filtered by tag and sorted, then only tagged contacts come back in that order', async () => {
    const tagged = harness.sim.data
      .listContactIds()
      .map((id) => harness.sim.data.getContact(id))
      .filter((contact) => Array.isArray(contact?.tags) && contact.tags.length > 0);
    const tag = String((tagged[0]?.tags as string[])[0]);
    const result = await harness.execute(
      `query Tagged($tag: String!) { contacts(first: 100, filter: { tags: [$tag] }, sort: [{ field: FIRST_NAME, direction: ASC }]) { totalCount edges { node { id firstName tags } } } }`,
      { tag },
    );
    expect(result.errors).toBeUndefined();
    const nodes = edgesOf(result.data, 'contacts').map(
      (edge) => edge.node as { id: string; firstName: string | null; tags: string[] },
    );
    const expected = harness.sim.data
      .listContactIds()
      .filter((id) => (harness.sim.data.getContact(id)?.tags as string[] | undefined)?.includes(tag));
    expect(nodes.map((node) => node.id).sort()).toEqual(expected.sort());
    expect(nodes.every((node) => node.tags.includes(tag))).toBe(true);
    const names = nodes.map((node) => (node.firstName ?? '').toLowerCase());
    expect(names).toEqual([...names].sort());
  });

  it('when contacts are filtered by email and updatedSince, then the filters reach the search', async () => {
    const someone = harness.sim.data.getContact(harness.sim.data.listContactIds()[3] ?? '');
    const byEmail = await harness.execute(
      `query($email: String!) { contacts(filter: { email: $email }) { totalCount edges { node { id } } } }`,
      { email: String(someone?.email) },
    );
    expect(byEmail.errors).toBeUndefined();
    expect(edgesOf(byEmail.data, 'contacts').map((edge) => edge.node.id)).toEqual([someone?.id]);

    const future = await harness.execute(
      `{ contacts(filter: { updatedSince: "2999-01-01T00:00:00Z" }) { totalCount } }`,
    );
    expect(future.data?.contacts).toEqual({ totalCount: 0 });
  });

  it('when a free-text query is given, then the search narrows by it', async () => {
    const someone = harness.sim.data.getContact(harness.sim.data.listContactIds()[5] ?? '');
    const lastName = String(someone?.lastName);
    const result = await harness.execute(
      `query($q: String) { contacts(first: 100, query: $q) { edges { node { lastName name email companyName } } } }`,
      { q: lastName },
    );
    const nodes = edgesOf(result.data, 'contacts').map((edge) => edge.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.some((node) => node.lastName === lastName)).toBe(true);
  });

  it('when contacts of a business are paged, then every contact of that business comes once', async () => {
    const businessId = harness.sim.data
      .location()
      .businessIds.find(
        (id) =>
          harness.sim.data
            .listContactIds()
            .filter((contactId) => harness.sim.data.getContact(contactId)?.businessId === id).length >= 2,
      );
    if (businessId === undefined) throw new Error('the seed has no business with two contacts; change the seed');
    const expected = harness.sim.data
      .listContactIds()
      .filter((id) => harness.sim.data.getContact(id)?.businessId === businessId);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const result = await harness.execute(
        `query($b: ID!, $after: String) { contactsByBusiness(businessId: $b, first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id businessId } } } }`,
        { b: businessId, after },
      );
      expect(result.errors).toBeUndefined();
      const connection = result.data?.contactsByBusiness as {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
      expect(connection.totalCount).toBe(expected.length);
      seen.push(...edgesOf(result.data, 'contactsByBusiness').map((edge) => String(edge.node.id)));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual(expected.sort());
  });

  it('when a task and a note are asked for by contact and id, then they match the simulator', async () => {
    const contactId = harness.sim.data
      .listContactIds()
      .find((id) => harness.sim.data.tasksOf(id).length > 0 && harness.sim.data.notesOf(id).length > 0);
    if (contactId === undefined) throw new Error('the seed has no contact with a task and a note; change the seed');
    const task = harness.sim.data.tasksOf(contactId)[0];
    const note = harness.sim.data.notesOf(contactId)[0];
    const result = await harness.execute(
      `query($c: ID!, $t: ID!, $n: ID!) { task(contactId: $c, id: $t) { id contactId title completed dueDate } note(contactId: $c, id: $n) { id contactId body } }`,
      { c: contactId, t: String(task?.id), n: String(note?.id) },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.task).toMatchObject({
      id: task?.id,
      contactId,
      title: task?.title,
      completed: task?.completed ?? false,
    });
    expect(result.data?.note).toMatchObject({ id: note?.id, contactId, body: note?.body });
  });

  it('when every response is read, then it carries extensions.upstream with the calls and batches it cost', async () => {
    const contactId = harness.sim.data.listContactIds()[0] ?? '';
    harness.sim.log.reset();
    const result = await harness.execute(
      `query($id: ID!) { contact(id: $id) { id notes { id } appointments { id } } }`,
      { id: contactId },
    );
    expect(result.extensions?.upstream).toEqual({ calls: harness.sim.log.total(), batches: 3 });
    expect(harness.sim.log.total()).toBe(3);
  });
});
