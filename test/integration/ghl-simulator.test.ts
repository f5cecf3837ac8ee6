/**
 * The GHL simulator over real HTTP: every contacts-family endpoint's happy path and GHL's
 * quirks (400 for unknown ids, 201s, `succeded`, 422 message arrays, Version/scope 401s).
 */
import { startGhlSimulator } from '../../src/simulators/ghl/index.js';
import type { GhlSimulator } from '../../src/simulators/ghl/index.js';
import { callSim } from '../support/ghl-sim-http.js';
import type { ContactJson } from '../support/ghl-sim-http.js';

const OTHER_LOCATION = 'SimOtherLocation0002';

let sim: GhlSimulator;

beforeAll(async () => {
  sim = await startGhlSimulator({
    seed: 7,
    locations: [
      { locationId: 'SimDemoLocation00001', contacts: 300 },
      { locationId: OTHER_LOCATION, contacts: 20, allowDuplicateContacts: true },
    ],
    tokens: [
      {
        token: 'pit-demo',
        locationId: 'SimDemoLocation00001',
        scopes: ['contacts.readonly', 'contacts.write', 'locations/tasks.readonly'],
      },
      { token: 'pit-readonly', locationId: 'SimDemoLocation00001', scopes: ['contacts.readonly'] },
      { token: 'pit-other', locationId: OTHER_LOCATION, scopes: ['contacts.readonly', 'contacts.write'] },
    ],
    rateLimit: { max: 100_000 },
  });
});

afterAll(async () => {
  await sim.close();
});

const token = 'pit-demo';
const firstId = (): string => sim.data.listContactIds()[0] ?? '';

describe('GHL simulator: contacts', () => {
  test('when a seeded contact is fetched, then 200 {contact} carries GHL fields', async () => {
    const response = await callSim<{ contact: ContactJson & Record<string, unknown> }>(
      sim,
      'GET',
      `/contacts/${firstId()}`,
      { token },
    );
    expect(response.status).toBe(200);
    const contact = response.body.contact;
    expect(contact.id).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(contact.locationId).toBe(sim.locationId);
    expect(contact.dateAdded).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(Array.isArray(contact.tags)).toBe(true);
    expect(contact).toEqual(sim.data.getContact(firstId()));
  });

  test('when the contact id is unknown, then 400 "Contact with id <id> not found"', async () => {
    const response = await callSim(sim, 'GET', '/contacts/nope0000000000000000', { token });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ statusCode: 400, message: 'Contact with id nope0000000000000000 not found' });
  });

  test('when a contact is created, then 201 {contact} with a 20-char id, E.164 phone and lowercased tags', async () => {
    const response = await callSim<{ contact: ContactJson }>(sim, 'POST', '/contacts/', {
      token,
      body: {
        locationId: sim.locationId,
        firstName: 'Ada',
        lastName: 'Roof',
        email: 'Ada.Roof@example.com',
        phone: '(214) 555-0101',
        tags: ['Lead', 'lead'],
      },
    });
    expect(response.status).toBe(201);
    expect(response.body.contact.id).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(response.body.contact.phone).toBe('+12145550101');
    expect(response.body.contact.tags).toEqual(['lead']);
    expect(sim.data.getContact(response.body.contact.id)?.email).toBe('Ada.Roof@example.com');
  });

  test('when the location forbids duplicates and the email exists, then 400 with meta naming the match', async () => {
    const existing = sim.data.addContact({ firstName: 'Dup', lastName: 'One', email: 'dup.one@example.com' });
    const response = await callSim(sim, 'POST', '/contacts/', {
      token,
      body: { locationId: sim.locationId, email: 'DUP.one@example.com' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      statusCode: 400,
      message: 'This location does not allow duplicated contacts.',
      meta: { contactId: existing.id, contactName: 'Dup One', matchingField: 'email' },
    });
  });

  test('when the location allows duplicates, then the same email creates a second contact', async () => {
    const body = { locationId: OTHER_LOCATION, email: 'twice@example.com' };
    const first = await callSim(sim, 'POST', '/contacts/', { token: 'pit-other', body });
    const second = await callSim(sim, 'POST', '/contacts/', { token: 'pit-other', body });
    expect([first.status, second.status]).toEqual([201, 201]);
  });

  test('when upserting an existing email, then 200 new:false updates it; an unknown email gives new:true', async () => {
    sim.data.addContact({ firstName: 'Up', email: 'upsert.me@example.com', tags: ['old'] });
    const updated = await callSim<{ new: boolean; contact: ContactJson }>(sim, 'POST', '/contacts/upsert', {
      token,
      body: { locationId: sim.locationId, email: 'upsert.me@example.com', lastName: 'Dated', tags: ['fresh'] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.new).toBe(false);
    expect(updated.body.contact.lastName).toBe('Dated');
    expect(updated.body.contact.tags).toEqual(['fresh']);
    const created = await callSim<{ new: boolean; contact: ContactJson }>(sim, 'POST', '/contacts/upsert', {
      token,
      body: { locationId: sim.locationId, email: 'brand.new@example.com' },
    });
    expect(created.status).toBe(200);
    expect(created.body.new).toBe(true);
  });

  test('when a contact is updated, then {succeded: true, contact} with the tags list replaced', async () => {
    const contact = sim.data.addContact({ firstName: 'Upd', tags: ['a', 'b'] });
    const response = await callSim<{ succeded: boolean; contact: ContactJson }>(
      sim,
      'PUT',
      `/contacts/${contact.id as string}`,
      {
        token,
        body: { city: 'Austin', tags: ['c'], customFields: [{ key: 'roof_type', field_value: 'Metal' }] },
      },
    );
    expect(response.status).toBe(200);
    expect(response.body.succeded).toBe(true);
    expect(response.body.contact.tags).toEqual(['c']);
    expect(response.body.contact.customFields).toEqual([
      { id: sim.data.location().customFields[0]?.id, value: 'Metal' },
    ]);
    expect(sim.data.getContact(contact.id as string)?.city).toBe('Austin');
  });

  test('when a seeded contact is renamed, then its tasks and notes stay as they were', async () => {
    const named = (candidate: string): boolean =>
      sim.data
        .tasksOf(candidate)
        .some((task) => String(task.body).startsWith(`Re ${String(sim.data.getContact(candidate)?.firstName)}:`));
    const id = sim.data.listContactIds().find(named);
    if (id === undefined) throw new Error('expected a seeded task naming its contact');
    const before = { tasks: sim.data.tasksOf(id), notes: sim.data.notesOf(id) };
    const renamed = await callSim(sim, 'PUT', `/contacts/${id}`, { token, body: { firstName: 'Renamed' } });
    expect(renamed.status).toBe(200);
    expect({ tasks: sim.data.tasksOf(id), notes: sim.data.notesOf(id) }).toEqual(before);
  });

  test('when an update names a property the spec lacks (locationId), then 422 with a message array', async () => {
    const response = await callSim(sim, 'PUT', `/contacts/${firstId()}`, {
      token,
      body: { locationId: sim.locationId, dnd: 'yes' },
    });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      statusCode: 422,
      message: ['dnd must be a boolean value', 'property locationId should not exist'],
      error: 'Unprocessable Entity',
    });
  });

  test('when a contact is deleted, then {succeded: true} (sic) and it is gone', async () => {
    const contact = sim.data.addContact({ firstName: 'Gone' });
    const response = await callSim(sim, 'DELETE', `/contacts/${contact.id as string}`, { token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ succeded: true });
    expect((await callSim(sim, 'GET', `/contacts/${contact.id as string}`, { token })).status).toBe(400);
  });
});

describe('GHL simulator: auth, Version and scopes', () => {
  test('when the Version header is missing, then 401 "version header was not found."', async () => {
    const response = await callSim(sim, 'GET', `/contacts/${firstId()}`, { token, version: null });
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('version header was not found.');
  });

  test('when the Version header is unknown or the calendars one, then 401 "version header is invalid"', async () => {
    for (const version of ['2020-01-01', '2021-04-15']) {
      const response = await callSim(sim, 'GET', `/contacts/${firstId()}`, { token, version });
      expect(response.status).toBe(401);
      expect(response.body.message).toBe('version header is invalid');
    }
  });

  test('when the bearer token is missing or unknown, then 401 in GHL shape', async () => {
    for (const bearer of [null, 'pit-unknown']) {
      const response = await callSim(sim, 'GET', `/contacts/${firstId()}`, { token: bearer });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        statusCode: 401,
        message: 'Invalid token: access token is invalid',
        error: 'Unauthorized',
      });
    }
  });

  test('when a read-only token writes, then 401 "The token is not authorized for this scope." while reads work', async () => {
    const write = await callSim(sim, 'POST', `/contacts/${firstId()}/notes`, {
      token: 'pit-readonly',
      body: { body: 'x' },
    });
    expect(write.status).toBe(401);
    expect(write.body.message).toBe('The token is not authorized for this scope.');
    expect((await callSim(sim, 'GET', `/contacts/${firstId()}/notes`, { token: 'pit-readonly' })).status).toBe(200);
    const tasks = await callSim(sim, 'POST', `/locations/${sim.locationId}/tasks/search`, {
      token: 'pit-readonly',
      body: {},
    });
    expect(tasks.status).toBe(401);
  });

  test('when a token reaches for another location, then its contacts are "not found" and its locationId is 403', async () => {
    const foreign = sim.data.listContactIds(OTHER_LOCATION)[0] ?? '';
    const byId = await callSim(sim, 'GET', `/contacts/${foreign}`, { token });
    expect(byId.status).toBe(400);
    expect(byId.body.message).toBe(`Contact with id ${foreign} not found`);
    const list = await callSim(sim, 'GET', `/contacts/?locationId=${OTHER_LOCATION}`, { token });
    expect(list.status).toBe(403);
  });

  test('when a token expires or is revoked, then 401 (expired: "Invalid JWT")', async () => {
    const expiring = sim.tokens.issue({ scopes: ['contacts.readonly'], expiresAt: sim.clock.now() + 60_000 });
    expect((await callSim(sim, 'GET', `/contacts/${firstId()}`, { token: expiring })).status).toBe(200);
    sim.clock.advance(61_000);
    const expired = await callSim(sim, 'GET', `/contacts/${firstId()}`, { token: expiring });
    expect(expired.status).toBe(401);
    expect(expired.body.message).toBe('Invalid JWT');
    const revocable = sim.tokens.issue({ scopes: ['contacts.readonly'] });
    sim.tokens.revoke(revocable);
    expect((await callSim(sim, 'GET', `/contacts/${firstId()}`, { token: revocable })).status).toBe(401);
  });

  test('when a scope is taken away at run time, then the next call answers the scope 401', async () => {
    const changing = sim.tokens.issue({ scopes: ['contacts.readonly'] });
    expect((await callSim(sim, 'GET', `/contacts/${firstId()}/tasks`, { token: changing })).status).toBe(200);
    sim.tokens.setScopes(changing, []);
    expect((await callSim(sim, 'GET', `/contacts/${firstId()}/tasks`, { token: changing })).status).toBe(401);
  });

  test('when a path is not served, then NestJS-style 404', async () => {
    const response = await callSim(sim, 'GET', '/contacts/a/b/c/d', { token });
    expect(response.status).toBe(404);
    expect(response.body.message).toBe('Cannot GET /contacts/a/b/c/d');
  });
});

type SearchBody = { contacts: ContactJson[]; total: number; message?: unknown };

async function search(body: Record<string, unknown>) {
  return callSim<SearchBody>(sim, 'POST', '/contacts/search', {
    token,
    body: { locationId: sim.locationId, pageLimit: 100, ...body },
  });
}

describe('GHL simulator: POST /contacts/search', () => {
  test('when filtering by tag, businessId and a dateAdded range, then only matching contacts come back', async () => {
    const businessId = sim.data.location().businessIds[0] ?? '';
    const since = '2000-01-01T00:00:00.000Z';
    const response = await search({
      pageLimit: 500,
      filters: [
        { field: 'businessId', operator: 'eq', value: businessId },
        { field: 'dateAdded', operator: 'range', value: { gte: since } },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body.total).toBeGreaterThan(0);
    expect(response.body.contacts.every((contact) => contact.businessId === businessId)).toBe(true);
    const tagged = await search({ pageLimit: 500, filters: [{ field: 'tags', operator: 'eq', value: 'lead' }] });
    expect(tagged.body.total).toBeGreaterThan(0);
    expect(tagged.body.contacts.every((contact) => contact.tags.includes('lead'))).toBe(true);
  });

  test('when filtering with an OR group of id eq, then exactly those contacts come back', async () => {
    const ids = sim.data.listContactIds().slice(5, 9);
    const response = await search({
      filters: [{ group: 'OR', filters: ids.map((id) => ({ field: 'id', operator: 'eq', value: id })) }],
    });
    expect(response.body.total).toBe(4);
    expect(response.body.contacts.map((contact) => contact.id).sort()).toEqual([...ids].sort());
  });

  test('when filtering with exists / not_exists / contains / not_eq, then the sets partition the location', async () => {
    const all = (await search({ pageLimit: 1 })).body.total;
    const withEmail = (await search({ pageLimit: 1, filters: [{ field: 'email', operator: 'exists' }] })).body.total;
    const withoutEmail = (await search({ pageLimit: 1, filters: [{ field: 'email', operator: 'not_exists' }] })).body
      .total;
    expect(withEmail + withoutEmail).toBe(all);
    const gmail = (await search({ pageLimit: 1, filters: [{ field: 'email', operator: 'contains', value: 'gmail' }] }))
      .body.total;
    const notGmail = (
      await search({ pageLimit: 1, filters: [{ field: 'email', operator: 'not_contains', value: 'gmail' }] })
    ).body.total;
    expect(gmail + notGmail).toBe(all);
    const dnd = (await search({ pageLimit: 1, filters: [{ field: 'dnd', operator: 'eq', value: true }] })).body.total;
    const notDnd = (await search({ pageLimit: 1, filters: [{ field: 'dnd', operator: 'not_eq', value: true }] })).body
      .total;
    expect(dnd + notDnd).toBe(all);
  });

  test('when a free-text query names an email, then that contact is found', async () => {
    const contact = sim.data.getContact(firstId());
    const email = String(contact?.email ?? contact?.phone);
    const response = await search({ query: email });
    expect(response.body.contacts.map((found) => found.id)).toContain(firstId());
  });

  test('when sorting by lastName asc, then names are ordered and each contact carries searchAfter [lastName, id]', async () => {
    const response = await search({ sort: [{ field: 'lastName', direction: 'asc' }] });
    const names = response.body.contacts.map((contact) => (contact.lastName ?? '').toLowerCase());
    expect(names).toEqual([...names].sort());
    const first = response.body.contacts[0];
    expect(first?.searchAfter).toEqual([(first?.lastName ?? '').toLowerCase(), first?.id]);
  });

  test('when the body breaks the spec, then 422 lists every problem', async () => {
    const response = await search({
      pageLimit: 501,
      page: 1,
      searchAfter: [1, 'x'],
      query: 'x'.repeat(76),
      sort: [
        { field: 'id', direction: 'asc' },
        { field: 'email', direction: 'asc' },
        { field: 'dateAdded', direction: 'asc' },
      ],
    });
    expect(response.status).toBe(422);
    expect(response.body.message).toEqual(
      expect.arrayContaining([
        'pageLimit must not be greater than 500',
        'query must be shorter than or equal to 75 characters',
        'sort must contain no more than 2 elements',
      ]),
    );
    const both = await search({ page: 1, searchAfter: [1, 'x'] });
    expect(both.status).toBe(422);
    expect(both.body.message).toEqual(['page and searchAfter cannot be used together']);
    const operator = await search({ filters: [{ field: 'email', operator: 'like', value: 'x' }] });
    expect(operator.status).toBe(422);
    expect(operator.body.message).toEqual([
      'filters.0.operator must be one of the following values: eq, not_eq, contains, not_contains, exists, not_exists, range',
    ]);
  });

  test('when the search index lags, then a new contact shows in search only after the lag, but GET sees it at once', async () => {
    sim.setSearchLag(5_000);
    try {
      await search({ pageLimit: 1 });
      const created = await callSim<{ contact: ContactJson }>(sim, 'POST', '/contacts/', {
        token,
        body: { locationId: sim.locationId, email: 'lagging@example.com' },
      });
      const byEmail = { filters: [{ field: 'email', operator: 'eq', value: 'lagging@example.com' }] };
      expect((await search(byEmail)).body.total).toBe(0);
      expect((await callSim(sim, 'GET', `/contacts/${created.body.contact.id}`, { token })).status).toBe(200);
      sim.clock.advance(5_000);
      expect((await search(byEmail)).body.contacts.map((contact) => contact.id)).toEqual([created.body.contact.id]);
    } finally {
      sim.setSearchLag(0);
    }
  });

  test('when page * pageLimit passes 10,000, then 400 asks for searchAfter', async () => {
    const response = await search({ page: 21, pageLimit: 500 });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('Pagination limit exceeded. Please use searchAfter to fetch more records.');
  });
});

describe('GHL simulator: legacy and business lists', () => {
  test('when walking GET /contacts/ with startAfter/startAfterId, then every contact comes once and meta links pages', async () => {
    const seen: string[] = [];
    let cursor = '';
    let total = 0;
    for (let page = 0; page < 100; page += 1) {
      const response = await callSim<{ contacts: ContactJson[]; count: number; meta: Record<string, unknown> }>(
        sim,
        'GET',
        `/contacts/?locationId=${sim.locationId}&limit=100${cursor}`,
        { token },
      );
      expect(response.status).toBe(200);
      total = response.body.meta.total as number;
      seen.push(...response.body.contacts.map((contact) => contact.id));
      if (response.body.meta.nextPageUrl === null) break;
      expect(String(response.body.meta.nextPageUrl)).toContain(
        `startAfterId=${String(response.body.meta.startAfterId)}`,
      );
      cursor = `&startAfter=${String(response.body.meta.startAfter)}&startAfterId=${String(response.body.meta.startAfterId)}`;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(total);
    expect(total).toBe(sim.data.contactCount());
  });

  test('when the lists take a query, then only contacts matching it come back', async () => {
    const contact = sim.data.addContact({ firstName: 'Zebulon', lastName: 'Quartz', companyName: 'Quartz Roofing' });
    const listed = await callSim<{ contacts: ContactJson[] }>(
      sim,
      'GET',
      `/contacts/?locationId=${sim.locationId}&query=zebulon`,
      { token },
    );
    expect(listed.body.contacts.map((found) => found.id)).toEqual([contact.id]);
    const businessId = sim.data.location().businessIds[0] ?? '';
    const none = await callSim<{ contacts: ContactJson[]; count: number }>(
      sim,
      'GET',
      `/contacts/business/${businessId}?locationId=${sim.locationId}&query=zebulon`,
      { token },
    );
    expect(none.body).toEqual({ contacts: [], count: 0 });
  });

  test('when limit exceeds 100, then 422', async () => {
    const response = await callSim(sim, 'GET', `/contacts/?locationId=${sim.locationId}&limit=101`, { token });
    expect(response.status).toBe(422);
  });

  test('when paging a business with skip, then its contacts come once each and count is the total', async () => {
    const businessId = sim.data.location().businessIds[1] ?? '';
    const seen: string[] = [];
    let count = 0;
    for (let skip = 0; skip < 1000; skip += 7) {
      const response = await callSim<{ contacts: ContactJson[]; count: number }>(
        sim,
        'GET',
        `/contacts/business/${businessId}?locationId=${sim.locationId}&limit=7&skip=${skip}`,
        { token },
      );
      expect(response.status).toBe(200);
      count = response.body.count;
      seen.push(...response.body.contacts.map((contact) => contact.id));
      if (response.body.contacts.length < 7) break;
    }
    expect(count).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(count);
    expect(seen.every((id) => sim.data.getContact(id)?.businessId === businessId)).toBe(true);
  });
});

describe('GHL simulator: tasks, notes, appointments, tags', () => {
  test('when a task goes through create, get, update, complete and delete, then each answers GHL shapes', async () => {
    const contactId = firstId();
    const created = await callSim<{ task: Record<string, unknown> }>(sim, 'POST', `/contacts/${contactId}/tasks`, {
      token,
      body: { title: 'Inspect roof', dueDate: '2026-12-01T10:00:00Z' },
    });
    expect(created.status).toBe(201);
    const taskId = String(created.body.task.id);
    expect(created.body.task).toMatchObject({
      title: 'Inspect roof',
      completed: false,
      contactId,
      dueDate: '2026-12-01T10:00:00.000Z',
    });
    const fetched = await callSim<{ task: Record<string, unknown> }>(
      sim,
      'GET',
      `/contacts/${contactId}/tasks/${taskId}`,
      { token },
    );
    expect(fetched.body.task).toEqual(created.body.task);
    const updated = await callSim<{ task: Record<string, unknown> }>(
      sim,
      'PUT',
      `/contacts/${contactId}/tasks/${taskId}`,
      { token, body: { title: 'Inspect roof (north)' } },
    );
    expect(updated.body.task.title).toBe('Inspect roof (north)');
    const completed = await callSim<{ task: Record<string, unknown> }>(
      sim,
      'PUT',
      `/contacts/${contactId}/tasks/${taskId}/completed`,
      { token, body: { completed: true } },
    );
    expect(completed.body.task.completed).toBe(true);
    const listed = await callSim<{ tasks: Array<Record<string, unknown>> }>(
      sim,
      'GET',
      `/contacts/${contactId}/tasks`,
      { token },
    );
    expect(listed.body.tasks.map((task) => task.id)).toContain(taskId);
    const deleted = await callSim(sim, 'DELETE', `/contacts/${contactId}/tasks/${taskId}`, { token });
    expect(deleted.body).toEqual({ succeded: true });
    expect((await callSim(sim, 'GET', `/contacts/${contactId}/tasks/${taskId}`, { token })).status).toBe(400);
  });

  test('when a task lacks title and dueDate, then 422 names both', async () => {
    const response = await callSim(sim, 'POST', `/contacts/${firstId()}/tasks`, { token, body: { body: 'x' } });
    expect(response.status).toBe(422);
    expect(response.body.message).toEqual([
      'title should not be empty',
      'title must be a string',
      'dueDate should not be empty',
      'dueDate must be a string',
    ]);
  });

  test('when a note goes through create, get, update and delete, then each answers GHL shapes', async () => {
    const contactId = firstId();
    const created = await callSim<{ note: Record<string, unknown> }>(sim, 'POST', `/contacts/${contactId}/notes`, {
      token,
      body: { body: 'Leak over garage' },
    });
    expect(created.status).toBe(201);
    const noteId = String(created.body.note.id);
    expect(
      (
        await callSim<{ note: Record<string, unknown> }>(sim, 'GET', `/contacts/${contactId}/notes/${noteId}`, {
          token,
        })
      ).body.note.body,
    ).toBe('Leak over garage');
    const updated = await callSim<{ note: Record<string, unknown> }>(
      sim,
      'PUT',
      `/contacts/${contactId}/notes/${noteId}`,
      { token, body: { body: 'Leak fixed' } },
    );
    expect(updated.body.note.body).toBe('Leak fixed');
    expect(sim.data.notesOf(contactId).map((note) => note.body)).toContain('Leak fixed');
    expect((await callSim(sim, 'DELETE', `/contacts/${contactId}/notes/${noteId}`, { token })).body).toEqual({
      succeded: true,
    });
    expect((await callSim(sim, 'GET', `/contacts/${contactId}/notes/${noteId}`, { token })).status).toBe(400);
  });

  test('when appointments are listed, then {events} matches the store and is stable across calls', async () => {
    const withAppointments = sim.data.listContactIds().find((id) => sim.data.appointmentsOf(id).length > 0) ?? '';
    const response = await callSim<{ events: Array<Record<string, unknown>> }>(
      sim,
      'GET',
      `/contacts/${withAppointments}/appointments`,
      { token },
    );
    expect(response.status).toBe(200);
    expect(response.body.events).toEqual(sim.data.appointmentsOf(withAppointments));
    expect(response.body.events[0]).toMatchObject({ contactId: withAppointments, locationId: sim.locationId });
  });

  test('when tags are added (201) and removed with a DELETE body (200), then each answers the resulting list', async () => {
    const contact = sim.data.addContact({ firstName: 'Tag', tags: ['lead'] });
    const added = await callSim(sim, 'POST', `/contacts/${contact.id as string}/tags`, {
      token,
      body: { tags: ['Hail', 'lead'] },
    });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ tags: ['lead', 'hail'] });
    const removed = await callSim(sim, 'DELETE', `/contacts/${contact.id as string}/tags`, {
      token,
      body: { tags: ['lead'] },
    });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ tags: ['hail'] });
  });

  test('when tasks are searched for several contacts, then only their tasks come back, filtered and paged', async () => {
    const ids = sim.data.listContactIds().slice(0, 30);
    const expected = ids.flatMap((id) => sim.data.tasksOf(id)).filter((task) => task.completed === false);
    const response = await callSim<{ tasks: Array<Record<string, unknown>> }>(
      sim,
      'POST',
      `/locations/${sim.locationId}/tasks/search`,
      {
        token,
        body: { contactId: ids, completed: false, limit: 1000 },
      },
    );
    expect(response.status).toBe(200);
    expect(response.body.tasks.map((task) => task.id).sort()).toEqual(expected.map((task) => task.id).sort());
    const paged = await callSim<{ tasks: Array<Record<string, unknown>> }>(
      sim,
      'POST',
      `/locations/${sim.locationId}/tasks/search`,
      {
        token,
        body: { contactId: ids, completed: false, limit: 2, skip: 1 },
      },
    );
    expect(paged.body.tasks.map((task) => task.id)).toEqual(response.body.tasks.slice(1, 3).map((task) => task.id));
  });
});
