import { GhlNotFoundError, GhlTimeoutError } from '../../../src/ghl/errors.js';
import type { CallOptions } from '../../../src/ghl/ghl-api.js';
import { LocationLimiters } from '../../../src/loaders/concurrency-limit.js';
import { GHL_SCOPES } from '../../../src/domain/types.js';
import { TASK_SEARCH_PAGE_SIZE } from '../../../src/entities/contact-lists.js';
import { BatchedReadCapability } from '../../../src/loaders/batched-read-capability.js';
import { createLoaders, type LoaderDeps } from '../../../src/loaders/create-loaders.js';
import { UpstreamTally } from '../../../src/loaders/upstream-tally.js';
import { FakeGhlApi, makeAppointment, makeContact, makeNote, makeTask } from './fake-ghl-api.js';

function setup(options: { batchedReads?: BatchedReadCapability; contacts?: number } = {}) {
  const ghl = new FakeGhlApi();
  for (let index = 1; index <= (options.contacts ?? 5); index += 1)
    ghl.contacts.set(`c${index}`, makeContact(`c${index}`));
  const tally = new UpstreamTally();
  const callOptions: CallOptions = { lane: 'interactive', observer: tally.observer };
  const batchedReads = options.batchedReads ?? new BatchedReadCapability();
  const deps: LoaderDeps = {
    ghl,
    locationId: 'loc-1',
    batchedReads,
    limiters: new LocationLimiters(4),
    callOptions,
    onBatch: () => tally.countBatch(),
  };
  return { ghl, tally, batchedReads, deps, loaders: createLoaders(deps) };
}

describe('contactById', () => {
  it('when several ids are loaded in one tick, then one search with an OR group of id eq filters answers them in key order', async () => {
    const { ghl, loaders, tally } = setup();
    const contacts = await Promise.all(['c3', 'c1', 'c2'].map((id) => loaders.contactById.load(id)));

    expect(contacts.map((contact) => contact.id)).toEqual(['c3', 'c1', 'c2']);
    const searches = ghl.callsOf('searchContacts');
    expect(searches).toHaveLength(1);
    expect(searches[0]?.args[1]).toEqual({
      pageLimit: 3,
      page: 1,
      filters: [
        {
          group: 'OR',
          filters: [
            { field: 'id', operator: 'eq', value: 'c3' },
            { field: 'id', operator: 'eq', value: 'c1' },
            { field: 'id', operator: 'eq', value: 'c2' },
          ],
        },
      ],
    });
    expect(ghl.callsOf('getContact')).toHaveLength(0);
    expect(tally.snapshot()).toEqual({ calls: 1, batches: 1 });
  });

  it('when one id of a batch does not exist, then only that key fails, with GhlNotFoundError', async () => {
    const { loaders } = setup();
    const results = await loaders.contactById.loadMany(['c1', 'missing', 'c2']);

    expect(results[0]).toMatchObject({ id: 'c1' });
    expect(results[1]).toBeInstanceOf(GhlNotFoundError);
    expect((results[1] as Error).message).toContain('missing');
    expect(results[2]).toMatchObject({ id: 'c2' });
  });

  it('when a single id is loaded, then it is read with GET (consistent, unlike search)', async () => {
    const { ghl, loaders } = setup();
    await expect(loaders.contactById.load('c4')).resolves.toMatchObject({ id: 'c4' });
    expect(ghl.callsOf('getContact')).toHaveLength(1);
    expect(ghl.callsOf('searchContacts')).toHaveLength(0);
  });

  it('when the same id is loaded twice in one request, then it is fetched once', async () => {
    const { ghl, loaders } = setup();
    await Promise.all([loaders.contactById.load('c1'), loaders.contactById.load('c1')]);
    await loaders.contactById.load('c1');
    expect(ghl.calls).toHaveLength(1);
  });

  it('when the search fails, then every key of the batch gets that error', async () => {
    const { ghl, loaders } = setup();
    ghl.failures.set('searchContacts', new GhlTimeoutError('POST /contacts/search', 100));
    const results = await loaders.contactById.loadMany(['c1', 'c2']);
    expect(results.every((result) => result instanceof GhlTimeoutError)).toBe(true);
  });
});

describe('tasksByContactId', () => {
  it('when the token may search tasks, then the tasks of many contacts come from one task search, grouped per contact', async () => {
    const { ghl, loaders } = setup();
    ghl.tasks.push(makeTask('t1', 'c1'), makeTask('t2', 'c2', true), makeTask('t3', 'c1'));

    const [c1, c2, c3] = await Promise.all(['c1', 'c2', 'c3'].map((id) => loaders.lists.tasks.load(id)));

    expect(c1?.map((task) => task.id)).toEqual(['t1', 't3']);
    expect(c2?.map((task) => task.id)).toEqual(['t2']);
    expect(c3).toEqual([]);
    const searches = ghl.callsOf('searchTasks');
    expect(searches).toHaveLength(1);
    expect(searches[0]?.args[1]).toMatchObject({ contactIds: ['c1', 'c2', 'c3'], skip: 0 });
    expect(ghl.callsOf('listTasks')).toHaveLength(0);
  });

  it('when the contacts have more tasks than one search page, then the search pages with skip until a short page', async () => {
    const { ghl, loaders } = setup();
    for (let index = 0; index < TASK_SEARCH_PAGE_SIZE + 3; index += 1)
      ghl.tasks.push(makeTask(`t${index}`, index % 2 === 0 ? 'c1' : 'c2'));

    const [c1, c2] = await Promise.all([loaders.lists.tasks.load('c1'), loaders.lists.tasks.load('c2')]);

    expect((c1?.length ?? 0) + (c2?.length ?? 0)).toBe(TASK_SEARCH_PAGE_SIZE + 3);
    expect(ghl.callsOf('searchTasks').map((call) => (call.args[1] as { skip: number }).skip)).toEqual([
      0,
      TASK_SEARCH_PAGE_SIZE,
    ]);
  });

  it('when the task search answers "not authorized for this scope", then the batch falls back to one call per contact and later requests skip the search', async () => {
    const capability = new BatchedReadCapability();
    const first = setup({ batchedReads: capability });
    first.ghl.taskSearchAllowed = false;
    first.ghl.tasks.push(makeTask('t1', 'c1'));

    const tasks = await Promise.all(['c1', 'c2'].map((id) => first.loaders.lists.tasks.load(id)));

    expect(tasks.map((list) => list.length)).toEqual([1, 0]);
    expect(first.ghl.callsOf('searchTasks')).toHaveLength(1);
    expect(first.ghl.callsOf('listTasks').map((call) => call.args[1])).toEqual(['c1', 'c2']);
    expect(await capability.modeFor('loc-1', GHL_SCOPES.tasksSearch)).toBe('per-contact');

    // A new request (new loaders) shares the capability registry: no second probe.
    const loaders = createLoaders(first.deps);
    await Promise.all(['c3', 'c4'].map((id) => loaders.lists.tasks.load(id)));
    expect(first.ghl.callsOf('searchTasks')).toHaveLength(1);
    expect(first.ghl.callsOf('listTasks')).toHaveLength(4);
  });

  it('when GHL_TOKEN_SCOPES is declared without locations/tasks.readonly, then the task search is never tried', async () => {
    const { ghl, loaders } = setup({ batchedReads: new BatchedReadCapability(['contacts.readonly']) });
    await Promise.all(['c1', 'c2'].map((id) => loaders.lists.tasks.load(id)));
    expect(ghl.callsOf('searchTasks')).toHaveLength(0);
    expect(ghl.callsOf('listTasks')).toHaveLength(2);
  });

  it('when the task search fails for another reason, then the keys fail with that error and the location keeps batching', async () => {
    const { ghl, loaders, batchedReads } = setup();
    ghl.failures.set('searchTasks', new GhlTimeoutError('POST /locations/{locationId}/tasks/search', 100));
    await expect(loaders.lists.tasks.load('c1')).rejects.toBeInstanceOf(GhlTimeoutError);
    expect(await batchedReads.modeFor('loc-1', GHL_SCOPES.tasksSearch)).toBe('batched');
  });
});

describe('notes, appointments and single children', () => {
  it('when notes of many contacts are loaded, then each contact is fetched once and one failure fails only its key', async () => {
    const { ghl, loaders, tally } = setup();
    ghl.notes.push(makeNote('n1', 'c1'), makeNote('n2', 'c2'));
    ghl.failures.set('listNotes', new GhlTimeoutError('GET /contacts/{contactId}/notes', 100));

    const results = await loaders.lists.notes.loadMany(['c1', 'c2', 'c1']);

    expect(results[0]).toBeInstanceOf(GhlTimeoutError);
    expect(results[1]).toEqual([makeNote('n2', 'c2')]);
    expect(ghl.callsOf('listNotes').map((call) => call.args[1])).toEqual(['c1', 'c2']);
    expect(tally.snapshot()).toEqual({ calls: 2, batches: 1 });
  });

  it('when appointments are loaded, then they come per contact', async () => {
    const { ghl, loaders } = setup();
    ghl.appointments.push(makeAppointment('a1', 'c2'));
    const [c1, c2] = await Promise.all([loaders.lists.appointments.load('c1'), loaders.lists.appointments.load('c2')]);
    expect(c1).toEqual([]);
    expect(c2?.map((appointment) => appointment.id)).toEqual(['a1']);
  });

  it('when the same task and note are asked for twice, then each is fetched once, keyed by contact and id', async () => {
    const { ghl, loaders } = setup();
    ghl.tasks.push(makeTask('t1', 'c1'));
    ghl.notes.push(makeNote('n1', 'c1'));
    await Promise.all([
      loaders.taskById.load({ contactId: 'c1', id: 't1' }),
      loaders.taskById.load({ contactId: 'c1', id: 't1' }),
      loaders.noteById.load({ contactId: 'c1', id: 'n1' }),
      loaders.noteById.load({ contactId: 'c1', id: 'n1' }),
    ]);
    expect(ghl.callsOf('getTask')).toHaveLength(1);
    expect(ghl.callsOf('getNote')).toHaveLength(1);
    await expect(loaders.taskById.load({ contactId: 'c2', id: 't1' })).rejects.toBeInstanceOf(GhlNotFoundError);
  });
});
