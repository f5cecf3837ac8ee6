import { InvalidCursorError } from '../../store/paging.js';
import { userInputError } from '../errors.js';
import type { QueryResolvers } from '../resolvers-types.generated.js';
import { writePathOf } from '../write-path.js';

export const deadLetters: NonNullable<QueryResolvers['deadLetters']> = async (_parent, { first, after }, context) => {
  if (first < 1 || first > 500)
    throw userInputError('first must be between 1 and 500', {
      fields: [{ field: 'first', message: 'must be between 1 and 500' }],
    });
  let page;
  try {
    page = await writePathOf(context).deadLetters.listDead(first, after ?? null);
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw userInputError(error.message, { fields: [{ field: 'after', message: error.message }] });
    throw error;
  }
  // Only this location's dead letters: one gateway may serve several locations.
  const items = page.items.filter((entry) => entry.locationId === context.locationId);
  return {
    edges: items.map((entry) => ({
      cursor: String(entry.id),
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
      startCursor: items[0] ? String(items[0].id) : null,
      endCursor: page.endCursor,
    },
  };
};
