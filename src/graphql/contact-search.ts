/**
 * Turns the `contacts` arguments into a POST /contacts/search request: filter and sort mapping
 * and the choice between `page` and `searchAfter` for the requested position.
 */
import type { SearchFilter, SearchSort } from '../ghl/ghl-api.js';
import type { SearchCursor } from './cursor.js';
import { userInputError } from './errors.js';
import type { ContactFilter, ContactSort, ContactSortField } from './resolvers-types.generated.js';

/** GHL: pageLimit ≤ 500, page numbers stop at 10,000 results, query ≤ 75 chars, ≤ 2 sort keys. */
const MAX_PAGE_SIZE = 500;
export const PAGE_NUMBER_WINDOW = 10_000;
const MAX_QUERY_LENGTH = 75;
const MAX_SORT_KEYS = 2;

/** GHL's names of the sortable fields (names are GHL's search index fields). */
const SORT_FIELDS: Record<ContactSortField, string> = {
  DATE_ADDED: 'dateAdded',
  DATE_UPDATED: 'dateUpdated',
  FIRST_NAME: 'firstNameLowerCase',
  LAST_NAME: 'lastNameLowerCase',
  EMAIL: 'email',
  COMPANY_NAME: 'companyName',
};

export function toSearchFilters(filter: ContactFilter | null | undefined): SearchFilter[] {
  if (!filter) return [];
  const filters: SearchFilter[] = [];
  // Each tag is its own condition: top-level filters are ANDed, so a contact needs every tag.
  for (const tag of filter.tags ?? []) filters.push({ field: 'tags', operator: 'eq', value: tag });
  if (filter.email != null) filters.push({ field: 'email', operator: 'eq', value: filter.email });
  if (filter.phone != null) filters.push({ field: 'phone', operator: 'eq', value: filter.phone });
  if (filter.businessId != null) filters.push({ field: 'businessId', operator: 'eq', value: filter.businessId });
  if (filter.updatedSince != null)
    filters.push({ field: 'dateUpdated', operator: 'range', value: { gte: filter.updatedSince } });
  return filters;
}

export function toSearchSort(sort: readonly ContactSort[] | null | undefined): SearchSort[] {
  if (!sort) return [];
  if (sort.length > MAX_SORT_KEYS)
    throw userInputError(`sort takes at most ${MAX_SORT_KEYS} keys (a HighLevel limit)`, { argumentName: 'sort' });
  return sort.map((key) => ({ field: SORT_FIELDS[key.field], direction: key.direction === 'DESC' ? 'desc' : 'asc' }));
}

export function checkSearchArgs(first: number, query: string | null | undefined): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw userInputError(`first must be between 1 and ${MAX_PAGE_SIZE}`, { argumentName: 'first' });
  }
  if (query != null && query.length > MAX_QUERY_LENGTH) {
    throw userInputError(`query is at most ${MAX_QUERY_LENGTH} characters (a HighLevel limit)`, {
      argumentName: 'query',
    });
  }
}

/** One upstream page to fetch and which of its rows belong to the answer. */
interface PagePlan {
  position: { page: number } | { searchAfter: Array<string | number> };
  pageLimit: number;
  /** Rows to drop from the front of the fetched page(s). */
  skip: number;
  /** When page numbers are used and the window is not aligned, the next page is fetched too. */
  pages: number;
}

/**
 * Chooses how to fetch `first` results starting after `cursor`. Page numbers while the page
 * lies inside the first 10,000 results and lines up with `first`; otherwise the edge's
 * `searchAfter`; pages that do not line up (the client changed `first`) are read as two pages.
 */
export function planPage(first: number, cursor: Pick<SearchCursor, 'n' | 'sa'> | null): PagePlan {
  const start = cursor?.n ?? 0;
  if (start % first === 0 && start + first <= PAGE_NUMBER_WINDOW) {
    return { position: { page: start / first + 1 }, pageLimit: first, skip: 0, pages: 1 };
  }
  if (cursor?.sa) return { position: { searchAfter: cursor.sa }, pageLimit: first, skip: 0, pages: 1 };
  const firstPage = Math.floor(start / first) + 1;
  if ((firstPage + 1) * first > PAGE_NUMBER_WINDOW) {
    throw userInputError(
      'this cursor cannot be continued: HighLevel sent no searchAfter key past 10,000 results; page with a `first` that divides 10,000',
      { argumentName: 'after' },
    );
  }
  return { position: { page: firstPage }, pageLimit: first, skip: start % first, pages: 2 };
}
