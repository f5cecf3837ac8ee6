import { CompleteTaskArgsSchema } from '../inputs/mutation-args.js';
import { parseInput } from '../inputs/field-errors.js';
import type { MutationResolvers } from '../resolvers-types.generated.js';
import { announceChange, requireWriteAccess } from '../write-path.js';

export const completeTask: NonNullable<MutationResolvers['completeTask']> = async (_parent, args, context) => {
  const { contactId, id, completed } = parseInput(CompleteTaskArgsSchema, args);
  const writePath = await requireWriteAccess(context);
  const task = await context.ghl.completeTask(context.locationId, contactId, id, completed, context.callOptions);
  await announceChange(writePath, { kind: 'task', change: 'updated', locationId: context.locationId, contactId, id });
  const roofrSync = await writePath.push.pushTask(context.locationId, task, { callOptions: context.callOptions });
  return { task, roofrSync };
};
