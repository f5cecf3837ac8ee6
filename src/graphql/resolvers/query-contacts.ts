import type { Contact, SearchedContact } from '../../domain/types.js';
import type { SearchContactsRequest, SearchContactsResult } from '../../ghl/ghl-api.js';
import { cachedRead, withLane } from '../../loaders/cached-batch.js';
import { checkSearchArgs, planPage, toSearchFilters, toSearchSort } from '../contact-search.js';
import { decodeSearchCursor, encodeCursor } from '../cursor.js';
import type { GraphQLContext } from '../context.js';
import type { QueryResolvers, ResolversTypes } from '../resolvers-types.generated.js';

type Connection = Awaited<ResolversTypes['ContactConnection']>;

/** `contacts`: a Relay connection over POST /contacts/search (see contact-search.ts for paging). */
export const contacts: NonNullable<QueryResolvers['contacts']> = async (_parent, args, context) => {
  const first = args.first;
  checkSearchArgs(first, args.query);
  const cursor = args.after ? decodeSearchCursor(args.after, context.locationId) : null;
  const plan = planPage(first, cursor);
  const base = {
    pageLimit: plan.pageLimit,
    ...(args.query ? { query: args.query } : {}),
    filters: toSearchFilters(args.filter),
    sort: toSearchSort(args.sort),
  };
  const fetched = await search(context, { ...base, ...plan.position });
  let hits: SearchedContact[] = fetched.contacts;
  if (plan.pages === 2 && 'page' in plan.position && hits.length === plan.pageLimit) {
    const second = await search(context, { ...base, page: plan.position.page + 1 });
    hits = hits.concat(second.contacts);
  }
  hits = hits.slice(plan.skip, plan.skip + first);
  const start = cursor?.n ?? 0;
  return toConnection(context, hits, start, first, fetched.total);
};

/** One search page through the shared cache (keyed by the request and the location's search generation). */
async function search(context: GraphQLContext, request: SearchContactsRequest): Promise<SearchContactsResult> {
  const layer = context.cacheLayer;
  const load = (lane: 'interactive' | 'background') =>
    context.ghl.searchContacts(context.locationId, request, withLane(context.callOptions, lane));
  if (layer === undefined) return load('interactive');
  const cacheKey = await layer.cache.searchKey(context.locationId, request);
  return cachedRead(layer, { cacheKey, ttlMs: layer.cache.ttls.search, endpoint: 'POST /contacts/search' }, load);
}

function toConnection(
  context: GraphQLContext,
  hits: SearchedContact[],
  start: number,
  first: number,
  total: number,
): Connection {
  const edges = hits.map((hit, index) => {
    prime(context, hit.contact);
    return {
      node: hit.contact,
      cursor: encodeCursor({ k: 'search', n: start + index + 1, sa: hit.searchAfter }, context.locationId),
    };
  });
  return {
    edges,
    totalCount: total,
    pageInfo: {
      // A short page is the last one whatever `total` says (search is eventually consistent).
      hasNextPage: edges.length === first && start + edges.length < total,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** A contact read by the search need not be read again by id in the same operation. */
function prime(context: GraphQLContext, contact: Contact): void {
  context.loaders.contactById.prime(contact.id, contact);
}
