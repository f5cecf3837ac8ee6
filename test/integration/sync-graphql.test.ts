/**
 * The sync's GraphQL surface through executeOperation: startSync queues a run that the job
 * worker completes, syncContact runs at once, and syncRun / syncRuns report trigger, status,
 * counts, timings and errors, filtered by status.
 */
import type { ApolloServer } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { createContextFactory, type ContextFactory, type GraphQLContext } from '../../src/graphql/context.js';
import { createGraphQLServer } from '../../src/graphql/server.js';
import { LocationLimiters } from '../../src/loaders/concurrency-limit.js';
import { BatchedReadCapability } from '../../src/loaders/batched-read-capability.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

const RUN_FIELDS =
  'id trigger mode status businessId durationMs startedAt finishedAt counts { read created updated unchanged failed } errors { code message entityId }';

describe('sync over GraphQL', () => {
  let harness: SyncHarness;
  let server: ApolloServer<GraphQLContext>;
  let createContext: ContextFactory;

  beforeAll(async () => {
    harness = await startSyncHarness({ contacts: 12, pageSize: 5 });
    server = createGraphQLServer({});
    await server.start();
    createContext = createContextFactory({
      ghl: harness.ghl,
      locationId: harness.locationId,
      batchedReads: new BatchedReadCapability(undefined),
      limiters: new LocationLimiters(4),
      sync: { engine: harness.engine, runs: harness.store.syncRuns, entries: harness.store.syncRunEntries },
    });
  });

  afterAll(async () => {
    await server.stop();
    await harness.close();
  });

  async function execute(query: string, variables: Record<string, unknown> = {}): Promise<FormattedExecutionResult> {
    const response = await server.executeOperation({ query, variables }, { contextValue: createContext() });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  }

  test('when startSync is called, then a RUNNING run is returned and syncRun shows it SUCCEEDED with counts once the worker ran it', async () => {
    const started = await execute(`mutation { startSync(mode: FULL) { ${RUN_FIELDS} } }`);
    expect(started.errors).toBeUndefined();
    const run = (started.data?.startSync ?? {}) as { id: string; status: string; trigger: string };
    expect(run).toMatchObject({ status: 'RUNNING', trigger: 'manual', mode: 'FULL' });
    await harness.engine.drainJobs();
    const result = await execute(`query($id: ID!) { syncRun(id: $id) { ${RUN_FIELDS} } }`, { id: run.id });
    expect(result.data?.syncRun).toMatchObject({
      status: 'SUCCEEDED',
      counts: { read: 12, created: 12, failed: 0 },
      errors: [],
    });
    expect((result.data?.syncRun as { finishedAt: string | null }).finishedAt).not.toBeNull();
  });

  test('when syncContact fails for an unknown contact, then the run is FAILED with the reason, and syncRuns(status: FAILED) lists only such runs', async () => {
    const failed = await execute(`mutation { syncContact(id: "NoSuchContact000000x") { ${RUN_FIELDS} } }`);
    expect(failed.data?.syncContact).toMatchObject({
      status: 'FAILED',
      trigger: 'manual',
      mode: 'contact',
      counts: { failed: 1 },
    });
    const [id] = harness.ghlSim.data.listContactIds();
    const ok = await execute(`mutation($id: ID!) { syncContact(id: $id) { ${RUN_FIELDS} } }`, { id });
    expect(ok.data?.syncContact).toMatchObject({ status: 'SUCCEEDED', counts: { read: 1 } });
    const list = await execute(
      `{ syncRuns(first: 10, status: FAILED) { edges { node { id status mode } } pageInfo { hasNextPage } } }`,
    );
    const nodes = (list.data?.syncRuns as { edges: Array<{ node: { status: string } }> }).edges.map(
      (edge) => edge.node,
    );
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((node) => node.status === 'FAILED')).toBe(true);
  });

  test('when syncRuns is paged, then the pages join without repeats', async () => {
    const first = await execute(
      `{ syncRuns(first: 1) { edges { node { id } cursor } pageInfo { hasNextPage endCursor } } }`,
    );
    const page = first.data?.syncRuns as {
      edges: Array<{ node: { id: string } }>;
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await execute(
      `query($after: String) { syncRuns(first: 1, after: $after) { edges { node { id } } } }`,
      { after: page.pageInfo.endCursor },
    );
    const next = (second.data?.syncRuns as { edges: Array<{ node: { id: string } }> }).edges;
    expect(next).toHaveLength(1);
    expect(next[0]?.node.id).not.toBe(page.edges[0]?.node.id);
  });
});
