import { ChildIdArgsSchema } from '../inputs/mutation-args.js';
import { parseInput } from '../inputs/field-errors.js';
import type { MutationResolvers } from '../resolvers-types.generated.js';
import { announceChange, requireWriteAccess } from '../write-path.js';

export const deleteTask: NonNullable<MutationResolvers['deleteTask']> = async (_parent, args, context) => {
  const { contactId, id } = parseInput(ChildIdArgsSchema, args);
  const writePath = await requireWriteAccess(context);
  await context.ghl.deleteTask(context.locationId, contactId, id, context.callOptions);
  await announceChange(writePath, { kind: 'task', change: 'deleted', locationId: context.locationId, contactId, id });
  const roofrSync = await writePath.push.removeTask(context.locationId, id, contactId, {
    callOptions: context.callOptions,
  });
  return { deletedId: id, roofrSync };
};
