/**
 * Paging at the size GHL's limits bite: 12,000 contacts, so page numbers run out at 10,000 and
 * the rest must come through searchAfter. No contact may be missed or repeated.
 */
import { startGhlSimulator } from '../../src/simulators/ghl/index.js';
import type { GhlSimulator } from '../../src/simulators/ghl/index.js';
import { callSim } from '../support/ghl-sim-http.js';
import type { ContactJson } from '../support/ghl-sim-http.js';

let sim: GhlSimulator;

beforeAll(async () => {
  sim = await startGhlSimulator({ seed: 11, contacts: 12_000, rateLimit: { max: 100_000 } });
});

afterAll(async () => {
  await sim.close();
});

type SearchBody = { contacts: ContactJson[]; total: number };

async function search(body: Record<string, unknown>) {
  const response = await callSim<SearchBody>(sim, 'POST', '/contacts/search', {
    body: { locationId: sim.locationId, pageLimit: 500, ...body },
  });
  return response;
}

test('when paging by page up to 10,000 and then by searchAfter, then all 12,000 contacts come exactly once', async () => {
  const seen: string[] = [];
  let last: ContactJson | undefined;
  for (let page = 1; page <= 20; page += 1) {
    const response = await search({ page });
    expect(response.status).toBe(200);
    expect(response.body.total).toBe(12_000);
    seen.push(...response.body.contacts.map((contact) => contact.id));
    last = response.body.contacts.at(-1);
  }
  expect((await search({ page: 21 })).status).toBe(400);
  let cursor = last?.searchAfter;
  for (let guard = 0; guard < 100 && cursor !== undefined; guard += 1) {
    const response = await search({ searchAfter: cursor });
    expect(response.status).toBe(200);
    seen.push(...response.body.contacts.map((contact) => contact.id));
    cursor = response.body.contacts.length === 500 ? response.body.contacts.at(-1)?.searchAfter : undefined;
  }
  expect(seen.length).toBe(12_000);
  expect(new Set(seen)).toEqual(new Set(sim.data.listContactIds()));
});

test('when walking only by searchAfter with a two-field sort, then no contact is missed or repeated', async () => {
  const sort = [
    { field: 'lastName', direction: 'asc' },
    { field: 'dateUpdated', direction: 'desc' },
  ];
  const seen: string[] = [];
  let cursor: Array<string | number> | undefined;
  for (let guard = 0; guard < 100; guard += 1) {
    const response = await search(cursor === undefined ? { sort } : { sort, searchAfter: cursor });
    expect(response.status).toBe(200);
    seen.push(...response.body.contacts.map((contact) => contact.id));
    if (response.body.contacts.length < 500) break;
    cursor = response.body.contacts.at(-1)?.searchAfter;
  }
  expect(seen.length).toBe(12_000);
  expect(new Set(seen).size).toBe(12_000);
});

test('when a searchAfter cursor does not fit the sort, then 422', async () => {
  const response = await search({ searchAfter: ['not-a-date', 'x'] });
  expect(response.status).toBe(422);
});
