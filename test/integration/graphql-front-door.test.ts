/**
 * The front door (src/http/graphql-front-door.ts) executes POST /graphql JSON with Apollo
 * directly, in front of Express. These tests hold it to the Express path's answers: the same
 * request sent to `/graphql?via=express` (which the door leaves to the app) must answer alike,
 * status, body and headers, for reads, errors, refusals and malformed bodies. Demo mode, real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

const READ = `query($id: ID!) { contact(id: $id) { id firstName tasks { id title } notes { id body } } }`;

let gateway: Gateway;
let ids: string[];

beforeAll(async () => {
  gateway = await startGateway(
    parseConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      GHL_SIM_PORT: '0',
      ROOFR_SIM_PORT: '0',
      DATABASE_URL: 'sqlite::memory:',
      DEMO_CONTACTS: '5',
      CACHE_URL: 'memory://',
      // Every request executes: the door's execution path is what is compared.
      RESPONSE_CACHE_MAX_ENTRIES: '0',
    }),
    { simulator: { rateLimit: { max: 100_000 } } },
  );
  ids = gateway.simulator?.data.listContactIds() ?? [];
});
afterAll(async () => {
  await gateway.close();
});

async function send(path: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as Record<string, unknown> };
}

/** The same request through the door and through Express. */
async function bothWays(body: string, headers: Record<string, string> = {}): Promise<[Answer, Answer]> {
  return [await send('/graphql', body, headers), await send('/graphql?via=express', body, headers)];
}

/** What may differ between two answers to one request: ids, timings and the remaining budget. */
function comparable(answer: Answer): unknown {
  const { extensions, ...rest } = answer.body as { extensions?: Record<string, unknown> };
  return { status: answer.status, ...rest, extensionKeys: Object.keys(extensions ?? {}).sort() };
}

describe('POST /graphql in front of Express', () => {
  it('when a read executes, then the door answers what Express answers, with its request id, no-store and a length', async () => {
    const body = JSON.stringify({ query: READ, variables: { id: ids[0] } });
    const [door, express] = await bothWays(body, { 'x-request-id': 'front-door-1' });
    expect(comparable(door)).toEqual(comparable(express));
    expect((door.body.data as { contact: { id: string } }).contact.id).toBe(ids[0]);
    expect(door.headers.get('x-request-id')).toBe('front-door-1');
    expect(door.headers.get('cache-control')).toBe('no-store');
    expect(express.headers.get('cache-control')).toBe('no-store');
    expect(door.headers.get('content-type')).toBe(express.headers.get('content-type'));
    expect(Number(door.headers.get('content-length'))).toBeGreaterThan(0);
  });

  it('when the caller sends no request id, then the door assigns one and echoes it', async () => {
    const door = await send('/graphql', JSON.stringify({ query: '{ __typename }' }));
    expect(door.headers.get('x-request-id')).toMatch(/^[\w.:-]{8,}$/);
  });

  it('when the operation fails validation, then both answer the same 400 with the same coded error', async () => {
    const [door, express] = await bothWays(JSON.stringify({ query: '{ contact(id: "x") { noSuchField } }' }));
    expect(door.status).toBe(400);
    expect(comparable(door)).toEqual(comparable(express));
    expect((door.body.errors as Array<{ extensions: { code: string } }>)[0]?.extensions.code).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
  });

  it('when a variable has the wrong type, then both answer the same coded error that names it', async () => {
    const [door, express] = await bothWays(JSON.stringify({ query: READ, variables: { id: { not: 'an id' } } }));
    expect(comparable(door)).toEqual(comparable(express));
    expect(JSON.stringify(door.body.errors)).toContain('$id');
  });

  it('when the body is JSON but no GraphQL request (an array, no query), then both refuse it alike', async () => {
    for (const body of ['[]', '{}', '{"query": 7}']) {
      const [door, express] = await bothWays(body);
      expect(door.status).toBeGreaterThanOrEqual(400);
      expect(comparable(door)).toEqual(comparable(express));
    }
  });

  it('when the body is not JSON, then the door answers the app’s 400 BAD_REQUEST', async () => {
    const [door, express] = await bothWays('{"query": ');
    expect(door.status).toBe(400);
    expect(door.body).toEqual(express.body);
    expect((door.body.errors as Array<{ extensions: { code: string } }>)[0]?.extensions.code).toBe('BAD_REQUEST');
  });

  it('when a mutation is sent, then it runs once through the door (not twice), like any operation', async () => {
    const before = gateway.simulator?.data.listContactIds().length ?? 0;
    const door = await send(
      '/graphql',
      JSON.stringify({
        query: 'mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }',
        variables: { input: { firstName: 'Door', email: 'door@example.com' } },
      }),
    );
    expect(door.status).toBe(200);
    expect(door.body.errors).toBeUndefined();
    expect(gateway.simulator?.data.listContactIds().length).toBe(before + 1);
  });
});
