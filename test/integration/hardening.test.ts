/**
 * Each /graphql limit over real HTTP, on a small schema shaped like the gateway's (a
 * connection with `first`, nested lists): every rejection is a 400 with a code, never a 500.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { buildSchema, parse } from 'graphql';
import type { CallerIdentity } from '../../src/auth/caller-identity.js';
import { createHardening, type HardeningSettings } from '../../src/graphql/hardening/hardening.js';
import { findOperation, walkOperationCost } from '../../src/graphql/operation-cost.js';
import { roleGuardPlugin } from '../../src/graphql/hardening/role-guard-plugin.js';

const typeDefs = /* GraphQL */ `
  directive @listSize(
    assumedSize: Int
    slicingArguments: [String!]
    sizedFields: [String!]
    requireOneSlicingArgument: Boolean = true
  ) on FIELD_DEFINITION
  directive @cost(weight: Int!) on FIELD_DEFINITION
  type Query {
    contacts(first: Int = 20, after: String): ContactConnection!
      @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
    contact(id: ID!): Contact
    slow: String
    slowSecond: String
    slowThenContact: Contact
    ping: String
  }
  type Mutation {
    rename(id: ID!, name: String!): Contact
    startSync: Boolean
  }
  type ContactConnection {
    edges: [ContactEdge!]!
  }
  type ContactEdge {
    node: Contact!
  }
  type Contact {
    id: ID!
    name: String
    tags: [String!]!
    tasks: [Task!]
    company: Company
  }
  type Company {
    contacts(first: Int = 20): ContactConnection! @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
  }
  type Task {
    id: ID!
    title: String
  }
`;

interface TestContext {
  caller?: CallerIdentity;
  signal?: AbortSignal;
}

const contact = { id: 'c1', name: 'Ada', tags: [], tasks: [], company: null };
const settings: HardeningSettings = {
  maxDepth: 6,
  maxCost: 500,
  maxAliases: 3,
  maxRootFields: 3,
  operationTimeoutMs: 30_000,
  introspection: false,
  bodyLimit: '2kb',
};

async function startServer(
  overrides: Partial<HardeningSettings> = {},
  caller?: CallerIdentity,
): Promise<{ url: string; close(): Promise<void> }> {
  const hardening = createHardening<TestContext>(
    { ...settings, ...overrides },
    { onOperationStart: (context, signal) => (context.signal = signal) },
  );
  const schema = buildSchema(typeDefs);
  const resolvers: Record<
    string,
    Record<string, (parent: unknown, args: Record<string, unknown>, context: TestContext) => unknown>
  > = {
    Query: {
      contacts: () => ({ edges: [{ node: contact }] }),
      contact: () => contact,
      ping: () => 'pong',
      // Waits until the operation's signal fires, as an upstream call given the signal would.
      slow: (_parent, _args, context) =>
        new Promise((_resolve, reject) =>
          context.signal?.addEventListener('abort', () => reject(context.signal?.reason), { once: true }),
        ),
      slowSecond: () => 'never reached',
      // Ignores the abort and answers late, like code that does not pass the signal on.
      slowThenContact: (_parent, _args, context) =>
        new Promise((resolve) => context.signal?.addEventListener('abort', () => resolve(contact), { once: true })),
    },
    Mutation: { rename: () => contact, startSync: () => true },
  };
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (type === undefined || !('getFields' in type)) throw new Error(typeName);
    const typeFields = type.getFields() as Record<string, { resolve?: unknown }>;
    for (const [name, resolve] of Object.entries(fields)) {
      const field = typeFields[name];
      if (field) field.resolve = resolve;
    }
  }
  const server = new ApolloServer<TestContext>({
    schema,
    introspection: hardening.introspection,
    csrfPrevention: hardening.csrfPrevention,
    validationRules: hardening.validationRules,
    plugins: [
      ...hardening.plugins,
      ...(caller !== undefined
        ? [
            roleGuardPlugin<TestContext>({
              callerOf: (context) => context.caller,
              fieldRoles: { 'Mutation.startSync': 'sync-admin' },
            }),
          ]
        : []),
    ],
  });
  await server.start();
  const app = express();
  app.use(
    '/graphql',
    express.json({ limit: hardening.bodyLimit }),
    expressMiddleware(server, { context: async () => (caller !== undefined ? { caller } : {}) }),
  );
  const listener: Server = app.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  return {
    url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}/graphql`,
    close: async () => {
      listener.close();
      await server.stop();
    },
  };
}

interface GraphQLAnswer {
  status: number;
  body: {
    data?: unknown;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  };
}

async function post(url: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLAnswer['body'] };
}

describe('GraphQL hardening over HTTP', () => {
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server.close();
  });

  it('when a query is within every limit, then it runs', async () => {
    const answer = await post(server.url, '{ contacts(first: 5) { edges { node { id name tasks { id } } } } }');
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
  });

  it('when a query is deeper than the limit, then 400 GRAPHQL_VALIDATION_FAILED names the depth limit', async () => {
    const answer = await post(
      server.url,
      '{ contacts { edges { node { company { contacts { edges { node { id } } } } } } } }',
    );
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      limit: 'depth',
      max: 6,
    });
  });

  it('when a fragment hides depth, then it still counts', async () => {
    const answer = await post(
      server.url,
      'query { contacts { ...Deep } } fragment Deep on ContactConnection { edges { node { company { contacts { edges { node { id } } } } } } }',
    );
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.limit).toBe('depth');
  });

  it('when list sizes multiply past the cost limit, then 400 QUERY_TOO_COMPLEX, also when the size comes from a variable', async () => {
    const literal = await post(
      server.url,
      '{ contacts(first: 100) { edges { node { id name tasks { id title } } } } }',
    );
    expect(literal.status).toBe(400);
    expect(literal.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 500 });

    const query = 'query Q($n: Int!) { contacts(first: $n) { edges { node { id name tasks { id title } } } } }';
    expect((await post(server.url, query, { n: 5 })).status).toBe(200);
    const viaVariable = await post(server.url, query, { n: 100 });
    expect(viaVariable.status).toBe(400);
    expect(viaVariable.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('when aliases exceed the limit, then 400 names the alias limit', async () => {
    const answer = await post(server.url, '{ contact(id: "1") { a: id b: id c: name d: name } }');
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      limit: 'aliases',
      actual: 4,
    });
  });

  it('when root fields exceed the limit, then 400 names the root-field limit', async () => {
    const answer = await post(
      server.url,
      '{ ping contact(id: "1") { id } contacts { edges { node { id } } } ...More } fragment More on Query { slowSecond }',
    );
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      limit: 'rootFields',
      actual: 4,
    });
  });

  it('when introspection is off (production), then __schema is refused with 400', async () => {
    const answer = await post(server.url, '{ __schema { types { name } } }');
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(answer.body.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('when a request could be a CSRF (simple content type or GET without preflight header), then 400 BAD_REQUEST', async () => {
    const simple = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ ping }' }),
    });
    expect(simple.status).toBe(400);
    const get = await fetch(`${server.url}?query=${encodeURIComponent('{ ping }')}`);
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF|preflight/i);
    const withHeader = await fetch(`${server.url}?query=${encodeURIComponent('{ ping }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(withHeader.status).toBe(200);
  });

  // The body limit and malformed JSON are answered by the gateway's HTTP app: see auth-gateway.test.ts.
});

describe('operation deadline', () => {
  it('when an operation outlives its deadline, then its signal aborts the waiting resolver with OPERATION_TIMEOUT', async () => {
    const server = await startServer({ operationTimeoutMs: 100 });
    try {
      const answer = await post(server.url, '{ slow }');
      expect(answer.status).toBe(200);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('OPERATION_TIMEOUT');
      expect(answer.body.data).toEqual({ slow: null });
    } finally {
      await server.close();
    }
  });

  it('when a resolver answers after the deadline, then the fields below it are not started and fail with OPERATION_TIMEOUT', async () => {
    const server = await startServer({ operationTimeoutMs: 100 });
    try {
      const answer = await post(server.url, '{ slowThenContact { id name } }');
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('OPERATION_TIMEOUT');
      expect(answer.body.errors?.[0]?.path).toEqual(['slowThenContact', 'id']);
      expect(answer.body.data).toEqual({ slowThenContact: null });
    } finally {
      await server.close();
    }
  });
});

describe('introspection and roles', () => {
  it('when introspection is enabled (development), then __schema answers', async () => {
    const server = await startServer({ introspection: true });
    try {
      const answer = await post(server.url, '{ __schema { queryType { name } } }');
      expect(answer.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('when a read-only caller runs a mutation or a sync-admin field, then 403 FORBIDDEN; reads pass', async () => {
    const server = await startServer(
      {},
      { subject: 'k', kind: 'api-key', locations: ['L'], roles: ['read', 'write'], locationId: 'L' },
    );
    try {
      expect((await post(server.url, '{ ping }')).status).toBe(200);
      expect((await post(server.url, 'mutation { rename(id: "1", name: "x") { id } }')).status).toBe(200);
      const sync = await post(server.url, 'mutation { startSync }');
      expect(sync.status).toBe(403);
      expect(sync.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredRole: 'sync-admin' });
    } finally {
      await server.close();
    }
  });
});

describe('operation cost', () => {
  const schema = buildSchema(typeDefs);
  const cost = (query: string, variables: Record<string, unknown> = {}) => {
    const document = parse(query);
    const operation = findOperation(document, undefined);
    if (operation === undefined) throw new Error('no operation');
    return walkOperationCost(schema, document, operation, variables).routerCost;
  };

  it('when first grows, then the cost grows in proportion; edges sized by first, other lists by the default size', () => {
    // contacts: 1 × (1 + edges 10 × (1 + node 1 × (1 + id 0))) = 21
    expect(cost('{ contacts(first: 10) { edges { node { id } } } }')).toBe(21);
    expect(cost('{ contacts(first: 20) { edges { node { id } } } }')).toBe(41);
    // Schema default first: 20.
    expect(cost('{ contacts { edges { node { id } } } }')).toBe(41);
    // Unsized list of objects: default list size 10. node: 1 + tasks 10 × (1 + 0) = 11.
    expect(cost('{ contacts(first: 1) { edges { node { id tasks { id } } } } }')).toBe(1 + 1 * (1 + 1 * (1 + 10)));
    expect(cost('query($n: Int = 3) { contacts(first: $n) { edges { node { id } } } }')).toBe(1 + 3 * 2);
  });
});
