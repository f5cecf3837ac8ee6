import { ContactIdArgsSchema } from '../inputs/mutation-args.js';
import { parseInput } from '../inputs/field-errors.js';
import type { MutationResolvers } from '../resolvers-types.generated.js';
import { announceChange, requireWriteAccess } from '../write-path.js';

export const deleteContact: NonNullable<MutationResolvers['deleteContact']> = async (_parent, args, context) => {
  const { id } = parseInput(ContactIdArgsSchema, args);
  const writePath = await requireWriteAccess(context);
  await context.ghl.deleteContact(context.locationId, id, context.callOptions);
  await announceChange(writePath, {
    kind: 'contact',
    change: 'deleted',
    locationId: context.locationId,
    contactId: id,
  });
  const roofrSync = await writePath.push.removeContact(context.locationId, id, {
    callOptions: context.callOptions,
  });
  return { deletedId: id, roofrSync };
};
