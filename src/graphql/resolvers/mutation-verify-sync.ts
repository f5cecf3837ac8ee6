import type { MutationResolvers } from '../resolvers-types.generated.js';
import { userInputError } from '../errors.js';
import { syncOf, syncRunView } from './query-sync-run-model.js';

/** Largest sample a verify takes; beyond it a full check costs about the same. */
const MAX_SAMPLE = 100_000;

/** Queues the check as a sync job and answers at once: a location's check never runs inside a request. */
export const verifySync: NonNullable<MutationResolvers['verifySync']> = async (
  _parent,
  { businessId, sample, repair },
  context,
) => {
  if (businessId != null && !/^[A-Za-z0-9_-]{1,64}$/.test(businessId))
    throw userInputError('businessId is not a HighLevel id', {
      fields: [{ field: 'businessId', message: 'not a HighLevel id' }],
    });
  if (sample != null && (sample < 1 || sample > MAX_SAMPLE))
    throw userInputError(`sample must be between 1 and ${MAX_SAMPLE}`, {
      fields: [{ field: 'sample', message: `between 1 and ${MAX_SAMPLE}; leave it out for a full check` }],
    });
  if (sample != null && businessId != null)
    throw userInputError('a sample is drawn from the whole location: give sample or businessId, not both', {
      fields: [{ field: 'sample', message: 'not with businessId' }],
    });
  const run = await syncOf(context).engine.startVerify({
    locationId: context.locationId,
    businessId: businessId ?? null,
    sample: sample ?? null,
    repair: repair ?? false,
    trigger: 'manual',
  });
  return syncRunView(run);
};
