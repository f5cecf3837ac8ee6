import { CreateTaskArgsSchema } from '../inputs/mutation-args.js';
import { parseInput } from '../inputs/field-errors.js';
import type { MutationResolvers } from '../resolvers-types.generated.js';
import { announceChange, requireWriteAccess } from '../write-path.js';
import { createWithReconciliation, findTaskLike } from '../../sync/create-reconciliation.js';

export const createTask: NonNullable<MutationResolvers['createTask']> = async (_parent, args, context) => {
  const { contactId, input } = parseInput(CreateTaskArgsSchema, args);
  const writePath = await requireWriteAccess(context);
  const { value: task } = await createWithReconciliation(
    () => context.ghl.createTask(context.locationId, contactId, input, context.callOptions),
    () => findTaskLike(context.ghl, context.locationId, contactId, input, context.callOptions),
  );
  await announceChange(writePath, {
    kind: 'task',
    change: 'created',
    locationId: context.locationId,
    contactId,
    id: task.id,
  });
  const roofrSync = await writePath.push.pushTask(context.locationId, task, { callOptions: context.callOptions });
  return { task, roofrSync };
};
