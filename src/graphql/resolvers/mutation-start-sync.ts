import type { MutationResolvers } from '../resolvers-types.generated.js';
import { userInputError } from '../errors.js';
import { syncOf, syncRunView } from './query-sync-run-model.js';

export const startSync: NonNullable<MutationResolvers['startSync']> = async (
  _parent,
  { businessId, mode, dryRun },
  context,
) => {
  if (businessId != null && !/^[A-Za-z0-9_-]{1,64}$/.test(businessId))
    throw userInputError('businessId is not a HighLevel id', {
      fields: [{ field: 'businessId', message: 'not a HighLevel id' }],
    });
  const run = await syncOf(context).engine.startSync({
    locationId: context.locationId,
    businessId: businessId ?? null,
    mode: mode ?? 'INCREMENTAL',
    trigger: 'manual',
    dryRun: dryRun ?? false,
  });
  return syncRunView(run);
};
