/**
 * The idiomatic baseline a team would write with Apollo Server and @apollo/datasource-rest: our
 * Contact query shape (contact(id), contacts(first, after), a by-ids list field standing in for
 * federation's `_entities`, and the contact's tasks, notes and appointments), resolvers calling
 * the data source directly. Request dedupe and HTTP caching come from the library; there is no
 * batching. Runs as its own process (bench/peers/run.ts); reports its URL over IPC.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GhlDataSource, type GhlContact } from './ghl-data-source.js';
import { traceMemory } from '../memory-trace.js';

traceMemory('apollo');

const typeDefs = /* GraphQL */ `
  type Task {
    id: ID!
    title: String
    completed: Boolean
    dueDate: String
  }
  type Note {
    id: ID!
    body: String
    dateAdded: String
  }
  type Appointment {
    id: ID!
    title: String
    startTime: String
  }
  type Contact {
    id: ID!
    name: String
    firstName: String
    lastName: String
    email: String
    phone: String
    tasks: [Task!]
    notes: [Note!]
    appointments: [Appointment!]
  }
  type ContactEdge {
    node: Contact!
    cursor: String!
  }
  type ContactConnection {
    edges: [ContactEdge!]!
    totalCount: Int!
  }
  type Query {
    contact(id: ID!): Contact
    "after is an offset (the number of contacts before the page)."
    contacts(first: Int = 20, after: String): ContactConnection
    contactsByIds(ids: [ID!]!): [Contact]!
  }
`;

interface Context {
  ghl: GhlDataSource;
}

const resolvers = {
  Query: {
    contact: (_parent: unknown, args: { id: string }, context: Context) => context.ghl.contact(args.id),
    contacts: async (_parent: unknown, args: { first: number; after?: string | null }, context: Context) => {
      const offset = args.after ? Number(args.after) : 0;
      const page = Math.floor(offset / args.first) + 1;
      const found = await context.ghl.search(args.first, page);
      return {
        totalCount: found.total,
        edges: found.contacts.map((node, index) => ({ node, cursor: String(offset + index + 1) })),
      };
    },
    // One contact GET each: the REST API has no get-many, and datasource-rest does not batch. A
    // contact that fails is an error in the answer (null in its place), as Apollo reports any
    // resolver's rejection: an answer missing contacts it was asked for is not one without errors.
    contactsByIds: (_parent: unknown, args: { ids: string[] }, context: Context) =>
      args.ids.map((id) => context.ghl.contact(id)),
  },
  Contact: {
    tasks: (contact: GhlContact, _args: unknown, context: Context) => context.ghl.tasks(contact.id),
    notes: (contact: GhlContact, _args: unknown, context: Context) => context.ghl.notes(contact.id),
    appointments: (contact: GhlContact, _args: unknown, context: Context) => context.ghl.appointments(contact.id),
  },
};

const baseURL = process.env.PEER_GHL_BASE_URL;
const token = process.env.PEER_GHL_TOKEN;
const locationId = process.env.PEER_GHL_LOCATION_ID;
if (baseURL === undefined || token === undefined || locationId === undefined) {
  throw new Error('set PEER_GHL_BASE_URL, PEER_GHL_TOKEN and PEER_GHL_LOCATION_ID (bench/peers/run.ts does)');
}

const server = new ApolloServer<Context>({ typeDefs, resolvers });
const { url } = await startStandaloneServer(server, {
  listen: { port: 0, host: '127.0.0.1' },
  // A new data source per request (its dedupe map is request scoped); the HTTP cache is shared.
  context: async () => ({ ghl: new GhlDataSource({ baseURL: `${baseURL}/`, cache: server.cache }, token, locationId) }),
});

process.on('message', (message: unknown) => {
  if (message === 'close') void server.stop().then(() => process.exit(0));
});
process.send?.({ type: 'ready', graphqlUrl: url });
