/**
 * Deadlines end to end, over real HTTP against both simulators: every upstream call made for an
 * operation gets the time left before the operation's deadline, never more. A hung read is cut
 * and retried within it, a field that cannot finish fails alone (or is served stale), a rate
 * limit that would outlast it answers RATE_LIMITED at once, and a mutation whose HighLevel write
 * succeeded answers with the entity and roofrSync QUEUED when Roofr hangs.
 *
 * The time bounds checked here are promises (an answer before the operation timeout, where the
 * broken dependency would otherwise hold the request for ever), with wide margins.
 */
import type { Gateway } from '../../src/gateway.js';
import {
  SYNC_FIELDS,
  WRITE_TOKEN,
  dataOf,
  eventually,
  gql,
  startWriteWorld,
  type GraphQLAnswer,
  type RoofrSyncAnswer,
  type WriteWorld,
} from './mutations-harness.js';
import { callSim } from '../support/ghl-sim-http.js';

const OPERATION_TIMEOUT_MS = 3000;
/** Answered by the deadline, plus generous room for a loaded machine. */
const ANSWERED_WITHIN_MS = OPERATION_TIMEOUT_MS + 2000;

async function timed(run: () => Promise<GraphQLAnswer>): Promise<{ answer: GraphQLAnswer; elapsedMs: number }> {
  const started = performance.now();
  const answer = await run();
  return { answer, elapsedMs: performance.now() - started };
}

function codesOf(answer: GraphQLAnswer): unknown[] {
  return (answer.errors ?? []).map((error) => error.extensions?.['code']);
}

describe('deadlines: every upstream call of an operation fits before its deadline', () => {
  let world: WriteWorld;
  let gateway: Gateway;
  let contactIds: string[];

  beforeEach(async () => {
    world = await startWriteWorld({ contacts: 5 });
    contactIds = world.ghlSim.data.listContactIds();
  });

  afterEach(async () => {
    await world.close();
  });

  async function start(env: Record<string, string> = {}): Promise<Gateway> {
    gateway = await world.startGateway({
      GRAPHQL_OPERATION_TIMEOUT_MS: String(OPERATION_TIMEOUT_MS),
      GHL_REQUEST_TIMEOUT_MS: '800',
      GHL_MAX_RETRIES: '4',
      ...env,
    });
    return gateway;
  }

  it('when one contact’s notes hang on every attempt, then that field alone fails UPSTREAM_UNAVAILABLE (TIMEOUT) before the deadline and the rest comes back', async () => {
    await start();
    const page = await gql(gateway, `{ contacts(first: 3) { edges { node { id } } } }`);
    const victim = dataOf<{ edges: Array<{ node: { id: string } }> }>(page, 'contacts').edges[1]?.node.id ?? '';
    world.ghlSim.faults.hangNext(100, { path: `/contacts/${victim}/notes` });

    const { answer, elapsedMs } = await timed(() =>
      gql(gateway, `{ contacts(first: 3) { edges { node { id name notes { id } } } } }`),
    );

    expect(elapsedMs).toBeLessThan(ANSWERED_WITHIN_MS);
    const edges = dataOf<{ edges: Array<{ node: { id: string; notes: unknown } }> }>(answer, 'contacts').edges;
    expect(edges).toHaveLength(3);
    const failed = edges.filter((edge) => edge.node.notes === null).map((edge) => edge.node.id);
    expect(failed).toEqual([victim]);
    expect(answer.errors).toEqual([
      expect.objectContaining({
        path: ['contacts', 'edges', edges.findIndex((edge) => edge.node.id === victim), 'node', 'notes'],
        extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: 'HighLevel', reason: 'TIMEOUT' },
      }),
    ]);
    // The hung read was retried within the operation, not given up after one attempt.
    expect(world.ghlSim.log.count('GET', '/contacts/{contactId}/notes')).toBeGreaterThan(3);
  });

  it('when a read hangs once, then it is cut at the attempt timeout and retried within the same operation', async () => {
    await start({ GHL_REQUEST_TIMEOUT_MS: '300' });
    const id = contactIds[1] ?? '';
    world.ghlSim.faults.hangNext(1, { path: `/contacts/${id}` });

    const answer = await gql(gateway, 'query($id: ID!) { contact(id: $id) { id name } }', { id });

    expect(answer.errors).toBeUndefined();
    expect(dataOf<{ id: string }>(answer, 'contact').id).toBe(id);
    expect(world.ghlSim.log.count('GET', '/contacts/{contactId}')).toBe(2);
  });

  it('when a cached contact is past its TTL and HighLevel hangs, then the cached value is served stale before the deadline', async () => {
    await start({ CACHE_TTLS: '{"contact":50}', CACHE_STALE_GRACE_MS: '0' });
    const id = contactIds[2] ?? '';
    const query = 'query($id: ID!) { contact(id: $id) { id name } }';
    const fresh = await gql(gateway, query, { id });
    expect(fresh.errors).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
    world.ghlSim.faults.hangNext(100, { path: `/contacts/${id}` });

    const { answer, elapsedMs } = await timed(() => gql(gateway, query, { id }));

    expect(elapsedMs).toBeLessThan(ANSWERED_WITHIN_MS);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual(fresh.data);
    expect((answer as { extensions?: Record<string, unknown> }).extensions?.['stale']).toBeTruthy();
  });

  it('when HighLevel answers 429 with a wait longer than the deadline, then RATE_LIMITED with retryAfterMs comes at once, the location holds back, and cached data is served stale', async () => {
    await start({ CACHE_TTLS: '{"contact":50}', CACHE_STALE_GRACE_MS: '0' });
    const cached = contactIds[3] ?? '';
    const query = 'query($id: ID!) { contact(id: $id) { id name } }';
    expect((await gql(gateway, query, { id: cached })).errors).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // A burst window of 10 s (the simulator's X-RateLimit-Interval-Milliseconds): far past 3 s.
    world.ghlSim.faults.rateLimitNext(1);

    const first = await timed(() => gql(gateway, query, { id: contactIds[4] ?? '' }));
    expect(first.elapsedMs).toBeLessThan(ANSWERED_WITHIN_MS);
    expect(codesOf(first.answer)).toEqual(['RATE_LIMITED']);
    expect(first.answer.errors?.[0]?.extensions?.['retryAfterMs']).toBeGreaterThan(OPERATION_TIMEOUT_MS);

    const sentBefore = world.ghlSim.log.total();
    const second = await timed(() => gql(gateway, query, { id: contactIds[0] ?? '' }));
    expect(second.elapsedMs).toBeLessThan(ANSWERED_WITHIN_MS);
    expect(codesOf(second.answer)).toEqual(['RATE_LIMITED']);
    const stale = await gql(gateway, query, { id: cached });
    expect(stale.errors).toBeUndefined();
    expect((stale as { extensions?: Record<string, unknown> }).extensions?.['stale']).toBeTruthy();
    // Held back by the pause: no request reached HighLevel to earn another 429.
    expect(world.ghlSim.log.total()).toBe(sentBefore);
    expect(world.ghlSim.log.statusCount(429)).toBe(1);
  });

  it('when Roofr hangs, then createContact answers in time with the contact and roofrSync QUEUED, and the outbox delivers it once Roofr is back', async () => {
    await start({ ROOFR_REQUEST_TIMEOUT_MS: '1000', ROOFR_MAX_RETRIES: '3' });
    world.roofrSim.faults.set({ hang: true });

    const { answer, elapsedMs } = await timed(() =>
      gql(
        gateway,
        `mutation { createContact(input: { firstName: "Hana", lastName: "Ito", email: "hana.ito@example.com" }) { contact { id email } ${SYNC_FIELDS} } }`,
      ),
    );

    expect(elapsedMs).toBeLessThan(ANSWERED_WITHIN_MS);
    expect(answer.errors).toBeUndefined();
    const created = dataOf<{ contact: { id: string; email: string }; roofrSync: RoofrSyncAnswer }>(
      answer,
      'createContact',
    );
    expect(created.contact.email).toBe('hana.ito@example.com');
    expect(created.roofrSync.status).toBe('QUEUED');
    expect(world.ghlSim.data.listContactIds()).toContain(created.contact.id);

    world.roofrSim.faults.set({ hang: false });
    const customersNamed = () =>
      [...world.roofrSim.data.customers.values()].filter((customer) => customer.email === 'hana.ito@example.com');
    await eventually(() => customersNamed().length > 0, 'the queued customer reaches Roofr');
    await eventually(async () => (await gateway.writePath.store.outbox.depth()) === 0, 'the outbox drains');
    expect(customersNamed()).toHaveLength(1);
  });

  it('when Roofr hangs, then syncContact answers in time and what Roofr could not take waits in the outbox', async () => {
    await start({ ROOFR_REQUEST_TIMEOUT_MS: '1000' });
    world.roofrSim.faults.set({ hang: true });

    const { answer, elapsedMs } = await timed(() =>
      gql(gateway, 'mutation($id: ID!) { syncContact(id: $id) { status counts { read failed } } }', {
        id: contactIds[0] ?? '',
      }),
    );

    expect(elapsedMs).toBeLessThan(ANSWERED_WITHIN_MS);
    expect(answer.errors).toBeUndefined();
    expect(await gateway.writePath.store.outbox.depth()).toBeGreaterThan(0);
  });

  it('when HighLevel refuses the token while two requests read the same contact, then both answer UNAUTHENTICATED, neither NOT_FOUND', async () => {
    await start();
    const id = contactIds[2] ?? '';
    const query = 'query($id: ID!) { contact(id: $id) { id } }';
    // HighLevel's limits known first: until then admission lets one operation go at a time, and
    // the second would not join the first one's load.
    await gql(gateway, query, { id: contactIds[0] ?? '' });
    world.ghlSim.tokens.revoke(WRITE_TOKEN);
    world.ghlSim.faults.setLatency({ ms: 100, path: `/contacts/${id}` });

    // The second joins the first one's in-flight load; it must see that load's refusal.
    const answers = await Promise.all([gql(gateway, query, { id }), gql(gateway, query, { id })]);

    expect(answers.map(codesOf)).toEqual([['UNAUTHENTICATED'], ['UNAUTHENTICATED']]);
  });

  it('when Roofr hangs, then a dry run of one contact answers in time, plans the update without Roofr’s values and queues nothing', async () => {
    await start({ ROOFR_REQUEST_TIMEOUT_MS: '1000' });
    const id = contactIds[0] ?? '';
    await gql(gateway, 'mutation($id: ID!) { syncContact(id: $id) { status } }', { id });
    // Changed in HighLevel behind the gateway's back: the dry run must read Roofr to diff it.
    const changed = await callSim(world.ghlSim, 'PUT', `/contacts/${id}`, {
      token: WRITE_TOKEN,
      body: { firstName: 'Rehearsed' },
    });
    expect(changed.status).toBe(200);
    world.roofrSim.faults.set({ hang: true });

    const { answer, elapsedMs } = await timed(() =>
      gql(
        gateway,
        `mutation($id: ID!) { syncContact(id: $id, dryRun: true) {
          kind status counts { updated } plan { edges { node { action targetKind reason fields { field from to } } } } } }`,
        { id },
      ),
    );

    expect(elapsedMs).toBeLessThan(ANSWERED_WITHIN_MS);
    expect(answer.errors).toBeUndefined();
    const run = dataOf<{
      kind: string;
      counts: { updated: number };
      plan: { edges: Array<{ node: { action: string; targetKind: string; reason: string; fields: unknown[] } }> };
    }>(answer, 'syncContact');
    expect(run).toMatchObject({ kind: 'DRY_RUN', counts: { updated: 1 } });
    const customer = run.plan.edges.find((edge) => edge.node.targetKind === 'customer')?.node;
    expect(customer).toMatchObject({ action: 'UPDATE', reason: expect.stringMatching(/Roofr could not be read/) });
    expect(customer?.fields).toEqual(expect.arrayContaining([{ field: 'first_name', from: null, to: 'Rehearsed' }]));
    expect(await gateway.writePath.store.outbox.depth()).toBe(0);
  });
});
