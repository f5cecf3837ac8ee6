import { GhlContractError } from '../../../src/ghl/errors.js';
import {
  ContactEnvelopeDto,
  parseResponse,
  SearchContactsResponseDto,
  TasksResponseDto,
} from '../../../src/ghl/schemas.js';
import { toAppointment, toContact, toNote, toSearchedContact, toTask } from '../../../src/ghl/to-domain.js';

describe('toContact', () => {
  it('when GHL sends a full contact with extra fields, then it maps address1 → address.line1, custom fields and keeps unknown fields out', () => {
    const body = {
      contact: {
        id: 'seD4PfOuKoVMLkEZqohJ',
        locationId: 've9EPM428h8vShlRW1KT',
        firstName: 'Rubika',
        lastName: 'Deo',
        email: 'rubika@deos.com',
        phone: '+18832327657',
        address1: '3535 1st St N',
        city: 'Dolomite',
        state: 'AL',
        postalCode: '35061',
        country: 'US',
        tags: ['roof', 'lead'],
        dnd: true,
        customFields: [{ id: 'MgobCB14YMVKuE4Ka8p1', value: 'tile' }],
        dateAdded: '2021-07-02T05:18:26.704Z',
        somethingNew: { nested: true },
      },
    };
    const contact = toContact(parseResponse(ContactEnvelopeDto, body, 'GET /contacts/{contactId}').contact, 'fallback');
    expect(contact).toEqual({
      id: 'seD4PfOuKoVMLkEZqohJ',
      locationId: 've9EPM428h8vShlRW1KT',
      name: 'Rubika Deo',
      firstName: 'Rubika',
      lastName: 'Deo',
      email: 'rubika@deos.com',
      phone: '+18832327657',
      companyName: null,
      address: { line1: '3535 1st St N', city: 'Dolomite', state: 'AL', postalCode: '35061', country: 'US' },
      website: null,
      timezone: null,
      tags: ['roof', 'lead'],
      source: null,
      type: null,
      dnd: true,
      assignedTo: null,
      businessId: null,
      customFields: [{ id: 'MgobCB14YMVKuE4Ka8p1', value: 'tile' }],
      dateAdded: '2021-07-02T05:18:26.704Z',
      dateUpdated: null,
    });
  });

  it('when GHL omits tags, dnd and custom fields or sends nulls, then defaults apply ([] / false / null)', () => {
    const contact = toContact(
      parseResponse(ContactEnvelopeDto, { contact: { id: 'x1', email: null, tags: null } }, 'GET /contacts/{contactId}')
        .contact,
      'loc-9',
    );
    expect(contact).toMatchObject({
      id: 'x1',
      locationId: 'loc-9',
      tags: [],
      dnd: false,
      customFields: [],
      email: null,
      name: null,
    });
  });

  it('when a search hit carries a cursor, then it is kept beside the contact', () => {
    const parsed = parseResponse(
      SearchContactsResponseDto,
      { contacts: [{ id: 'a', searchAfter: [1700000000000, 'a'] }], total: 1 },
      'POST /contacts/search',
    );
    const hit = parsed.contacts[0];
    expect(hit && toSearchedContact(hit, 'loc').searchAfter).toEqual([1700000000000, 'a']);
  });
});

describe('parseResponse', () => {
  it('when a required field has the wrong type, then a GhlContractError names the endpoint and the field path', () => {
    const attempt = () =>
      parseResponse(
        SearchContactsResponseDto,
        { contacts: [{ id: 'a' }, { id: 7 }], total: 2 },
        'POST /contacts/search',
      );
    expect(attempt).toThrow(GhlContractError);
    expect(attempt).toThrow(/POST \/contacts\/search.*contacts\.1\.id/);
  });

  it('when the wrapper itself is missing, then the path names it', () => {
    expect(() => parseResponse(ContactEnvelopeDto, {}, 'GET /contacts/{contactId}')).toThrow(/at contact/);
  });
});

describe('tasks, notes, appointments', () => {
  it('when a task comes from the location task search with _id and no title, then it maps with defaults', () => {
    const parsed = parseResponse(
      TasksResponseDto,
      { tasks: [{ _id: 't1', contactId: 'c1', completed: true }] },
      'POST /locations/{locationId}/tasks/search',
    );
    const dto = parsed.tasks[0];
    expect(dto && toTask(dto, null)).toEqual({
      id: 't1',
      contactId: 'c1',
      title: '',
      body: null,
      dueDate: null,
      completed: true,
      assignedTo: null,
    });
  });

  it('when a task has neither id nor _id, then it is a contract error', () => {
    expect(() =>
      parseResponse(TasksResponseDto, { tasks: [{ title: 'x' }] }, 'GET /contacts/{contactId}/tasks'),
    ).toThrow(/tasks\.0\.id/);
  });

  it('when a note or appointment lacks its contactId, then the path contact fills it', () => {
    expect(toNote({ id: 'n1', body: 'hello' }, 'c9')).toMatchObject({
      id: 'n1',
      contactId: 'c9',
      body: 'hello',
      pinned: false,
      title: null,
    });
    expect(toAppointment({ id: 'e1', startTime: '2021-07-16 11:00:00' }, 'c9')).toMatchObject({
      id: 'e1',
      contactId: 'c9',
      startTime: '2021-07-16 11:00:00',
      calendarId: null,
    });
  });
});
