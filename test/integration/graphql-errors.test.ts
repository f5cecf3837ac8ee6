/**
 * Coded errors (`extensions.code`) and partial results, caused by real simulator behaviour and
 * faults, plus the masking of anything unknown (a fake client that throws a plain Error).
 */
import { createContextFactory } from '../../src/graphql/context.js';
import { createGraphQLServer } from '../../src/graphql/server.js';
import { LocationLimiters } from '../../src/loaders/concurrency-limit.js';
import { BatchedReadCapability } from '../../src/loaders/batched-read-capability.js';
import { FakeGhlApi, makeContact } from '../unit/loaders/fake-ghl-api.js';
import { TOKEN, startHarness, type Harness } from './graphql-harness.js';

type Edges = Array<{ node: { id: string; notes: Array<{ id: string }> | null; tasks: Array<{ id: string }> | null } }>;

function edgesOf(data: unknown): Edges {
  return (data as { contacts: { edges: Edges } }).contacts.edges;
}

describe('coded errors from HighLevel outcomes', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ contacts: 20, client: { timeoutMs: 300 } });
  });
  afterEach(() => {
    harness.sim.faults.reset();
  });
  afterAll(async () => {
    await harness.close();
  });

  it('when the contact does not exist, then contact is null with NOT_FOUND at its path', async () => {
    const result = await harness.execute(`{ contact(id: "doesNotExist000000001") { id } }`);
    expect(result.data).toEqual({ contact: null });
    expect(result.errors).toEqual([expect.objectContaining({ path: ['contact'], extensions: { code: 'NOT_FOUND' } })]);
  });

  it('when a task does not exist, then NOT_FOUND', async () => {
    const contactId = harness.sim.data.listContactIds()[0] ?? '';
    const result = await harness.execute(`query($c: ID!) { task(contactId: $c, id: "noSuchTask0000000001") { id } }`, {
      c: contactId,
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it("when one contact's notes endpoint fails with 5xx, then the rest of the page comes back and the error sits at contacts.edges.N.node.notes", async () => {
    const page = await harness.execute(`{ contacts(first: 5) { edges { node { id } } } }`);
    const victim = edgesOf(page.data)[2]?.node.id ?? '';
    // Twice: the first attempt and the client's one retry.
    harness.sim.faults.failNext(2, 503, { path: `/contacts/${victim}/notes` });

    const result = await harness.execute(`{ contacts(first: 5) { edges { node { id tasks { id } notes { id } } } } }`);

    const edges = edgesOf(result.data);
    expect(edges).toHaveLength(5);
    expect(edges[2]?.node).toMatchObject({ id: victim, notes: null });
    expect(edges[2]?.node.tasks).not.toBeNull();
    for (const index of [0, 1, 3, 4]) expect(edges[index]?.node.notes).not.toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({
      path: ['contacts', 'edges', 2, 'node', 'notes'],
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    expect(JSON.stringify(result.errors)).not.toMatch(/statusCode|stack/);
  });

  it("when one contact's notes endpoint hangs, then it times out into UPSTREAM_UNAVAILABLE at that path only", async () => {
    const page = await harness.execute(`{ contacts(first: 3) { edges { node { id } } } }`);
    const victim = edgesOf(page.data)[0]?.node.id ?? '';
    harness.sim.faults.hangNext(2, { path: `/contacts/${victim}/notes` });

    const result = await harness.execute(`{ contacts(first: 3) { edges { node { id notes { id } } } } }`);

    expect(edgesOf(result.data).map((edge) => edge.node.notes === null)).toEqual([true, false, false]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        path: ['contacts', 'edges', 0, 'node', 'notes'],
        extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: 'HighLevel', reason: 'TIMEOUT' },
      }),
    ]);
  });

  it('when the search keeps answering 503, then contacts is null with UPSTREAM_UNAVAILABLE', async () => {
    harness.sim.faults.failNext(2, 503, { path: '/contacts/search' });
    const result = await harness.execute(`{ contacts(first: 5) { totalCount } }`);
    expect(result.data).toEqual({ contacts: null });
    expect(result.errors?.[0]?.extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      upstream: 'HighLevel',
      reason: 'SERVER_ERROR',
    });
  });

  it('when HighLevel keeps answering with truncated bodies, then UPSTREAM_UNAVAILABLE (the answer was lost), not a broken contract', async () => {
    const contactId = harness.sim.data.listContactIds()[1] ?? '';
    harness.sim.faults.malformNext(2, { path: `/contacts/${contactId}` });
    const result = await harness.execute(`query($id: ID!) { contact(id: $id) { id } }`, { id: contactId });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'UNREACHABLE' });
  });

  it('when arguments are out of range or malformed, then BAD_USER_INPUT naming the argument', async () => {
    const tooMany = await harness.execute(`{ contacts(first: 1000) { totalCount } }`);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'first' });
    const badCursor = await harness.execute(`{ contacts(after: "not-a-cursor") { totalCount } }`);
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
    const threeSorts = await harness.execute(
      `{ contacts(sort: [{ field: EMAIL }, { field: FIRST_NAME }, { field: LAST_NAME }]) { totalCount } }`,
    );
    expect(threeSorts.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'sort' });
    const badDate = await harness.execute(
      `query($d: DateTime) { contacts(filter: { updatedSince: $d }) { totalCount } }`,
      { d: 'yesterday' },
    );
    expect(badDate.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const businessCursor = await harness.execute(`{ contacts(first: 1) { pageInfo { endCursor } } }`);
    const cursor = (businessCursor.data?.contacts as { pageInfo: { endCursor: string } }).pageInfo.endCursor;
    const crossed = await harness.execute(
      `query($a: String) { contactsByBusiness(businessId: "b", after: $a) { totalCount } }`,
      { a: cursor },
    );
    expect(crossed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
  });

  it('when HighLevel rate limits a call, then RATE_LIMITED with retryAfterMs', async () => {
    harness.sim.faults.rateLimitNext(1, { path: '/contacts/search' });
    const result = await harness.execute(`{ contacts(first: 5) { totalCount } }`);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect(result.errors?.[0]?.extensions?.retryAfterMs).toBeGreaterThan(0);
  });
});

describe('authorisation errors', () => {
  it('when the token lacks contacts.readonly, then FORBIDDEN names the missing scope', async () => {
    const harness = await startHarness({ contacts: 5, tokenScopes: ['contacts.write'] });
    try {
      const result = await harness.execute(`{ contacts(first: 5) { totalCount } }`);
      expect(result.data).toEqual({ contacts: null });
      expect(result.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', missingScope: 'contacts.readonly' });
      expect(result.errors?.[0]?.message).toContain('contacts.readonly');
    } finally {
      await harness.close();
    }
  });

  it('when the token has been revoked, then UNAUTHENTICATED', async () => {
    const harness = await startHarness({ contacts: 5 });
    try {
      harness.sim.tokens.revoke(TOKEN);
      const result = await harness.execute(`{ contacts(first: 5) { totalCount } }`);
      expect(result.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    } finally {
      await harness.close();
    }
  });
});

describe('masking of unknown errors', () => {
  it('when a resolver meets an error that is not ours, then the client sees INTERNAL_SERVER_ERROR without its message or stack', async () => {
    const ghl = new FakeGhlApi();
    ghl.contacts.set('c1', makeContact('c1'));
    ghl.failures.set(
      'listNotes',
      new Error('socket hang up: Authorization=Bearer pit-secret, body {"internal":"trace"}'),
    );
    const server = createGraphQLServer();
    await server.start();
    try {
      const createContext = createContextFactory({
        ghl,
        locationId: 'loc-1',
        batchedReads: new BatchedReadCapability(),
        limiters: new LocationLimiters(2),
      });
      const response = await server.executeOperation(
        { query: `{ contact(id: "c1") { id notes { id } } }` },
        { contextValue: createContext() },
      );
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      const result = response.body.singleResult;
      expect(result.data).toEqual({ contact: { id: 'c1', notes: null } });
      expect(result.errors).toEqual([
        {
          message: 'Internal server error',
          locations: expect.any(Array),
          path: ['contact', 'notes'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ]);
      expect(JSON.stringify(result)).not.toMatch(/pit-secret|internal|socket/);
    } finally {
      await server.stop();
    }
  });
});
