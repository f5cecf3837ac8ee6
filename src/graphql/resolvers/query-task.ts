import type { QueryResolvers } from '../resolvers-types.generated.js';

export const task: NonNullable<QueryResolvers['task']> = (_parent, { contactId, id }, context) =>
  context.loaders.taskById.load({ contactId, id });
