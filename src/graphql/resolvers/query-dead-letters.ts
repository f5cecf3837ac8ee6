import { InvalidCursorError } from '../../store/paging.js';
import { decodeStoreCursor, encodeStoreCursor } from '../cursor.js';
import { userInputError } from '../errors.js';
import type { QueryResolvers } from '../resolvers-types.generated.js';
import { writePathOf } from '../write-path.js';

export const deadLetters: NonNullable<QueryResolvers['deadLetters']> = async (_parent, { first, after }, context) => {
  if (first < 1 || first > 500)
    throw userInputError('first must be between 1 and 500', {
      fields: [{ field: 'first', message: 'must be between 1 and 500' }],
    });
  // Only this location's dead letters (one gateway may serve several): filtered in the query,
  // before paging, so a page is never emptied or continued by another location's rows.
  const storeAfter = after == null ? null : decodeStoreCursor('dead', after, context.locationId);
  let page;
  try {
    page = await writePathOf(context).deadLetters.listDead(first, storeAfter, context.locationId);
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw userInputError(error.message, { fields: [{ field: 'after', message: error.message }] });
    throw error;
  }
  const cursorOf = (id: number) => encodeStoreCursor('dead', String(id), context.locationId);
  const items = page.items;
  const last = items.at(-1);
  return {
    edges: items.map((entry) => ({
      cursor: cursorOf(entry.id),
      node: {
        id: String(entry.id),
        locationId: entry.locationId,
        kind: entry.kind,
        payload: entry.payload,
        attempts: entry.attempts,
        lastError: entry.lastError,
        createdAt: entry.createdAt,
        updatedAt: entry.updatedAt,
      },
    })),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: after != null,
      startCursor: items[0] ? cursorOf(items[0].id) : null,
      endCursor: last ? cursorOf(last.id) : null,
    },
  };
};
