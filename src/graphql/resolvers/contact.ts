import type { ContactResolvers } from '../resolvers-types.generated.js';

/**
 * Contact's nested fields. Each goes through a per-request loader, so a page of contacts costs
 * one task search (or one call per contact without the scope) rather than one call per field.
 * A failure fails only that field of that contact: the lists are nullable in the schema.
 */
export const Contact: ContactResolvers = {
  // Federation: `_entities` resolves every representation through contactById, so 100
  // representations are one batched search, not 100 GETs.
  __resolveReference: (reference, context) => context.loaders.contactById.load(reference.id),
  tasks: async (contact, { completed }, context) => {
    const tasks = await context.loaders.tasksByContactId.load(contact.id);
    // Filtered here rather than upstream so `tasks`, `tasks(completed: true)` and
    // `tasks(completed: false)` on one contact share a single fetch.
    return completed == null ? tasks : tasks.filter((task) => task.completed === completed);
  },
  notes: (contact, _args, context) => context.loaders.notesByContactId.load(contact.id),
  appointments: (contact, _args, context) => context.loaders.appointmentsByContactId.load(contact.id),
};
