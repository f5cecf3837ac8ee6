import type { QueryResolvers } from '../resolvers-types.generated.js';
import { syncOf, syncRunView } from './query-sync-run-model.js';

export const syncRun: NonNullable<QueryResolvers['syncRun']> = async (_parent, { id }, context) => {
  const run = await syncOf(context).runs.get(id);
  // Runs of another location are not this caller's to see.
  return run === null || run.locationId !== context.locationId ? null : syncRunView(run);
};
