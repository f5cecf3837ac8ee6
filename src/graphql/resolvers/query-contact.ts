import type { QueryResolvers } from '../resolvers-types.generated.js';

/** `contact(id)`: through contactById, so it shares a batch with any other contact in the operation. */
export const contact: NonNullable<QueryResolvers['contact']> = (_parent, { id }, context) =>
  context.loaders.contactById.load(id);
