import { decodeOffsetCursor, decodeSearchCursor, encodeCursor } from '../../../src/graphql/cursor.js';
import { PAGE_NUMBER_WINDOW, planPage, toSearchFilters, toSearchSort } from '../../../src/graphql/contact-search.js';

describe('planPage', () => {
  it('when paging from the start, then page 1', () => {
    expect(planPage(50, null)).toEqual({ position: { page: 1 }, pageLimit: 50, skip: 0, pages: 1 });
  });

  it('when the cursor lines up with first inside 10,000 results, then a page number', () => {
    expect(planPage(500, { n: 9500, sa: ['x'] })).toEqual({
      position: { page: 20 },
      pageLimit: 500,
      skip: 0,
      pages: 1,
    });
  });

  it('when the next page would reach past 10,000 results, then the edge searchAfter', () => {
    expect(planPage(500, { n: PAGE_NUMBER_WINDOW, sa: [1700000000000, 'abc'] })).toEqual({
      position: { searchAfter: [1700000000000, 'abc'] },
      pageLimit: 500,
      skip: 0,
      pages: 1,
    });
  });

  it('when first changed and GHL sent no searchAfter, then two page-number pages are read and sliced', () => {
    expect(planPage(5, { n: 7, sa: null })).toEqual({
      position: { page: 2 },
      pageLimit: 5,
      skip: 2,
      pages: 2,
    });
  });

  it('when past 10,000 results without searchAfter, then BAD_USER_INPUT', () => {
    expect(() => planPage(300, { n: 10_050, sa: null })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
  });
});

describe('cursors', () => {
  it('when a cursor is encoded and decoded, then it round-trips and is opaque base64url', () => {
    const cursor = encodeCursor({ k: 'search', n: 3, sa: [5, 'id'] }, 'LocA');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeSearchCursor(cursor, 'LocA')).toMatchObject({ k: 'search', n: 3, sa: [5, 'id'] });
    expect(Buffer.from(cursor, 'base64url').toString('utf8')).not.toContain('LocA');
  });

  it('when a cursor of one connection is given to the other, then BAD_USER_INPUT', () => {
    expect(() => decodeOffsetCursor(encodeCursor({ k: 'search', n: 3, sa: null }, 'LocA'), 'LocA')).toThrow('contacts');
    expect(() => decodeSearchCursor(encodeCursor({ k: 'offset', n: 3 }, 'LocA'), 'LocA')).toThrow('contactsByBusiness');
  });

  it('when the cursor is not ours, then BAD_USER_INPUT', () => {
    expect(() => decodeSearchCursor('bm90IGpzb24', 'LocA')).toThrow('not a cursor');
    expect(() =>
      decodeSearchCursor(Buffer.from('{"k":"search","n":-1,"sa":null}').toString('base64url'), 'LocA'),
    ).toThrow('not a cursor');
  });

  it('when a cursor issued for one location is replayed under another, then BAD_USER_INPUT', () => {
    const cursor = encodeCursor({ k: 'search', n: 3, sa: null }, 'LocA');
    expect(() => decodeSearchCursor(cursor, 'LocB')).toThrow('another location');
    const unbound = Buffer.from('{"k":"search","n":3,"sa":null}').toString('base64url');
    expect(() => decodeSearchCursor(unbound, 'LocA')).toThrow('not a cursor');
  });
});

describe('filters and sort', () => {
  it('when every filter is set, then each becomes one ANDed GHL condition', () => {
    expect(
      toSearchFilters({
        tags: ['a', 'b'],
        email: 'x@y.z',
        phone: '+15550100',
        businessId: 'biz',
        updatedSince: '2026-01-01T00:00:00Z',
      }),
    ).toEqual([
      { field: 'tags', operator: 'eq', value: 'a' },
      { field: 'tags', operator: 'eq', value: 'b' },
      { field: 'email', operator: 'eq', value: 'x@y.z' },
      { field: 'phone', operator: 'eq', value: '+15550100' },
      { field: 'businessId', operator: 'eq', value: 'biz' },
      { field: 'dateUpdated', operator: 'range', value: { gte: '2026-01-01T00:00:00Z' } },
    ]);
  });

  it('when sort has three keys, then BAD_USER_INPUT (GHL takes two)', () => {
    expect(
      toSearchSort([
        { field: 'EMAIL', direction: 'ASC' },
        { field: 'DATE_ADDED', direction: 'DESC' },
      ]),
    ).toEqual([
      { field: 'email', direction: 'asc' },
      { field: 'dateAdded', direction: 'desc' },
    ]);
    expect(() =>
      toSearchSort([
        { field: 'EMAIL', direction: 'ASC' },
        { field: 'EMAIL', direction: 'ASC' },
        { field: 'EMAIL', direction: 'ASC' },
      ]),
    ).toThrow('at most 2');
  });
});
