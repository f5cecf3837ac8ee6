import type { Contact, SearchedContact } from '../../../src/domain/types.js';
import type { ListContactsRequest, SearchContactsRequest } from '../../../src/ghl/ghl-api.js';
import { walkBusiness, walkList, walkSearch } from '../../../src/ghl/paging.js';
import { emptyContact } from '../../support/empty-contact.js';

function contact(id: string, dateAdded: number): Contact {
  return { ...emptyContact(id, 'loc'), dateAdded: new Date(dateAdded).toISOString() };
}

/** A fake search endpoint with GHL's rules: sort by dateAdded then id, pages stop at 10,000, cursors after. */
function fakeSearch(count: number) {
  // Many contacts share a dateAdded, so only the id tiebreak keeps the order total.
  const rows = Array.from({ length: count }, (_, index) => ({
    id: `c${String(index).padStart(6, '0')}`,
    at: 1_600_000_000_000 + Math.floor(index / 7) * 1000,
  })).sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  const requests: SearchContactsRequest[] = [];
  const fetch = async (request: SearchContactsRequest) => {
    requests.push(request);
    if ((request.page === undefined) === (request.searchAfter === undefined))
      throw new Error('exactly one of page / searchAfter');
    let start: number;
    if (request.page !== undefined) {
      if (request.page * request.pageLimit > 10_000) throw new Error('400: page window exceeded');
      start = (request.page - 1) * request.pageLimit;
    } else {
      const [at, id] = request.searchAfter ?? [];
      start = rows.findIndex((row) => row.at > Number(at) || (row.at === Number(at) && row.id > String(id)));
      if (start < 0) start = rows.length;
    }
    const contacts: SearchedContact[] = rows
      .slice(start, start + request.pageLimit)
      .map((row) => ({ contact: contact(row.id, row.at), searchAfter: [row.at, row.id] }));
    return { contacts, total: rows.length };
  };
  return { rows, requests, fetch };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('walkSearch', () => {
  it('when there are 12,000 matches, then pages carry it to 10,000 and searchAfter the rest, none missed or repeated', async () => {
    const { rows, requests, fetch } = fakeSearch(12_000);
    const hits = await collect(walkSearch(fetch, { pageLimit: 500 }));
    const ids = hits.map((hit) => hit.contact.id);
    expect(new Set(ids).size).toBe(12_000);
    expect(ids).toEqual(rows.map((row) => row.id));
    expect(requests.filter((request) => request.page !== undefined)).toHaveLength(20);
    expect(requests.filter((request) => request.searchAfter !== undefined).length).toBeGreaterThanOrEqual(4);
    expect(requests.every((request) => request.sort?.[0]?.field === 'dateAdded')).toBe(true);
  });

  it('when the page size does not divide 10,000, then the switch happens before the window is exceeded', async () => {
    const { rows, requests, fetch } = fakeSearch(10_500);
    const hits = await collect(walkSearch(fetch, { pageLimit: 300 }));
    expect(hits.map((hit) => hit.contact.id)).toEqual(rows.map((row) => row.id));
    expect(Math.max(...requests.map((request) => request.page ?? 0))).toBe(33);
  });

  it('when the total is known after page 1, then later pages are fetched a few at a time and still yielded in order', async () => {
    const { rows, fetch } = fakeSearch(4_000);
    let inFlight = 0;
    let peak = 0;
    const slowFetch = async (request: SearchContactsRequest) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, request.page === 3 ? 15 : 2));
      inFlight -= 1;
      return fetch(request);
    };
    const hits = await collect(walkSearch(slowFetch, { pageLimit: 250 }, { prefetch: 3 }));
    expect(hits.map((hit) => hit.contact.id)).toEqual(rows.map((row) => row.id));
    expect(peak).toBe(3);
  });

  it('when the caller names a sort, then it is kept', async () => {
    const { requests, fetch } = fakeSearch(3);
    await collect(walkSearch(fetch, { pageLimit: 10, sort: [{ field: 'dateUpdated', direction: 'desc' }] }));
    expect(requests[0]?.sort).toEqual([{ field: 'dateUpdated', direction: 'desc' }]);
  });

  it('when the results fit one page, then exactly one request is made', async () => {
    const { requests, fetch } = fakeSearch(42);
    expect(await collect(walkSearch(fetch, { pageLimit: 100 }))).toHaveLength(42);
    expect(requests).toHaveLength(1);
  });

  it('when a hit past the page window lacks a cursor, then the walk fails loudly instead of looping', async () => {
    const fetch = async (request: SearchContactsRequest) => ({
      contacts: Array.from({ length: request.pageLimit }, (_, index) => ({
        contact: contact(`x${request.page}-${index}`, 0),
        searchAfter: null,
      })),
      total: 20_000,
    });
    await expect(collect(walkSearch(fetch, { pageLimit: 500 }))).rejects.toThrow(/searchAfter/);
  });
});

describe('walkList', () => {
  it('when the legacy list has 250 contacts, then the startAfter cursor walks all of them once', async () => {
    const rows = Array.from({ length: 250 }, (_, index) =>
      contact(`l${String(index).padStart(4, '0')}`, 1_600_000_000_000 + Math.floor(index / 3)),
    );
    const requests: ListContactsRequest[] = [];
    const fetch = async (request: ListContactsRequest) => {
      requests.push(request);
      const start =
        request.startAfterId === undefined ? 0 : rows.findIndex((row) => row.id === request.startAfterId) + 1;
      const page = rows.slice(start, start + (request.limit ?? 20));
      const last = page[page.length - 1];
      return {
        contacts: page,
        total: rows.length,
        nextStartAfter: last ? Date.parse(last.dateAdded ?? '') : null,
        nextStartAfterId: last?.id ?? null,
      };
    };
    const contacts = await collect(walkList(fetch, {}));
    expect(contacts.map((c) => c.id)).toEqual(rows.map((row) => row.id));
    expect(requests.map((request) => request.limit)).toEqual([100, 100, 100]);
    expect(requests[1]).toMatchObject({ startAfterId: 'l0099' });
  });
});

describe('walkBusiness', () => {
  it('when a business has 45 contacts and the limit is 20, then skip advances 0, 20, 40', async () => {
    const rows = Array.from({ length: 45 }, (_, index) => contact(`b${index}`, 0));
    const skips: number[] = [];
    const contacts = await collect(
      walkBusiness(
        async (request) => {
          skips.push(request.skip ?? 0);
          return {
            contacts: rows.slice(request.skip ?? 0, (request.skip ?? 0) + (request.limit ?? 0)),
            count: rows.length,
          };
        },
        { limit: 20 },
      ),
    );
    expect(contacts.map((c) => c.id)).toEqual(rows.map((row) => row.id));
    expect(skips).toEqual([0, 20, 40]);
  });

  it('when the count is an exact multiple of the limit, then no empty extra page is fetched', async () => {
    const rows = Array.from({ length: 40 }, (_, index) => contact(`b${index}`, 0));
    const skips: number[] = [];
    await collect(
      walkBusiness(
        async (request) => {
          skips.push(request.skip ?? 0);
          return {
            contacts: rows.slice(request.skip ?? 0, (request.skip ?? 0) + (request.limit ?? 0)),
            count: rows.length,
          };
        },
        { limit: 20 },
      ),
    );
    expect(skips).toEqual([0, 20]);
  });
});
