/**
 * The whole gateway in this process (demo mode: embedded simulator), queried over real HTTP
 * with fetch: every root field, health, the playground page, and error codes on the wire.
 */
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
    extensions?: Record<string, unknown>;
  };
}

async function post(gateway: Gateway, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const response = await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

describe('gateway over HTTP (demo mode)', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    const config = parseConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      GHL_SIM_PORT: '0',
      DEMO_CONTACTS: '40',
      DEMO_SEED: '5',
      LOG_LEVEL: 'silent',
      DATABASE_URL: 'sqlite::memory:',
      ROOFR_SIM_PORT: '0',
    });
    gateway = await startGateway(config, { simulator: { rateLimit: { max: 100_000 } } });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('when /healthz is fetched, then it answers 200 and says demo mode', async () => {
    const response = await fetch(`${gateway.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', demo: true });
  });

  it('when contacts are queried with nested fields, then data and extensions.upstream come back over HTTP', async () => {
    const answer = await post(
      gateway,
      `{ contacts(first: 10) { totalCount edges { cursor node { id name tasks { id } notes { id } appointments { id } } } } }`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    const connection = answer.body.data?.contacts as { totalCount: number; edges: unknown[] };
    expect(connection.totalCount).toBe(40);
    expect(connection.edges).toHaveLength(10);
    // 1 search + 1 task search + 10 notes + 10 appointments.
    expect(answer.body.extensions?.upstream).toEqual({ calls: 22, batches: 3 });
  });

  it('when contact, task, note and contactsByBusiness are queried, then each answers what the simulator holds', async () => {
    const sim = gateway.simulator;
    if (!sim) throw new Error('demo mode should have started the simulator');
    const contactId = sim.data
      .listContactIds()
      .find((id) => sim.data.tasksOf(id).length > 0 && sim.data.notesOf(id).length > 0);
    if (contactId === undefined) throw new Error('no contact with a task and a note in the demo seed');
    const taskId = String(sim.data.tasksOf(contactId)[0]?.id);
    const noteId = String(sim.data.notesOf(contactId)[0]?.id);
    const businessId = String(
      sim.data.getContact(
        sim.data.listContactIds().find((id) => sim.data.getContact(id)?.businessId !== undefined) ?? '',
      )?.businessId,
    );

    const answer = await post(
      gateway,
      `query($c: ID!, $t: ID!, $n: ID!, $b: ID!) {
        contact(id: $c) { id email }
        task(contactId: $c, id: $t) { id title }
        note(contactId: $c, id: $n) { id body }
        contactsByBusiness(businessId: $b, first: 50) { totalCount edges { node { id businessId } } }
      }`,
      { c: contactId, t: taskId, n: noteId, b: businessId },
    );

    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.contact).toEqual({ id: contactId, email: sim.data.getContact(contactId)?.email ?? null });
    expect(answer.body.data?.task).toMatchObject({ id: taskId });
    expect(answer.body.data?.note).toMatchObject({ id: noteId });
    const business = answer.body.data?.contactsByBusiness as {
      totalCount: number;
      edges: Array<{ node: { businessId: string } }>;
    };
    expect(business.totalCount).toBeGreaterThan(0);
    expect(business.edges.every((edge) => edge.node.businessId === businessId)).toBe(true);
  });

  it('when _entities is posted, then Contact entities resolve over HTTP', async () => {
    const ids = gateway.simulator?.data.listContactIds().slice(0, 3) ?? [];
    const answer = await post(
      gateway,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Contact { id } } }`,
      {
        r: ids.map((id) => ({ __typename: 'Contact', id })),
      },
    );
    expect(answer.body.data?._entities).toEqual(ids.map((id) => ({ id })));
  });

  it('when an unknown contact is asked for, then NOT_FOUND travels in the HTTP body', async () => {
    const answer = await post(gateway, `{ contact(id: "doesNotExist000000001") { id } }`);
    expect(answer.status).toBe(200);
    expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND' });
  });

  it('when the query does not parse, then GRAPHQL_PARSE_FAILED without a stack trace', async () => {
    const answer = await post(gateway, `{ contacts(first: `);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
  });

  it('when a browser opens /graphql, then the self-contained playground page is served with a same-origin CSP', async () => {
    const response = await fetch(gateway.graphqlUrl, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain('<div id="graphiql">');
    expect(html).not.toMatch(/https?:\/\//);
    const script = /<script defer src="([^"]+)"><\/script>/.exec(html)?.[1];
    expect(script).toMatch(/^\/playground\/assets\//);
    const asset = await fetch(`${gateway.url}${script}`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });
});
