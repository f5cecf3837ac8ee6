/**
 * The costs in the schema hold: every root field (and every per-contact list) is run here once,
 * over real HTTP against the HighLevel and Roofr simulators, and the HighLevel calls it made
 * (`extensions.upstream.calls`) must not exceed what admission estimated from the schema's @cost
 * (`extensions.rateLimit.cost.estimated`). A field that calls HighLevel without a @cost is
 * estimated at 0 and fails here, as does a root field nobody wrote a sample for: add one below.
 */
import { buildGatewaySchema } from '../../src/graphql/schema.js';
import type { Gateway } from '../../src/gateway.js';
import { dataOf, gql, startWriteWorld, type GraphQLAnswer, type WriteWorld } from './mutations-harness.js';

interface Sample {
  query: string;
  variables?: (ids: Ids) => Record<string, unknown>;
}

interface Ids {
  contact: string;
  other: string;
  task: string;
  note: string;
  business: string;
}

const ALL_LISTS = 'tasks { id } notes { id } appointments { id } opportunities { id status }';

/** One operation per root field; a field added to the schema without one here fails the first test. */
const SAMPLES: Record<string, Sample> = {
  'Query.contact': {
    query: `query($id: ID!) { contact(id: $id) { id ${ALL_LISTS} } }`,
    variables: (ids) => ({ id: ids.contact }),
  },
  'Query.contacts': { query: `{ contacts(first: 3) { totalCount edges { node { id ${ALL_LISTS} } } } }` },
  'Query.contactsByBusiness': {
    query: `query($b: ID!) { contactsByBusiness(businessId: $b, first: 3) { edges { node { id notes { id } } } } }`,
    variables: (ids) => ({ b: ids.business }),
  },
  'Query.task': {
    query: 'query($c: ID!, $t: ID!) { task(contactId: $c, id: $t) { id } }',
    variables: (ids) => ({ c: ids.contact, t: ids.task }),
  },
  'Query.note': {
    query: 'query($c: ID!, $n: ID!) { note(contactId: $c, id: $n) { id } }',
    variables: (ids) => ({ c: ids.contact, n: ids.note }),
  },
  'Query.deadLetters': { query: '{ deadLetters(first: 5) { edges { node { id } } } }' },
  'Query.previewRoofrRecord': {
    query: 'query($c: ID!) { previewRoofrRecord(contactId: $c) { contactId } }',
    variables: (ids) => ({ c: ids.other }),
  },
  'Query.rateLimit': { query: '{ rateLimit { burstRemaining } }' },
  'Query.syncRun': { query: '{ syncRun(id: "none") { id } }' },
  'Query.syncRuns': { query: '{ syncRuns(first: 5) { edges { node { id } } } }' },
  'Query.notifications': { query: '{ notifications(first: 5) { edges { node { id } } } }' },
  'Query._service': { query: '{ _service { sdl } }' },
  'Query._entities': {
    query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Contact { id notes { id } } } }',
    variables: (ids) => ({ r: [{ __typename: 'Contact', id: ids.other }] }),
  },
  'Mutation.createContact': {
    query:
      'mutation { createContact(input: { firstName: "Cost", email: "cost.sample@example.com" }) { contact { id } } }',
  },
  'Mutation.updateContact': {
    query: 'mutation($id: ID!) { updateContact(id: $id, input: { companyName: "Costs Ltd" }) { contact { id } } }',
    variables: (ids) => ({ id: ids.contact }),
  },
  'Mutation.upsertContact': {
    query:
      'mutation { upsertContact(input: { firstName: "Up", email: "upsert.sample@example.com" }) { contact { id } } }',
  },
  'Mutation.addContactTags': {
    query: 'mutation($id: ID!) { addContactTags(contactId: $id, tags: ["costly"]) { tags } }',
    variables: (ids) => ({ id: ids.contact }),
  },
  'Mutation.removeContactTags': {
    query: 'mutation($id: ID!) { removeContactTags(contactId: $id, tags: ["costly"]) { tags } }',
    variables: (ids) => ({ id: ids.contact }),
  },
  'Mutation.createTask': {
    query:
      'mutation($id: ID!) { createTask(contactId: $id, input: { title: "Call", dueDate: "2026-12-24T09:00:00Z" }) { task { id } } }',
    variables: (ids) => ({ id: ids.other }),
  },
  'Mutation.updateTask': {
    query:
      'mutation($c: ID!, $t: ID!) { updateTask(contactId: $c, id: $t, input: { title: "Call back" }) { task { id } } }',
    variables: (ids) => ({ c: ids.contact, t: ids.task }),
  },
  'Mutation.completeTask': {
    query: 'mutation($c: ID!, $t: ID!) { completeTask(contactId: $c, id: $t) { task { id } } }',
    variables: (ids) => ({ c: ids.contact, t: ids.task }),
  },
  'Mutation.createNote': {
    query: 'mutation($id: ID!) { createNote(contactId: $id, input: { body: "Costs" }) { note { id } } }',
    variables: (ids) => ({ id: ids.other }),
  },
  'Mutation.updateNote': {
    query:
      'mutation($c: ID!, $n: ID!) { updateNote(contactId: $c, id: $n, input: { body: "Costs again" }) { note { id } } }',
    variables: (ids) => ({ c: ids.contact, n: ids.note }),
  },
  'Mutation.deleteNote': {
    query: 'mutation($c: ID!, $n: ID!) { deleteNote(contactId: $c, id: $n) { deletedId } }',
    variables: (ids) => ({ c: ids.contact, n: ids.note }),
  },
  'Mutation.deleteTask': {
    query: 'mutation($c: ID!, $t: ID!) { deleteTask(contactId: $c, id: $t) { deletedId } }',
    variables: (ids) => ({ c: ids.contact, t: ids.task }),
  },
  'Mutation.deleteContact': {
    query: 'mutation($id: ID!) { deleteContact(id: $id) { deletedId } }',
    variables: (ids) => ({ id: ids.contact }),
  },
  'Mutation.retryDeadLetter': { query: 'mutation { retryDeadLetter(id: "1") }' },
  'Mutation.syncContact': {
    query: 'mutation($id: ID!) { syncContact(id: $id) { status } }',
    variables: (ids) => ({ id: ids.other }),
  },
  'Mutation.startSync': { query: 'mutation { startSync(mode: FULL) { status } }' },
  'Mutation.verifySync': { query: 'mutation { verifySync(sample: 3) { status } }' },
};

function rootFields(): string[] {
  const schema = buildGatewaySchema({});
  return ['Query', 'Mutation'].flatMap((type) => {
    const root = type === 'Query' ? schema.getQueryType() : schema.getMutationType();
    return Object.keys(root?.getFields() ?? {}).map((field) => `${type}.${field}`);
  });
}

describe('the costs in the schema', () => {
  let world: WriteWorld;
  let gateway: Gateway;
  let ids: Ids;

  beforeAll(async () => {
    world = await startWriteWorld({ contacts: 6 });
    gateway = await world.startGateway({ RESPONSE_CACHE_MAX_ENTRIES: '0', SYNC_SCHEDULE: 'off' });
    const contactIds = world.ghlSim.data.listContactIds();
    const withChildren =
      contactIds.find((id) => world.ghlSim.data.tasksOf(id).length > 0 && world.ghlSim.data.notesOf(id).length > 0) ??
      '';
    ids = {
      contact: withChildren,
      other: contactIds.find((id) => id !== withChildren) ?? '',
      task: (world.ghlSim.data.tasksOf(withChildren)[0] as { id: string } | undefined)?.id ?? '',
      note: (world.ghlSim.data.notesOf(withChildren)[0] as { id: string } | undefined)?.id ?? '',
      business: world.ghlSim.data.location().businessIds[0] ?? '',
    };
  }, 60_000);

  afterAll(async () => {
    await world.close();
  });

  it('when a root field is in the schema, then it has a sample here (so its cost is checked below)', () => {
    expect(rootFields().filter((field) => SAMPLES[field] === undefined)).toEqual([]);
  });

  // Reads first, deletes last: the samples share the simulator's data.
  it.each(Object.entries(SAMPLES))(
    'when %s runs, then its HighLevel calls stay within the estimate from the schema',
    async (_field, sample) => {
      const answer = (await gql(gateway, sample.query, sample.variables?.(ids) ?? {})) as GraphQLAnswer & {
        extensions?: { upstream?: { calls: number }; rateLimit?: { cost?: { estimated: number | null } } };
      };
      const actual = answer.extensions?.upstream?.calls ?? 0;
      const estimated = answer.extensions?.rateLimit?.cost?.estimated ?? 0;
      expect({ actual, withinEstimate: actual <= estimated, errors: answer.errors ?? [] }).toEqual({
        actual,
        withinEstimate: true,
        errors: [],
      });
    },
  );

  it('when a contact with every list is read cold, then each per-contact list made its own call (the estimates are not vacuous)', async () => {
    const endpoints = [
      ['POST', '/locations/{locationId}/tasks/search'],
      ['GET', '/contacts/{contactId}/notes'],
      ['GET', '/contacts/{contactId}/appointments'],
      ['GET', '/opportunities/search'],
    ] as const;
    // A world of its own: nothing read or written before, nothing cached.
    const own = await startWriteWorld({ contacts: 2 });
    try {
      const cold = await own.startGateway({ RESPONSE_CACHE_MAX_ENTRIES: '0', SYNC_SCHEDULE: 'off' });
      const id = own.ghlSim.data.listContactIds()[0] ?? '';
      const answer = await gql(cold, `query($id: ID!) { contact(id: $id) { id ${ALL_LISTS} } }`, { id });
      expect(Object.keys(dataOf<Record<string, unknown>>(answer, 'contact')).sort()).toEqual([
        'appointments',
        'id',
        'notes',
        'opportunities',
        'tasks',
      ]);
      expect(endpoints.map(([method, path]) => own.ghlSim.log.count(method, path))).toEqual([1, 1, 1, 1]);
    } finally {
      await own.close();
    }
  });
});
