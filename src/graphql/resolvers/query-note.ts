import type { QueryResolvers } from '../resolvers-types.generated.js';

export const note: NonNullable<QueryResolvers['note']> = (_parent, { contactId, id }, context) =>
  context.loaders.noteById.load({ contactId, id });
