import type { MutationResolvers } from '../resolvers-types.generated.js';
import { userInputError } from '../errors.js';
import { syncOf, syncRunView } from './query-sync-run-model.js';

export const syncContact: NonNullable<MutationResolvers['syncContact']> = async (_parent, { id, dryRun }, context) => {
  if (id.trim() === '')
    throw userInputError('id must not be empty', { fields: [{ field: 'id', message: 'must not be empty' }] });
  const { deadlineAt, signal } = context.callOptions;
  return syncRunView(
    await syncOf(context).engine.syncContact(
      id,
      context.locationId,
      {
        ...(deadlineAt === undefined ? {} : { deadlineAt }),
        ...(signal === undefined ? {} : { signal }),
      },
      { dryRun: dryRun ?? false },
    ),
  );
};
