import { cachedRead, withLane } from '../../loaders/cached-batch.js';
import { decodeOffsetCursor, encodeCursor } from '../cursor.js';
import { userInputError } from '../errors.js';
import type { QueryResolvers } from '../resolvers-types.generated.js';

/** GET /contacts/business/{businessId} pages with limit/skip; GHL's default limit is 25. */
const MAX_BUSINESS_PAGE_SIZE = 100;

/** `contactsByBusiness`: a Relay connection over GET /contacts/business/{businessId}. */
export const contactsByBusiness: NonNullable<QueryResolvers['contactsByBusiness']> = async (_parent, args, context) => {
  const first = args.first;
  if (!Number.isInteger(first) || first < 1 || first > MAX_BUSINESS_PAGE_SIZE) {
    throw userInputError(`first must be between 1 and ${MAX_BUSINESS_PAGE_SIZE}`, { argumentName: 'first' });
  }
  const skip = args.after ? decodeOffsetCursor(args.after, context.locationId).n : 0;
  const request = { limit: first, skip };
  const load = (lane: 'interactive' | 'background') =>
    context.ghl.listBusinessContacts(context.locationId, args.businessId, request, withLane(context.callOptions, lane));
  const layer = context.cacheLayer;
  const result =
    layer === undefined
      ? await load('interactive')
      : await cachedRead(
          layer,
          {
            cacheKey: await layer.cache.businessListKey(context.locationId, args.businessId, request),
            ttlMs: layer.cache.ttls.businessList,
            endpoint: 'GET /contacts/business/{businessId}',
          },
          load,
        );
  const edges = result.contacts.slice(0, first).map((node, index) => {
    context.loaders.contactById.prime(node.id, node);
    return { node, cursor: encodeCursor({ k: 'offset', n: skip + index + 1 }, context.locationId) };
  });
  return {
    edges,
    totalCount: result.count,
    pageInfo: {
      hasNextPage: edges.length === first && skip + edges.length < result.count,
      hasPreviousPage: skip > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
};
