import { CONTACT_LISTS, type ContactListName } from '../../entities/contact-lists.js';
import type { GraphQLContext } from '../context.js';
import type { ContactResolvers } from '../resolvers-types.generated.js';

/**
 * Contact's per-contact lists, one resolver per list descriptor (src/entities/contact-lists.ts):
 * each goes through its per-request loader, so a page of contacts costs one batched call (or
 * one call per contact where HighLevel has no batch endpoint) rather than one per field. A
 * failure fails only that field of that contact: the lists are nullable in the schema.
 * `Pick<…, ContactListName>` makes a descriptor without a schema field a compile error.
 */
const lists = Object.fromEntries(
  CONTACT_LISTS.map((list) => [
    list.field,
    (contact: { id: string }, _args: unknown, context: GraphQLContext) =>
      context.loaders.lists[list.field].load(contact.id),
  ]),
) as unknown as Pick<Required<ContactResolvers>, ContactListName>;

export const Contact: ContactResolvers = {
  ...lists,
  // Federation: `_entities` resolves every representation through contactById, so 100
  // representations are one batched search, not 100 GETs. A copy: @apollo/subgraph defines
  // __typename on what this returns, and a cached contact is shared and frozen (memory-lru-store.ts).
  __resolveReference: async (reference, context) => ({ ...(await context.loaders.contactById.load(reference.id)) }),
  tasks: async (contact, { completed }, context) => {
    const tasks = await context.loaders.lists.tasks.load(contact.id);
    // Filtered here rather than upstream so `tasks`, `tasks(completed: true)` and
    // `tasks(completed: false)` on one contact share a single fetch.
    return completed == null ? tasks : tasks.filter((task) => task.completed === completed);
  },
};
