/**
 * Dry runs and verifies through GraphQL (executeOperation over the simulators): startSync and
 * syncContact with dryRun, verifySync answered at once while the job runs, syncRun's kind,
 * plan connection (paged) and summary, the coded refusals of bad arguments, and the role every
 * sync mutation needs.
 */
import { readFileSync } from 'node:fs';
import type { ApolloServer } from '@apollo/server';
import { Kind, parse, type FormattedExecutionResult, type ObjectTypeExtensionNode } from 'graphql';
import { GATEWAY_FIELD_ROLES } from '../../src/graphql/hardening/field-roles.js';
import { createContextFactory, type ContextFactory, type GraphQLContext } from '../../src/graphql/context.js';
import { createGraphQLServer } from '../../src/graphql/server.js';
import { LocationLimiters } from '../../src/loaders/concurrency-limit.js';
import { BatchedReadCapability } from '../../src/loaders/batched-read-capability.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

interface PlanPage {
  edges: Array<{
    node: {
      action: string;
      targetKind: string;
      entityId: string;
      repair: string | null;
      outboxId: string | null;
      fields: Array<{ field: string; from: unknown; to: unknown }>;
    };
    cursor: string;
  }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const PLAN = `plan(first: $first, after: $after) {
  edges { node { action targetKind entityId repair outboxId reason fields { field from to } } cursor }
  pageInfo { hasNextPage endCursor }
}`;

describe('dry runs and verify over GraphQL', () => {
  let harness: SyncHarness;
  let server: ApolloServer<GraphQLContext>;
  let createContext: ContextFactory;

  beforeEach(async () => {
    harness = await startSyncHarness({ contacts: 8, pageSize: 5 });
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

  afterEach(async () => {
    await server.stop();
    await harness.close();
  });

  async function execute(query: string, variables: Record<string, unknown> = {}): Promise<FormattedExecutionResult> {
    const response = await server.executeOperation({ query, variables }, { contextValue: createContext() });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  }

  async function wholePlan(id: string, first = 3): Promise<PlanPage['edges']> {
    const edges: PlanPage['edges'] = [];
    let after: string | null = null;
    for (;;) {
      const result = await execute(`query($id: ID!, $first: Int, $after: String) { syncRun(id: $id) { ${PLAN} } }`, {
        id,
        first,
        after,
      });
      expect(result.errors).toBeUndefined();
      const page = (result.data?.syncRun as { plan: PlanPage }).plan;
      edges.push(...page.edges);
      if (!page.pageInfo.hasNextPage) return edges;
      after = page.pageInfo.endCursor;
    }
  }

  test('when startSync runs with dryRun, then a DRY_RUN run plans every record, pages its plan without repeats, and Roofr is untouched', async () => {
    const started = await execute(`mutation { startSync(mode: FULL, dryRun: true) { id kind status mode } }`);
    expect(started.data?.startSync).toMatchObject({ kind: 'DRY_RUN', status: 'RUNNING', mode: 'FULL' });
    const { id } = started.data?.startSync as { id: string };
    await harness.engine.drainJobs();
    const result = await execute(
      `query($id: ID!) { syncRun(id: $id) { kind status counts { read created updated unchanged skipped conflicts }
        summary { tallies { targetKind action count } ghlCalls roofrReads omittedEntries } } }`,
      { id },
    );
    expect(result.data?.syncRun).toMatchObject({
      kind: 'DRY_RUN',
      status: 'SUCCEEDED',
      counts: { read: 8, created: 8, updated: 0, conflicts: 0 },
      summary: { omittedEntries: 0 },
    });
    const tallies = (
      result.data?.syncRun as { summary: { tallies: Array<{ targetKind: string; action: string; count: number }> } }
    ).summary.tallies;
    expect(tallies).toEqual(expect.arrayContaining([{ targetKind: 'customer', action: 'CREATE', count: 8 }]));
    const plan = await wholePlan(id);
    expect(plan).toHaveLength(tallies.reduce((sum, tally) => sum + tally.count, 0));
    expect(new Set(plan.map((edge) => edge.cursor)).size).toBe(plan.length);
    expect(harness.roofrSim.data.customers.size).toBe(0);
  });

  test('when syncContact runs with dryRun, then the returned run carries its plan with the field-level diff', async () => {
    const [contactId] = harness.ghlSim.data.listContactIds();
    const result = await execute(
      `mutation($id: ID!, $first: Int, $after: String) { syncContact(id: $id, dryRun: true) { kind status counts { created } ${PLAN} } }`,
      { id: contactId, first: 10, after: null },
    );
    expect(result.errors).toBeUndefined();
    const run = result.data?.syncContact as { kind: string; plan: PlanPage };
    expect(run).toMatchObject({ kind: 'DRY_RUN', status: 'SUCCEEDED', counts: { created: 1 } });
    const customer = run.plan.edges.find((edge) => edge.node.targetKind === 'customer')?.node;
    expect(customer).toMatchObject({ action: 'CREATE', entityId: contactId });
    expect(customer?.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'first_name', from: null })]),
    );
    expect(harness.roofrSim.data.customers.size).toBe(0);
  });

  test('when verifySync is called, then it answers RUNNING at once; the finished run lists findings with their queued repairs and the sample statement', async () => {
    await harness.engine.startSync({ mode: 'FULL' });
    await harness.engine.drainJobs();
    const [contactId] = harness.ghlSim.data.listContactIds();
    const job = await harness.store.links.findByGhl({
      locationId: harness.locationId,
      ghlKind: 'contact',
      ghlId: contactId ?? '',
      roofrKind: 'job',
    });
    harness.roofrSim.data.updateJob(job?.roofrId ?? '', { lead_source: 'Flyer' });

    const started = await execute(`mutation { verifySync(repair: true) { id kind status mode } }`);
    expect(started.data?.verifySync).toMatchObject({ kind: 'VERIFY', status: 'RUNNING', mode: 'FULL+REPAIR' });
    const { id } = started.data?.verifySync as { id: string };
    await harness.engine.drainJobs();
    const plan = await wholePlan(id, 10);
    expect(plan.map((edge) => edge.node)).toEqual([
      expect.objectContaining({
        action: 'DRIFT',
        targetKind: 'job',
        entityId: contactId,
        repair: 'QUEUED',
        outboxId: expect.any(String),
        fields: [{ field: 'lead_source', from: 'Flyer', to: expect.any(String) }],
      }),
    ]);
    const result = await execute(
      `query($id: ID!) { syncRun(id: $id) { status counts { read conflicts unchanged } summary { sample { population sampled withFindings statement } } errors { code message } } }`,
      { id },
    );
    expect(result.data?.syncRun).toMatchObject({
      status: 'SUCCEEDED',
      counts: { read: 8, conflicts: 1, unchanged: 7 },
      summary: { sample: { population: 8, sampled: 8, withFindings: 1 } },
    });
  });

  test('when the arguments are out of range, then BAD_USER_INPUT names the field; a sync run has an empty plan and no summary', async () => {
    const zero = await execute(`mutation { verifySync(sample: 0) { id } }`);
    expect(zero.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const both = await execute(`mutation { verifySync(sample: 5, businessId: "biz1") { id } }`);
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const [contactId] = harness.ghlSim.data.listContactIds();
    const sync = await execute(
      `mutation($id: ID!) { syncContact(id: $id) { id kind summary { ghlCalls } plan { edges { cursor } } } }`,
      {
        id: contactId,
      },
    );
    expect(sync.data?.syncContact).toMatchObject({ kind: 'SYNC', summary: null, plan: { edges: [] } });
    const dry = await execute(`mutation($id: ID!) { syncContact(id: $id, dryRun: true) { id } }`, { id: contactId });
    const dryId = (dry.data?.syncContact as { id: string }).id;
    const tooMany = await execute(`query($id: ID!) { syncRun(id: $id) { plan(first: 501) { edges { cursor } } } }`, {
      id: dryId,
    });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const badCursor = await execute(
      `query($id: ID!) { syncRun(id: $id) { plan(after: "not-a-cursor") { edges { cursor } } } }`,
      { id: dryId },
    );
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  test('when the sync mutations are listed, then every one needs the sync-admin role', () => {
    const document = parse(readFileSync('schema/sync.graphql', 'utf8'));
    const mutations = document.definitions
      .filter(
        (definition): definition is ObjectTypeExtensionNode =>
          definition.kind === Kind.OBJECT_TYPE_EXTENSION && definition.name.value === 'Mutation',
      )
      .flatMap((definition) => definition.fields?.map((field) => field.name.value) ?? []);
    expect(mutations).toEqual(expect.arrayContaining(['startSync', 'syncContact', 'verifySync']));
    for (const name of mutations) expect(GATEWAY_FIELD_ROLES[`Mutation.${name}`]).toBe('sync-admin');
  });
});
