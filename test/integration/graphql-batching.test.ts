/**
 * The N+1 guard and federation batching, measured where it matters: the requests the
 * HighLevel simulator received (its request log), not mocks.
 */
import { SCOPES_WITHOUT_TASK_SEARCH, startHarness, type Harness } from './graphql-harness.js';

const NESTED_50 = `{ contacts(first: 50) { edges { node { id tasks { id } notes { id } appointments { id } } } } }`;

const SEARCH = ['POST', '/contacts/search'] as const;
const TASK_SEARCH = ['POST', '/locations/{locationId}/tasks/search'] as const;
const TASKS = ['GET', '/contacts/{contactId}/tasks'] as const;
const NOTES = ['GET', '/contacts/{contactId}/notes'] as const;
const APPOINTMENTS = ['GET', '/contacts/{contactId}/appointments'] as const;
const GET_CONTACT = ['GET', '/contacts/{contactId}'] as const;

describe('N+1 guard with the locations/tasks.readonly scope', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ contacts: 80 });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('when 50 contacts are read with tasks, notes and appointments, then upstream sees 1 search, 1 task search, 50 notes and 50 appointments calls', async () => {
    harness.sim.log.reset();
    const result = await harness.execute(NESTED_50);

    expect(result.errors).toBeUndefined();
    const log = harness.sim.log;
    expect(log.count(...SEARCH)).toBe(1);
    expect(log.count(...TASK_SEARCH)).toBe(1);
    expect(log.count(...TASKS)).toBe(0);
    expect(log.count(...NOTES)).toBe(50);
    expect(log.count(...APPOINTMENTS)).toBe(50);
    expect(log.total()).toBe(102);
    expect(result.extensions?.upstream).toEqual({ calls: 102, batches: 3 });
    // The one task search carried all 50 contact ids.
    const body = log.entries.find((entry) => entry.operation === 'POST /locations/{locationId}/tasks/search')?.body as {
      contactId: string[];
    };
    expect(body.contactId).toHaveLength(50);
  });

  it('when 100 entity representations are resolved, then contactById batches them into one search instead of 100 GETs', async () => {
    const contactIds = harness.sim.data.listContactIds().slice(0, 79);
    const representations = [...contactIds, 'doesNotExist000000001'].map((id) => ({ __typename: 'Contact', id }));
    // 80 distinct ids plus 20 repeats: 100 representations.
    representations.push(...contactIds.slice(0, 20).map((id) => ({ __typename: 'Contact', id })));
    expect(representations).toHaveLength(100);
    harness.sim.log.reset();

    const result = await harness.execute(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Contact { id email } } }`,
      { r: representations },
    );

    const entities = result.data?._entities as Array<{ id: string } | null>;
    expect(entities).toHaveLength(100);
    expect(entities.slice(0, 79).map((entity) => entity?.id)).toEqual(contactIds);
    expect(entities[79]).toBeNull();
    expect(result.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([
      ['NOT_FOUND', ['_entities', 79]],
    ]);
    expect(harness.sim.log.count(...GET_CONTACT)).toBe(0);
    expect(harness.sim.log.count(...SEARCH)).toBe(1);
    expect(harness.sim.log.total()).toBe(1);
  });
});

describe('N+1 guard without the scope (learned after one 401)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ contacts: 60, tokenScopes: SCOPES_WITHOUT_TASK_SEARCH });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('when the token lacks the scope, then the first query probes the task search once, falls back per contact, and the next query does not probe again', async () => {
    harness.sim.log.reset();
    const first = await harness.execute(NESTED_50);

    expect(first.errors).toBeUndefined();
    expect(harness.sim.log.count(...TASK_SEARCH)).toBe(1);
    expect(harness.sim.log.statusCount(401)).toBe(1);
    expect(harness.sim.log.count(...TASKS)).toBe(50);
    expect(harness.sim.log.count(...SEARCH)).toBe(1);
    const edges = (first.data?.contacts as { edges: Array<{ node: { id: string; tasks: Array<{ id: string }> } }> })
      .edges;
    for (const edge of edges) {
      expect(edge.node.tasks.map((task) => task.id).sort()).toEqual(
        harness.sim.data
          .tasksOf(edge.node.id)
          .map((task) => String(task.id))
          .sort(),
      );
    }

    harness.sim.log.reset();
    const second = await harness.execute(NESTED_50);
    expect(second.errors).toBeUndefined();
    expect(harness.sim.log.count(...TASK_SEARCH)).toBe(0);
    expect(harness.sim.log.count(...TASKS)).toBe(50);
    expect(
      harness.sim.log.count(...SEARCH) + harness.sim.log.count(...NOTES) + harness.sim.log.count(...APPOINTMENTS),
    ).toBe(101);
  });
});

describe('N+1 guard with scopes declared in GHL_TOKEN_SCOPES', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      contacts: 60,
      tokenScopes: SCOPES_WITHOUT_TASK_SEARCH,
      declaredScopes: SCOPES_WITHOUT_TASK_SEARCH,
    });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('when the declared scopes lack locations/tasks.readonly, then the task search is never sent', async () => {
    harness.sim.log.reset();
    const result = await harness.execute(NESTED_50);
    expect(result.errors).toBeUndefined();
    expect(harness.sim.log.count(...TASK_SEARCH)).toBe(0);
    expect(harness.sim.log.statusCount(401)).toBe(0);
    expect(harness.sim.log.count(...TASKS)).toBe(50);
  });
});
