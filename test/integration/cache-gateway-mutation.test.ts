/**
 * The whole gateway (demo mode, real HTTP): a mutation evicts what it changed from the shared
 * cache through the write path's onEntityChanged hook, so the next read is fresh; the
 * `rateLimit` query and `extensions.rateLimit` report the location's budget.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';

interface Body {
  data?: Record<string, unknown>;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  extensions?: { upstream?: { calls: number }; rateLimit?: Record<string, unknown> };
}

const READ = `query($id: ID!) { contact(id: $id) { id firstName notes { id body } } }`;

describe('gateway with the shared cache', () => {
  let gateway: Gateway;
  let contactId: string;

  async function post(query: string, variables: Record<string, unknown> = {}): Promise<Body> {
    const response = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Body;
  }

  beforeAll(async () => {
    const config = parseConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      GHL_SIM_PORT: '0',
      ROOFR_SIM_PORT: '0',
      DATABASE_URL: 'sqlite::memory:',
      DEMO_CONTACTS: '10',
      CACHE_URL: 'memory://',
    });
    gateway = await startGateway(config);
    const [id] = gateway.simulator?.data.listContactIds() ?? [];
    if (id === undefined) throw new Error('no demo contact');
    contactId = id;
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('when a contact is updated through a mutation, then the next read sends upstream and shows the change', async () => {
    await post(READ, { id: contactId });
    const warm = await post(READ, { id: contactId });
    expect(warm.extensions?.upstream?.calls).toBe(0);
    const updated = await post(
      `mutation($id: ID!) { updateContact(id: $id, input: { firstName: "Cachebuster" }) { contact { id firstName } } }`,
      { id: contactId },
    );
    expect(updated.errors).toBeUndefined();
    const fresh = await post(READ, { id: contactId });
    expect(fresh.data).toMatchObject({ contact: { id: contactId, firstName: 'Cachebuster' } });
    expect(fresh.extensions?.upstream?.calls).toBeGreaterThan(0);
  });

  it("when a note is created through a mutation, then the contact's notes are read fresh", async () => {
    await post(READ, { id: contactId });
    const created = await post(
      `mutation($id: ID!) { createNote(contactId: $id, input: { body: "fresh note" }) { note { id } } }`,
      { id: contactId },
    );
    expect(created.errors).toBeUndefined();
    const fresh = await post(READ, { id: contactId });
    const notes = (fresh.data?.['contact'] as { notes: Array<{ body: string }> }).notes;
    expect(notes.map((note) => note.body)).toContain('fresh note');
  });

  it('when rateLimit is queried, then it reports the learnt limits and every response carries extensions.rateLimit', async () => {
    const body = await post(
      `{ rateLimit { locationId limitsKnown burstMax burstRemaining dailyMax dailyRemaining reserve intervalMs resetInMs queued { interactive background } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.['rateLimit']).toMatchObject({
      locationId: gateway.locationId,
      limitsKnown: true,
      burstMax: 100,
      intervalMs: 10_000,
      reserve: 1000,
      queued: { interactive: 0, background: 0 },
    });
    expect(body.extensions?.rateLimit).toMatchObject({
      cost: { estimated: 0, actual: 0 },
      burstRemaining: expect.any(Number),
      dailyRemaining: expect.any(Number),
    });
  });

  it('when rateLimit is asked for another location, then it is FORBIDDEN', async () => {
    const body = await post(`{ rateLimit(locationId: "someOtherLocation0001") { burstMax } }`);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});
