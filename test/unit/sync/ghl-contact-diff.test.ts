import type { Contact } from '../../../src/domain/types.js';
import { diffContactWrite } from '../../../src/sync/ghl-contact-diff.js';
import { emptyContact } from '../../support/empty-contact.js';

function contact(fields: Partial<Contact>): Contact {
  return {
    ...emptyContact('c1', 'loc'),
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    address: { line1: '1 Main St', city: null, state: null, postalCode: null, country: null },
    tags: ['a', 'b'],
    dateUpdated: '2026-01-02T00:00:00.000Z',
    ...fields,
  };
}

describe('diffContactWrite', () => {
  test('when the write carries what the contact already has (an echo), then nothing is written', () => {
    const diff = diffContactWrite(
      contact({}),
      { firstName: 'Ada', email: 'ADA@example.com', tags: ['b', 'a'], address1: '1 Main St' },
      new Set(),
      '2026-01-03T00:00:00.000Z',
    );
    expect(diff).toEqual({ write: {}, applied: [], kept: [] });
  });

  test('when Roofr changed a shared field later than HighLevel, then Roofr wins and the old value is reported', () => {
    const diff = diffContactWrite(contact({}), { firstName: 'Augusta' }, new Set(), '2026-01-03T00:00:00.000Z');
    expect(diff.write).toEqual({ firstName: 'Augusta' });
    expect(diff.applied).toEqual([{ field: 'firstName', from: 'Ada', to: 'Augusta' }]);
  });

  test('when HighLevel changed a shared field later, then HighLevel keeps it; a Roofr-owned field is written anyway', () => {
    const diff = diffContactWrite(
      contact({}),
      { firstName: 'Augusta', city: 'London' },
      new Set(['city']),
      '2026-01-01T00:00:00.000Z',
    );
    expect(diff.write).toEqual({ city: 'London' });
    expect(diff.kept).toEqual([{ field: 'firstName', from: 'Ada', to: 'Augusta' }]);
  });

  test('when a custom field differs, then it is written by id', () => {
    const diff = diffContactWrite(
      contact({ customFields: [{ id: 'cf1', value: 'x' }] }),
      { customFields: [{ id: 'cf1', field_value: 'y' }] },
      new Set(),
      null,
    );
    expect(diff.write).toEqual({ customFields: [{ id: 'cf1', field_value: 'y' }] });
  });
});
