/**
 * Paging past GHL's 10,000-result limit on page numbers: the opaque cursor must switch from
 * `page` to `searchAfter` without the client noticing. Uses the size the requirement names.
 */
import { startHarness, type Harness } from './graphql-harness.js';

const CONTACTS = 10_100;

describe('contacts paging across the 10,000 boundary', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ contacts: CONTACTS, seed: 11 });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('when every page of 500 is followed by its endCursor, then all 10,100 contacts come exactly once and pages past 10,000 use searchAfter', async () => {
    harness.sim.log.reset();
    const seen = new Set<string>();
    const bodies: Array<Record<string, unknown>> = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result = await harness.execute(
        `query($after: String) { contacts(first: 500, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
        { after },
      );
      expect(result.errors).toBeUndefined();
      const connection = result.data?.contacts as {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: Array<{ node: { id: string } }>;
      };
      expect(connection.totalCount).toBe(CONTACTS);
      for (const edge of connection.edges) seen.add(edge.node.id);
      const request = harness.sim.log.entries.filter((entry) => entry.operation === 'POST /contacts/search').at(-1);
      bodies.push(request?.body as Record<string, unknown>);
      pages += 1;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
      if (pages > 25) throw new Error('paging did not end');
    }

    expect(pages).toBe(21);
    expect(seen.size).toBe(CONTACTS);
    // Pages 1..20 cover results 1..10,000 by page number; page 21 must use searchAfter.
    expect(bodies.slice(0, 20).every((body) => typeof body.page === 'number' && body.searchAfter === undefined)).toBe(
      true,
    );
    expect(bodies[20]?.page).toBeUndefined();
    expect(Array.isArray(bodies[20]?.searchAfter)).toBe(true);
    expect(harness.sim.log.statusCount(400)).toBe(0);
  });

  it('when the page size changes between requests, then paging continues from the same position', async () => {
    const firstPage = await harness.execute(`{ contacts(first: 7) { edges { node { id } } pageInfo { endCursor } } }`);
    const after = (firstPage.data?.contacts as { pageInfo: { endCursor: string } }).pageInfo.endCursor;
    const next = await harness.execute(
      `query($after: String) { contacts(first: 5, after: $after) { edges { node { id } } } }`,
      { after },
    );
    const reference = await harness.execute(`{ contacts(first: 12) { edges { node { id } } } }`);
    const idsOf = (data: unknown): string[] =>
      (data as { contacts: { edges: Array<{ node: { id: string } }> } }).contacts.edges.map((edge) => edge.node.id);
    expect([...idsOf(firstPage.data), ...idsOf(next.data)]).toEqual(idsOf(reference.data));
  });
});
