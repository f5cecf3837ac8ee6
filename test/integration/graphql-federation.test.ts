/**
 * The gateway's schema is an Apollo Federation 2 subgraph: its SDL (as served by `_service`)
 * composes with another subgraph that extends Contact, and the same server keeps answering
 * plain queries on its own.
 */
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { startHarness, type Harness } from './graphql-harness.js';

const ROOFR_JOBS_SUBGRAPH = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type Contact @key(fields: "id") {
    id: ID!
    roofJobs: [RoofJob!]!
  }

  type RoofJob {
    id: ID!
    status: String!
  }

  type Query {
    roofJob(id: ID!): RoofJob
  }
`;

describe('Apollo Federation subgraph', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ contacts: 5 });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('when the served subgraph SDL is composed with a second subgraph extending Contact, then composition has no errors', async () => {
    const service = await harness.execute(`{ _service { sdl } }`);
    const sdl = (service.data?._service as { sdl: string }).sdl;
    expect(sdl).toContain('@key(fields: "id")');

    const result = composeServices([
      { name: 'ghl', typeDefs: parse(sdl), url: 'http://ghl.invalid/graphql' },
      { name: 'roofr', typeDefs: parse(ROOFR_JOBS_SUBGRAPH), url: 'http://roofr.invalid/graphql' },
    ]);

    expect(result.errors ?? []).toEqual([]);
    expect(result.supergraphSdl).toContain('roofJobs');
    expect(result.supergraphSdl).toContain('contactsByBusiness');
  });

  it('when _entities is asked for a Contact by key, then the nested fields resolve like a direct query', async () => {
    const contactId = harness.sim.data.listContactIds()[0] ?? '';
    const result = await harness.execute(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Contact { id email notes { id } } } }`,
      { r: [{ __typename: 'Contact', id: contactId }] },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      {
        id: contactId,
        email: harness.sim.data.getContact(contactId)?.email ?? null,
        notes: harness.sim.data.notesOf(contactId).map((note) => ({ id: note.id })),
      },
    ]);
  });
});
