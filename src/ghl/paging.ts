/**
 * Walking GHL's three list shapes to the end, each contact exactly once. The walkers take a
 * page fetcher, so the logic is tested without HTTP and reused by the client.
 *
 * Search (POST /contacts/search): page numbers only reach 10,000 results, so pages are used
 * while page·pageLimit ≤ 10,000 and the walk then continues with `searchAfter` from the last
 * contact received. That hand-over is only seamless under a stable, total order, so a sort is
 * always sent: the caller's, or `dateAdded asc`. GHL's searchAfter cursor carries the sort values
 * plus the contact id as tiebreak, so equal dateAdded values do not lose or repeat contacts; an
 * explicit `id` sort field is not documented as sortable, so it is not requested.
 */
import type { Contact, SearchedContact } from '../domain/types.js';
import type {
  BusinessContactsRequest,
  BusinessContactsResult,
  ListContactsRequest,
  ListContactsResult,
  SearchContactsRequest,
  SearchContactsResult,
  SearchSort,
} from './ghl-api.js';

/** GHL stops answering page numbers beyond this many results. */
const SEARCH_PAGE_WINDOW = 10_000;
const SEARCH_MAX_PAGE_LIMIT = 500;
const DEFAULT_SEARCH_SORT: SearchSort[] = [{ field: 'dateAdded', direction: 'asc' }];

type SearchPageFetcher = (request: SearchContactsRequest) => Promise<SearchContactsResult>;

/** Pages requested ahead of the one being read, once the first answer has told the total. */
const DEFAULT_SEARCH_PREFETCH = 4;

export async function* walkSearch(
  fetch: SearchPageFetcher,
  request: Omit<SearchContactsRequest, 'page' | 'searchAfter'>,
  options: { prefetch?: number } = {},
): AsyncGenerator<SearchedContact> {
  const pageLimit = request.pageLimit;
  if (!Number.isInteger(pageLimit) || pageLimit < 1 || pageLimit > SEARCH_MAX_PAGE_LIMIT) {
    throw new RangeError(`pageLimit must be an integer in 1..${SEARCH_MAX_PAGE_LIMIT}`);
  }
  const prefetch = Math.max(1, options.prefetch ?? DEFAULT_SEARCH_PREFETCH);
  const base = {
    ...request,
    sort: request.sort !== undefined && request.sort.length > 0 ? request.sort : DEFAULT_SEARCH_SORT,
  };

  // Page mode. Page numbers are independent requests, so once page 1 has told the total the
  // following pages are fetched `prefetch` at a time (yielded in order): a sequential walk would
  // leave most of the rate budget unused while waiting on round trips.
  const first = await fetch({ ...base, page: 1 });
  for (const hit of first.contacts) yield hit;
  let emitted = first.contacts.length;
  let total = first.total;
  // A short page ends the walk; so does reaching the latest total, which saves the empty page
  // that would otherwise confirm the end.
  if (first.contacts.length < pageLimit || emitted >= total) return;
  let lastHit = first.contacts[first.contacts.length - 1];
  const lastPage = Math.min(Math.ceil(total / pageLimit), Math.floor(SEARCH_PAGE_WINDOW / pageLimit));
  const pending = new Map<number, Promise<SearchContactsResult>>();
  let nextToRequest = 2;
  for (let page = 2; page <= lastPage; page += 1) {
    while (nextToRequest <= lastPage && nextToRequest < page + prefetch) {
      const promise = fetch({ ...base, page: nextToRequest });
      // Pages fetched ahead may be abandoned (short page, consumer stops): never unhandled.
      promise.catch(() => undefined);
      pending.set(nextToRequest, promise);
      nextToRequest += 1;
    }
    const result = await (pending.get(page) ?? fetch({ ...base, page }));
    pending.delete(page);
    for (const hit of result.contacts) yield hit;
    emitted += result.contacts.length;
    total = result.total;
    if (result.contacts.length < pageLimit || emitted >= total) return;
    lastHit = result.contacts[result.contacts.length - 1];
  }

  // searchAfter mode: past the 10,000-result window (or if the total grew meanwhile), one page at
  // a time from the cursor of the last contact seen.
  let cursor = requireCursor(lastHit);
  for (;;) {
    const result = await fetch({ ...base, searchAfter: cursor });
    for (const hit of result.contacts) yield hit;
    emitted += result.contacts.length;
    if (result.contacts.length < pageLimit || emitted >= result.total) return;
    const next = requireCursor(result.contacts[result.contacts.length - 1]);
    if (sameCursor(next, cursor))
      throw new Error('GHL search returned the same searchAfter cursor twice; stopping to avoid a loop');
    cursor = next;
  }
}

function requireCursor(hit: SearchedContact | undefined): Array<string | number> {
  if (hit?.searchAfter === null || hit?.searchAfter === undefined || hit.searchAfter.length === 0) {
    throw new Error('GHL search hit carries no searchAfter cursor: cannot page past 10,000 results');
  }
  return hit.searchAfter;
}

function sameCursor(a: Array<string | number>, b: Array<string | number>): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

type ListPageFetcher = (request: ListContactsRequest) => Promise<ListContactsResult>;

/** GET /contacts/ (deprecated but answered): limit ≤ 100, cursor startAfter + startAfterId from `meta`. */
const LIST_MAX_LIMIT = 100;

export async function* walkList(
  fetch: ListPageFetcher,
  request: Omit<ListContactsRequest, 'startAfter' | 'startAfterId'>,
): AsyncGenerator<Contact> {
  const limit = Math.min(request.limit ?? LIST_MAX_LIMIT, LIST_MAX_LIMIT);
  let cursor: { startAfter: number; startAfterId: string } | null = null;
  for (;;) {
    const result: ListContactsResult = await fetch(
      cursor === null ? { ...request, limit } : { ...request, limit, ...cursor },
    );
    for (const contact of result.contacts) yield contact;
    if (result.contacts.length < limit || result.nextStartAfter === null || result.nextStartAfterId === null) return;
    if (
      cursor !== null &&
      cursor.startAfter === result.nextStartAfter &&
      cursor.startAfterId === result.nextStartAfterId
    ) {
      throw new Error('GHL contact list returned the same startAfter cursor twice; stopping to avoid a loop');
    }
    cursor = { startAfter: result.nextStartAfter, startAfterId: result.nextStartAfterId };
  }
}

type BusinessPageFetcher = (request: BusinessContactsRequest) => Promise<BusinessContactsResult>;

const BUSINESS_DEFAULT_LIMIT = 100;

/** GET /contacts/business/{businessId}: plain limit/skip. */
export async function* walkBusiness(
  fetch: BusinessPageFetcher,
  request: Omit<BusinessContactsRequest, 'skip'>,
): AsyncGenerator<Contact> {
  const limit = request.limit ?? BUSINESS_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  let skip = 0;
  for (;;) {
    const result = await fetch({ ...request, limit, skip });
    for (const contact of result.contacts) yield contact;
    skip += result.contacts.length;
    if (result.contacts.length < limit || skip >= result.count) return;
  }
}
