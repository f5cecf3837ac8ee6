/**
 * The shared cache under the GraphQL loaders, against the simulator over HTTP: warm reads cost
 * nothing upstream, invalidation makes the next read fresh, a failing HighLevel is answered
 * stale (flagged), identical loads in flight are made once, and locations never share entries.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { invalidateForGhlEvent } from '../../src/cache/webhook-invalidation.js';
import { LOCATION_A, LOCATION_B, startCacheHarness, type CacheHarness } from './cache-harness.js';

const CONTACT_NESTED = `query($id: ID!) { contact(id: $id) { id name tasks { id title } notes { id body } appointments { id } } }`;
const LIST_NESTED = `query($n: Int) { contacts(first: $n) { totalCount edges { node { id name tasks { id } notes { id } appointments { id } } } } }`;

let harness: CacheHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

function firstContact(h: CacheHarness, locationId = LOCATION_A): string {
  const [id] = h.sim.data.listContactIds(locationId);
  if (id === undefined) throw new Error('no seeded contact');
  return id;
}

describe('shared cache under the loaders', () => {
  it('when a contact with nested lists is read twice, then the second read sends nothing upstream and answers the same', async () => {
    harness = await startCacheHarness();
    const id = firstContact(harness);
    const cold = await harness.execute(CONTACT_NESTED, { id });
    expect(cold.errors).toBeUndefined();
    const afterCold = harness.upstreamTotal();
    expect(afterCold).toBeGreaterThan(0);
    const warm = await harness.execute(CONTACT_NESTED, { id });
    expect(warm.data).toEqual(cold.data);
    expect(harness.upstreamTotal()).toBe(afterCold);
    expect(warm.extensions).toMatchObject({ upstream: { calls: 0 }, rateLimit: { cost: { estimated: 0, actual: 0 } } });
  });

  it('when a 10-contact nested list is read twice, then the second read sends nothing upstream', async () => {
    harness = await startCacheHarness();
    const cold = await harness.execute(LIST_NESTED, { n: 10 });
    expect(cold.errors).toBeUndefined();
    const afterCold = harness.upstreamTotal();
    const warm = await harness.execute(LIST_NESTED, { n: 10 });
    expect(warm.data).toEqual(cold.data);
    expect(harness.upstreamTotal()).toBe(afterCold);
  });

  it('when a webhook-style invalidation follows an upstream change, then the next read is fresh', async () => {
    harness = await startCacheHarness();
    const id = firstContact(harness);
    await harness.execute(CONTACT_NESTED, { id });
    // Someone changes the contact in HighLevel, behind the gateway's back.
    await harness.ghl.updateContact(LOCATION_A, id, { firstName: 'Renamed', lastName: 'Contact' });
    const before = await harness.execute(CONTACT_NESTED, { id });
    expect(before.data).not.toMatchObject({ contact: { name: 'Renamed Contact' } });
    const report = await invalidateForGhlEvent(harness.cache, { type: 'ContactUpdate', locationId: LOCATION_A, id });
    expect(report?.evicted).toContain(harness.cache.keys.contact(LOCATION_A, id));
    const after = await harness.execute(CONTACT_NESTED, { id });
    expect(after.data).toMatchObject({ contact: { id, name: 'Renamed Contact' } });
    expect(after.extensions).toMatchObject({ upstream: { calls: 4 } });
  });

  it('when HighLevel answers 5xx and the cached copies are past their TTL, then they are served with extensions.stale', async () => {
    harness = await startCacheHarness({
      cache: { ttls: { contact: 1, tasksOfContact: 1, notesOfContact: 1, appointmentsOfContact: 1 }, graceMs: 0 },
    });
    const id = firstContact(harness);
    const cold = await harness.execute(CONTACT_NESTED, { id });
    await new Promise((resolve) => setTimeout(resolve, 5));
    harness.sim.faults.setErrorRate({ rate: 1, statuses: [503] });
    const stale = await harness.execute(CONTACT_NESTED, { id });
    expect(stale.errors).toBeUndefined();
    expect(stale.data).toEqual(cold.data);
    expect(stale.extensions?.['stale']).toBe(true);
    expect(stale.extensions?.['staleAgeMs']).toEqual(expect.any(Number));
    expect(harness.sim.log.snapshot().statuses['503']).toBeGreaterThan(0);
  });

  it('when HighLevel answers 5xx and nothing is cached, then the field fails UPSTREAM_UNAVAILABLE without a stale flag', async () => {
    harness = await startCacheHarness();
    harness.sim.faults.setErrorRate({ rate: 1, statuses: [503] });
    const result = await harness.execute(CONTACT_NESTED, { id: firstContact(harness) });
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(result.extensions?.['stale']).toBeUndefined();
  });

  it('when two requests read the same contact at the same time, then HighLevel is asked once', async () => {
    harness = await startCacheHarness({ simulator: { latencyMs: 30 } });
    const id = firstContact(harness);
    const h = harness;
    const [one, two] = await Promise.all([h.execute(CONTACT_NESTED, { id }), h.execute(CONTACT_NESTED, { id })]);
    expect(one.data).toEqual(two.data);
    expect(h.sim.log.count('GET', '/contacts/{contactId}')).toBe(1);
    expect(h.sim.log.count('GET', '/contacts/{contactId}/notes')).toBe(1);
  });

  it("when two locations run the same queries, then neither is answered from the other's cache entries", async () => {
    harness = await startCacheHarness();
    const idA = firstContact(harness, LOCATION_A);
    const listA = await harness.execute(LIST_NESTED, { n: 5 }, LOCATION_A);
    await harness.execute(CONTACT_NESTED, { id: idA }, LOCATION_A);
    const listB = await harness.execute(LIST_NESTED, { n: 5 }, LOCATION_B);
    const idsOf = (result: typeof listA) =>
      ((result.data?.['contacts'] as { edges: Array<{ node: { id: string } }> }).edges ?? []).map(
        (edge) => edge.node.id,
      );
    expect(idsOf(listB)).toHaveLength(5);
    expect(idsOf(listB).filter((id) => idsOf(listA).includes(id))).toEqual([]);
    expect(idsOf(listB).every((id) => harness?.sim.data.listContactIds(LOCATION_B).includes(id))).toBe(true);
    // A's contact asked for under B: B's token cannot see it, and A's cached copy is not used.
    const crossed = await harness.execute(CONTACT_NESTED, { id: idA }, LOCATION_B);
    expect(crossed.data?.['contact']).toBeNull();
    expect(crossed.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });
});
