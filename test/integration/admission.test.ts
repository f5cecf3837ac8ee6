/**
 * Admission control against the simulator with a small burst limit (10 per window): an
 * operation estimated to need more calls than the budget grants soon is answered from the
 * cache, and the rest fails RATE_LIMITED without a request being sent; one that needs more
 * than a whole window spends what the window has left, so retries complete it.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { LOCATION_A, startCacheHarness, type CacheHarness } from './cache-harness.js';

const CONTACT_NESTED = `query($id: ID!) { contact(id: $id) { id name tasks { id } notes { id } appointments { id } } }`;
/** 1 search + 1 task search + 4 notes + 4 appointments: a whole window of 10, more than the 9 left after the first call. */
const EXPENSIVE_LIST = `{ contacts(first: 4) { edges { node { id tasks { id } notes { id } appointments { id } } } } }`;
/** 1 search + 12 notes + 12 appointments: more than any one window of 10 holds. */
const LARGER_THAN_A_WINDOW = `{ contacts(first: 12) { edges { node { id notes { id } appointments { id } } } } }`;

let harness: CacheHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function lowBudgetHarness(): Promise<CacheHarness> {
  const h = await startCacheHarness({
    simulator: { rateLimit: { max: 10, intervalMs: 60_000, dailyMax: 10_000_000 } },
    admissionMaxWaitMs: 200,
  });
  // One cheap call teaches the budget HighLevel's limits (10 per minute).
  const [id = ''] = h.sim.data.listContactIds(LOCATION_A);
  await h.execute('query($id: ID!) { contact(id: $id) { id } }', { id });
  return h;
}

describe('admission control', () => {
  it('when an operation needs more calls than the burst window has left, then it fails RATE_LIMITED with retryAfterMs and nothing is sent', async () => {
    harness = await lowBudgetHarness();
    const before = harness.upstreamTotal();
    const result = await harness.execute(EXPENSIVE_LIST);
    expect(harness.upstreamTotal()).toBe(before);
    expect(result.data?.['contacts']).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect(result.extensions).toMatchObject({
      rateLimit: { cost: { estimated: 10, actual: 0 }, burstRemaining: 9 },
      admission: { mode: 'cache-only' },
    });
    expect(harness.sim.log.snapshot().rateLimited).toBe(0);
  });

  it('when the expensive operation also asks for a cached contact, then the cached part is answered and only the rest is refused', async () => {
    harness = await lowBudgetHarness();
    const [id = ''] = harness.sim.data.listContactIds(LOCATION_A);
    await harness.execute(CONTACT_NESTED, { id });
    const before = harness.upstreamTotal();
    const result = await harness.execute(
      `query($id: ID!) { cached: contact(id: $id) { id name tasks { id } notes { id } appointments { id } } ${EXPENSIVE_LIST.slice(1, -1)} }`,
      { id },
    );
    expect(harness.upstreamTotal()).toBe(before);
    expect(result.data?.['cached']).toMatchObject({ id });
    expect(result.data?.['contacts']).toBeNull();
    expect(result.errors?.map((error) => error.extensions?.['code'])).toEqual(['RATE_LIMITED']);
  });

  it('when refused fields of cached contacts fail, then each error is located at its own field, as graphql-js locates any field error', async () => {
    harness = await lowBudgetHarness();
    const [id = ''] = harness.sim.data.listContactIds(LOCATION_A);
    // The contact is cached (the budget's first call), its lists are not.
    const before = harness.upstreamTotal();
    // 2 calls for the contact's lists and 8 for three contacts with theirs: 10, one more than is left.
    const result = await harness.execute(
      `query($id: ID!) { contact(id: $id) { id notes { id } appointments { id } }
        contacts(first: 3) { edges { node { id tasks { id } notes { id } appointments { id } } } } }`,
      { id },
    );
    expect(harness.upstreamTotal()).toBe(before);
    expect(result.extensions).toMatchObject({ admission: { mode: 'cache-only' } });
    expect(result.data?.['contact']).toEqual({ id, notes: null, appointments: null });
    const notesError = result.errors?.find((error) => error.path?.join('.') === 'contact.notes');
    expect(notesError).toMatchObject({
      message: expect.stringMatching(/^Not sent: /),
      locations: [{ line: 1, column: expect.any(Number) }],
      extensions: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) },
    });
  });

  it('when refused entities fail, then each error is located at its item of _entities', async () => {
    harness = await lowBudgetHarness();
    const all = harness.sim.data.listContactIds(LOCATION_A);
    // The window's other 9 calls spent on 9 contacts: the entities' batched read finds none left.
    for (const spent of all.slice(1, 10))
      await harness.execute('query($id: ID!) { contact(id: $id) { id } }', { id: spent });
    const ids = all.slice(10, 20);
    const before = harness.upstreamTotal();
    const result = await harness.execute(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Contact { id } } }`,
      {
        r: ids.map((id) => ({ __typename: 'Contact', id })),
      },
    );
    expect(harness.upstreamTotal()).toBe(before);
    expect(result.extensions).toMatchObject({ admission: { mode: 'cache-only' } });
    expect(result.errors?.map((error) => error.path)).toEqual(ids.map((_id, index) => ['_entities', index]));
    expect(result.errors?.[0]).toMatchObject({
      locations: [{ line: 1, column: expect.any(Number) }],
      extensions: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) },
    });
  });

  it('when a cached contact is read with a nearly spent budget, then it is estimated at 0 calls and answered normally', async () => {
    harness = await lowBudgetHarness();
    const [id = ''] = harness.sim.data.listContactIds(LOCATION_A);
    await harness.execute(CONTACT_NESTED, { id });
    const result = await harness.execute(CONTACT_NESTED, { id });
    expect(result.errors).toBeUndefined();
    expect(result.extensions).toMatchObject({ rateLimit: { cost: { estimated: 0, actual: 0 } } });
    expect(result.extensions?.['admission']).toBeUndefined();
  });

  it('when the operation fits the budget, then it runs and reports estimated and actual cost and what is left', async () => {
    harness = await lowBudgetHarness();
    const [, id = ''] = harness.sim.data.listContactIds(LOCATION_A);
    const result = await harness.execute(CONTACT_NESTED, { id });
    expect(result.errors).toBeUndefined();
    expect(result.extensions).toMatchObject({ rateLimit: { cost: { estimated: 4, actual: 4 }, burstRemaining: 5 } });
    expect(harness.sim.log.snapshot().rateLimited).toBe(0);
  });

  it('when an operation needs more calls than a whole window holds, then each try spends only what the window has left and retries complete it without a 429', async () => {
    harness = await startCacheHarness({
      simulator: { rateLimit: { max: 10, intervalMs: 1_000, dailyMax: 10_000_000 } },
      admissionMaxWaitMs: 200,
    });
    const [id = ''] = harness.sim.data.listContactIds(LOCATION_A);
    await harness.execute('query($id: ID!) { contact(id: $id) { id } }', { id });
    let result = await harness.execute(LARGER_THAN_A_WINDOW);
    expect(result.extensions).toMatchObject({
      admission: { mode: 'partial', grantedCalls: expect.any(Number), retryAfterMs: expect.any(Number) },
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    const tries = [result];
    for (let attempt = 0; attempt < 8 && (result.errors?.length ?? 0) > 0; attempt += 1) {
      const retryAfterMs =
        (result.extensions?.['admission'] as { retryAfterMs?: number } | undefined)?.retryAfterMs ?? 1_000;
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs + 50));
      result = await harness.execute(LARGER_THAN_A_WINDOW);
      tries.push(result);
    }
    expect(result.errors).toBeUndefined();
    expect((result.data?.['contacts'] as { edges: unknown[] }).edges).toHaveLength(12);
    // 25 calls at 10 a window: at least three tries, each spending no more than its window had.
    expect(tries.length).toBeGreaterThanOrEqual(3);
    for (const attempt of tries)
      expect((attempt.extensions?.['rateLimit'] as { cost: { actual: number } }).cost.actual).toBeLessThanOrEqual(10);
    expect(harness.sim.log.snapshot().rateLimited).toBe(0);
  }, 20_000);

  it('when two queries larger than a window arrive together, then together they are granted no more than the window has left', async () => {
    harness = await lowBudgetHarness();
    const results = await Promise.all([
      harness.execute(LARGER_THAN_A_WINDOW),
      harness.execute(LARGER_THAN_A_WINDOW.replace('first: 12', 'first: 11')),
    ]);
    const granted = results.map(
      (result) => (result.extensions?.['admission'] as { grantedCalls: number }).grantedCalls,
    );
    const spent = results.map(
      (result) => (result.extensions?.['rateLimit'] as { cost: { actual: number } }).cost.actual,
    );
    expect(granted.reduce((sum, calls) => sum + calls, 0)).toBeLessThanOrEqual(9);
    expect(spent.reduce((sum, calls) => sum + calls, 0)).toBeLessThanOrEqual(9);
    expect(harness.sim.log.snapshot().rateLimited).toBe(0);
  });

  it('when several operations arrive together, then only as many are admitted as the window can take and the rest are answered RATE_LIMITED at once', async () => {
    harness = await lowBudgetHarness();
    const ids = harness.sim.data.listContactIds(LOCATION_A).slice(1, 4);
    const results = await Promise.all(ids.map((id) => harness?.execute(CONTACT_NESTED, { id })));
    const answered = results.filter((result) => result?.errors === undefined);
    const limited = results.filter((result) => result?.errors?.[0]?.extensions?.['code'] === 'RATE_LIMITED');
    // 9 calls left, 4 a contact: two fit, the third would wait for the next minute's window.
    expect(answered).toHaveLength(2);
    expect(limited).toHaveLength(1);
    expect(harness.sim.log.snapshot().rateLimited).toBe(0);
  });
});
