/**
 * The field-level comparison behind dry-run plans and verify findings: only the expected
 * record's leaves count, values compare as the two systems store them, and the projections
 * hash and merge the way the push and the repair need.
 */
import { contentHash } from '../../../src/domain/content-hash.js';
import {
  changedSinceWritten,
  diffRecord,
  leafPaths,
  projectRecord,
  sameValue,
} from '../../../src/domain/record-diff.js';

describe('record diff', () => {
  test('when a record is created, then every non-empty expected field is a change from null', () => {
    expect(diffRecord({ first_name: 'Ada', email: null, address: { city: 'Austin', state: '' } }, null)).toEqual([
      { field: 'first_name', from: null, to: 'Ada' },
      { field: 'address.city', from: null, to: 'Austin' },
    ]);
  });

  test('when Roofr holds other fields the mapping does not own, then they are not changes', () => {
    expect(diffRecord({ name: 'Job' }, { name: 'Job', workflow_stage: 'Won Jobs', custom_fields: { x: 1 } })).toEqual(
      [],
    );
  });

  test('when values differ only in how the systems store them, then they are the same', () => {
    expect(sameValue(null, '')).toBe(true);
    expect(sameValue(undefined, [])).toBe(true);
    expect(sameValue(['roof', 'lead'], ['lead', 'roof'])).toBe(true);
    expect(sameValue('2027-01-05T10:00:00Z', '2027-01-05T10:00:00.000Z')).toBe(true);
    expect(sameValue('2027-01-05T10:00:00Z', '2027-01-05T11:00:00Z')).toBe(false);
    expect(sameValue(['roof'], ['roof', 'lead'])).toBe(false);
    expect(sameValue('Ada', 'ada')).toBe(false);
    expect(sameValue(1, '1')).toBe(false);
  });

  test('when a nested field changed, then the change names its dotted path with both values', () => {
    expect(diffRecord({ address: { city: 'Austin' }, tags: ['a'] }, { address: { city: 'Dallas' }, tags: [] })).toEqual(
      [
        { field: 'address.city', from: 'Dallas', to: 'Austin' },
        { field: 'tags', from: [], to: ['a'] },
      ],
    );
  });

  test('when Roofr still holds what was written, then its projection hashes like the written record', () => {
    const written = { first_name: 'Ada', address: { city: 'Austin', street: null } };
    const roofr = { id: '7', first_name: 'Ada', address: { city: 'Austin', street: null, state: 'TX' }, phone: 'x' };
    expect(contentHash(projectRecord(written, roofr))).toBe(contentHash(written));
    expect(contentHash(projectRecord(written, { ...roofr, first_name: 'Eve' }))).not.toBe(contentHash(written));
  });

  test('when a record has nested objects, then its leaves are walked and lists are leaves', () => {
    expect(leafPaths({ first_name: 'Ada', address: { city: 'Austin' }, tags: ['a'], gone: undefined })).toEqual([
      ['first_name', 'Ada'],
      ['address.city', 'Austin'],
      ['tags', ['a']],
    ]);
  });

  test('when both sides changed a record since it was written, then the fields the other side changed are told apart', () => {
    const written = { first_name: 'Brian', last_name: 'Lee', company_name: null };
    const expected = { first_name: 'Brian', last_name: 'Lee', company_name: 'Hail Alley' }; // HighLevel: company
    const actual = { id: '9', first_name: 'Bobby', last_name: 'Lee', company_name: null }; // Roofr: first name
    const changes = diffRecord(expected, actual);
    expect(changes.map((change) => change.field)).toEqual(['first_name', 'company_name']);
    expect(changedSinceWritten(expected, actual, changes, contentHash(written))).toEqual(['first_name']);
    // Roofr still holds what was written: nothing changed there.
    expect(changedSinceWritten(expected, written, diffRecord(expected, written), contentHash(written))).toEqual([]);
    // Both changed the same field (Roofr to 'Other', HighLevel to 'Hail Alley'): no set explains it.
    const clash = { ...actual, company_name: 'Other' };
    expect(changedSinceWritten(expected, clash, diffRecord(expected, clash), contentHash(written))).toBeNull();
  });
});
