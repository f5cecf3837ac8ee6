import { InvalidCursorError } from '../../store/paging.js';
import type { SyncRun as StoredRun } from '../../store/sync-runs-repo.js';
import { decodeStoreCursor, encodeStoreCursor } from '../cursor.js';
import { userInputError } from '../errors.js';
import type { QueryResolvers } from '../resolvers-types.generated.js';
import { syncOf, syncRunView, toStoredStatus } from './query-sync-run-model.js';

export const syncRuns: NonNullable<QueryResolvers['syncRuns']> = async (_parent, { first, after, status }, context) => {
  const size = first ?? 20;
  if (size < 1 || size > 100)
    throw userInputError('first must be between 1 and 100', {
      fields: [{ field: 'first', message: 'must be between 1 and 100' }],
    });
  const wanted = status == null ? null : toStoredStatus(status);
  const runs = syncOf(context).runs;
  // The store pages by start time only; a status filter reads on until the page is full.
  const items: StoredRun[] = [];
  // Bound to the caller's location: a cursor another location received is refused, not read.
  let cursor = after == null ? null : decodeStoreCursor('run', after, context.locationId);
  let hasNextPage = false;
  try {
    for (;;) {
      const page = await runs.list({ first: size, after: cursor, locationId: context.locationId });
      for (const run of page.items) {
        if (wanted !== null && run.status !== wanted) continue;
        if (items.length === size) {
          hasNextPage = true;
          break;
        }
        items.push(run);
      }
      if (hasNextPage || !page.hasNextPage) break;
      cursor = page.endCursor;
    }
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw userInputError(error.message, { fields: [{ field: 'after', message: error.message }] });
    throw error;
  }
  const firstRun = items[0];
  const last = items[items.length - 1];
  return {
    edges: items.map((run) => ({ node: syncRunView(run), cursor: encodeRunCursor(run, context.locationId) })),
    pageInfo: {
      hasNextPage,
      hasPreviousPage: after != null,
      startCursor: firstRun ? encodeRunCursor(firstRun, context.locationId) : null,
      endCursor: last ? encodeRunCursor(last, context.locationId) : null,
    },
  };
};

/** The sync-runs repository's cursor format (start time and id), so any run can be a cursor; bound to the location. */
function encodeRunCursor(run: StoredRun, locationId: string): string {
  return encodeStoreCursor(
    'run',
    Buffer.from(JSON.stringify({ s: run.startedAt, i: run.id })).toString('base64url'),
    locationId,
  );
}
