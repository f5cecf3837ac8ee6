/**
 * POST /contacts/search: `{contacts, total}`, each contact with its `searchAfter` cursor.
 * Page numbers stop at 10,000 results (past that GHL insists on searchAfter); the answer's
 * wording for that case is unverified (errors.ts MESSAGES.pageLimitExceeded).
 */
import { badRequest, MESSAGES, unprocessable } from '../errors.js';
import type { RouteContext, RouteDefinition, RouteResult } from '../router.js';
import { VERSION_CONTACTS } from '../router.js';
import { indexAfter, keyAt } from '../search.js';
import type { SortSpec } from '../search.js';
import { parseBody, SearchBody } from '../validation.js';
import { contactView } from '../views.js';
import { requireOwnLocation } from './access.js';

const PAGE_WINDOW_LIMIT = 10_000;
const DEFAULT_SORT: SortSpec[] = [{ field: 'dateAdded', direction: 'desc' }];

function searchContacts(context: RouteContext): RouteResult {
  const body = parseBody(SearchBody, context.body);
  const locationId = requireOwnLocation(context, body.locationId);
  const sort = body.sort && body.sort.length > 0 ? body.sort : DEFAULT_SORT;
  const view = context.services.views.sorted(locationId, {
    filters: body.filters,
    query: body.query,
    sort,
    source: 'search',
  });
  let start = 0;
  if (body.searchAfter !== undefined) {
    const cursor = body.searchAfter;
    const expected = view.directions.length;
    const sample = view.records.length > 0 ? keyAt(view, 0) : undefined;
    const typesMatch = sample === undefined || cursor.every((value, index) => typeof value === typeof sample[index]);
    if (cursor.length !== expected || !typesMatch) {
      throw unprocessable([
        `searchAfter must hold ${expected} values: the sort values and the id of the last contact seen`,
      ]);
    }
    start = indexAfter(view, cursor);
  } else {
    const page = body.page ?? 1;
    if (page * body.pageLimit > PAGE_WINDOW_LIMIT) throw badRequest(MESSAGES.pageLimitExceeded);
    start = (page - 1) * body.pageLimit;
  }
  const records = view.records.slice(start, start + body.pageLimit);
  const contacts = records.map((record, offset) => ({
    ...contactView(record),
    searchAfter: keyAt(view, start + offset),
  }));
  return { status: 200, body: { contacts, total: view.records.length } };
}

export const searchRoutes: RouteDefinition[] = [
  {
    method: 'POST',
    template: '/contacts/search',
    versions: [VERSION_CONTACTS],
    auth: 'location',
    scope: 'contacts.readonly',
    body: 'json',
    handle: searchContacts,
  },
];
