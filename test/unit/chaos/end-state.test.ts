/**
 * The fault suite's end-state checks (bench/chaos/end-state.ts) on small hand-made states: each
 * broken promise is seen, and a faithful state passes.
 */
import { checkMirror, checkMutations, checkWebhooks } from '../../../bench/chaos/end-state.js';
import type { MutationRecord } from '../../../bench/chaos/load.js';
import type { GhlContactExport, RoofrExport } from '../../../bench/chaos/upstream-control.js';

const contacts: GhlContactExport[] = [
  {
    id: 'c1',
    email: 'Ada@Example.com',
    firstName: 'Ada',
    lastName: 'L',
    companyName: 'Acme',
    tasks: [{ id: 't1', title: 'chaos-task-1', completed: true }],
    notes: [{ id: 'n1', body: 'chaos-note-1' }],
  },
  { id: 'c2', email: 'bo@example.com', firstName: 'Bo', tasks: [], notes: [{ id: 'n2', body: 'chaos-note-1' }] },
];

const faithful = (): RoofrExport => ({
  customers: [
    { id: 'u1', email: 'ada@example.com', first_name: 'Ada', last_name: 'L', company_name: 'Acme' },
    { id: 'u2', email: 'bo@example.com', first_name: 'Bo' },
  ],
  jobs: [
    { id: 'j1', customer_id: 'u1', external_ref: 'ghl:contact:c1' },
    { id: 'j2', customer_id: 'u2', external_ref: 'ghl:contact:c2' },
  ],
  tasks: [{ id: 'k1', job_id: 'j1', external_ref: 'ghl:task:t1' }],
  notes: [
    { id: 'm1', job_id: 'j1', external_ref: 'ghl:note:n1' },
    { id: 'm2', job_id: 'j2', external_ref: 'ghl:note:n2' },
  ],
});

const mutation = (partial: Partial<MutationRecord> & Pick<MutationRecord, 'kind' | 'marker'>): MutationRecord => ({
  contactId: null,
  entityId: 'e1',
  outcome: 'ok',
  roofrSync: 'SYNCED',
  sequence: 1,
  client: 0,
  at: 0,
  ms: 10,
  ...partial,
});

describe('fault suite: Roofr against HighLevel', () => {
  test('when Roofr mirrors every contact, task and note once, then nothing is missing, duplicated or outdated', () => {
    const check = checkMirror(contacts, faithful());
    expect(check).toMatchObject({
      expected: { contacts: 2, tasks: 1, notes: 2 },
      missing: { contacts: 0, tasks: 0, notes: 0 },
      duplicated: { jobs: 0, customers: 0, tasks: 0, notes: 0 },
      outdated: 0,
    });
  });

  test('when a customer has no job, then it is a duplicate if its contact is mirrored by another, else half-written', () => {
    const roofr = faithful();
    roofr.customers.push({ id: 'u3', email: 'ADA@example.com' }, { id: 'u4', email: 'nobody@example.com' });
    expect(checkMirror(contacts, roofr)).toMatchObject({ duplicated: { customers: 1 }, orphanCustomers: 1 });
  });

  test('when a job and a note are missing, a job doubled, a customer orphaned and a name differs, then each is counted', () => {
    const roofr = faithful();
    roofr.jobs = [
      { id: 'j1', customer_id: 'u1', external_ref: 'ghl:contact:c1' },
      { id: 'j3', customer_id: 'u1', external_ref: 'ghl:contact:c1' },
    ];
    roofr.notes = [{ id: 'm1', job_id: 'j1', external_ref: 'ghl:note:n1' }];
    roofr.customers[0] = { ...roofr.customers[0], id: 'u1', company_name: 'Old name' };
    roofr.customers.push({ id: 'u5', email: 'ada@example.com' });
    const check = checkMirror(contacts, roofr);
    expect(check).toMatchObject({
      missing: { contacts: 1, tasks: 0, notes: 1 },
      duplicated: { jobs: 1, customers: 1, tasks: 0, notes: 0 },
      orphanCustomers: 1,
      outdated: 1,
    });
    expect(check.examples.outdated[0]).toContain('company "Acme" in HighLevel, "Old name" in Roofr');
  });
});

describe('fault suite: mutations against HighLevel', () => {
  test('when answers match what HighLevel holds, then no mutation is flagged', () => {
    const check = checkMutations(
      [
        mutation({ kind: 'createContact', marker: 'ada@example.com' }),
        mutation({ kind: 'createTask', marker: 'chaos-task-1', contactId: 'c1' }),
        mutation({ kind: 'completeTask', marker: 't1', contactId: 'c1' }),
        mutation({ kind: 'updateContact', marker: 'Acme', contactId: 'c1' }),
        mutation({
          kind: 'createContact',
          marker: 'never@example.com',
          entityId: null,
          outcome: 'error:UPSTREAM_UNAVAILABLE',
        }),
      ],
      contacts,
    );
    expect(check.examples).toEqual([]);
    expect(check.byKind.createContact).toMatchObject({ attempted: 2, answeredEntity: 1, writtenWithoutEntity: 0 });
  });

  test('when a write landed but the answer was an error, an answered entity is absent, or a create landed twice, then each is flagged', () => {
    const check = checkMutations(
      [
        mutation({
          kind: 'createContact',
          marker: 'bo@example.com',
          entityId: null,
          outcome: 'error:OPERATION_TIMEOUT',
        }),
        mutation({ kind: 'createTask', marker: 'chaos-task-9', contactId: 'c1' }),
        mutation({ kind: 'createNote', marker: 'chaos-note-1', contactId: 'c1' }),
        mutation({ kind: 'updateContact', marker: 'Lost Inc', contactId: 'c2' }),
        mutation({ kind: 'createContact', marker: 'ada@example.com', entityId: null, outcome: 'gateway-down' }),
      ],
      contacts,
    );
    expect(check.byKind.createContact).toMatchObject({ writtenWithoutEntity: 1, writtenCutByKill: 1 });
    expect(check.byKind.createTask).toMatchObject({ entityNotWritten: 1 });
    expect(check.byKind.createNote).toMatchObject({ duplicated: 1 });
    expect(check.byKind.updateContact).toMatchObject({ entityNotWritten: 1 });
  });

  test('when a later update of the same contact was written, then an earlier answered one is not called lost', () => {
    const check = checkMutations(
      [
        mutation({ kind: 'updateContact', marker: 'First', contactId: 'c1', sequence: 1 }),
        mutation({ kind: 'updateContact', marker: 'Acme', contactId: 'c1', sequence: 2 }),
      ],
      contacts,
    );
    expect(check.byKind.updateContact).toMatchObject({ entityNotWritten: 0, writtenWithoutEntity: 0 });
  });
});

describe('fault suite: webhooks', () => {
  test('when accepted deliveries are done, pending, dead or never queued, then all but done count as not processed', () => {
    const check = checkWebhooks(
      {
        deliveries: [
          { webhookId: 'w1', type: 'ContactCreate', status: 200 },
          { webhookId: 'w2', type: 'NoteCreate', status: 200 },
          { webhookId: 'w3', type: 'TaskCreate', status: 429 },
        ],
        forgotten: 0,
      },
      [
        { eventId: 'e1', event: 'job.stage_changed', status: 200, error: null },
        { eventId: 'e2', event: 'proposal.signed', status: 200, error: null },
        { eventId: 'e3', event: 'proposal.signed', status: null, error: 'ECONNREFUSED' },
      ],
      new Map([
        ['ghl:w1', { status: 'done', attempts: 1, lastError: null }],
        ['ghl:w2', { status: 'pending', attempts: 0, lastError: null }],
        ['roofr:e1', { status: 'dead', attempts: 8, lastError: 'no location' }],
      ]),
    );
    expect(check).toMatchObject({
      delivered: { ghl: { '200': 2, '429': 1 }, roofr: { '200': 2, 'no answer': 1 } },
      accepted: 4,
      notProcessed: { pending: 1, dead: 1, missing: 1 },
    });
  });
});
