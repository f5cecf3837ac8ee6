import { UpdateTaskArgsSchema } from '../inputs/mutation-args.js';
import { parseInput } from '../inputs/field-errors.js';
import type { MutationResolvers } from '../resolvers-types.generated.js';
import { announceChange, requireWriteAccess } from '../write-path.js';

export const updateTask: NonNullable<MutationResolvers['updateTask']> = async (_parent, args, context) => {
  const { contactId, id, input } = parseInput(UpdateTaskArgsSchema, args);
  const writePath = await requireWriteAccess(context);
  const task = await context.ghl.updateTask(context.locationId, contactId, id, input, context.callOptions);
  await announceChange(writePath, { kind: 'task', change: 'updated', locationId: context.locationId, contactId, id });
  const roofrSync = await writePath.push.pushTask(context.locationId, task, { callOptions: context.callOptions });
  return { task, roofrSync };
};
