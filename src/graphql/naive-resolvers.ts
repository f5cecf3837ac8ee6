/**
 * The resolver set a first attempt would write: every field calls the client directly, no
 * loaders, no batching. Not served; the benchmark (bench/graphql) runs it beside the real
 * resolvers to show what the loaders save. Shares the root connection resolvers, which make
 * one call per page either way.
 */
import { contacts } from './resolvers/query-contacts.js';
import { contactsByBusiness } from './resolvers/query-contacts-by-business.js';
import { DateTime, JSON } from './resolvers/scalars.js';
import type { Resolvers } from './resolvers-types.generated.js';

export const naiveResolvers: Resolvers = {
  DateTime,
  JSON,
  Query: {
    contact: (_parent, { id }, context) => context.ghl.getContact(context.locationId, id, context.callOptions),
    contacts,
    contactsByBusiness,
    task: (_parent, { contactId, id }, context) =>
      context.ghl.getTask(context.locationId, contactId, id, context.callOptions),
    note: (_parent, { contactId, id }, context) =>
      context.ghl.getNote(context.locationId, contactId, id, context.callOptions),
  },
  Contact: {
    __resolveReference: (reference, context) =>
      context.ghl.getContact(context.locationId, reference.id, context.callOptions),
    tasks: async (contact, { completed }, context) => {
      const tasks = await context.ghl.listTasks(context.locationId, contact.id, context.callOptions);
      return completed == null ? tasks : tasks.filter((task) => task.completed === completed);
    },
    notes: (contact, _args, context) => context.ghl.listNotes(context.locationId, contact.id, context.callOptions),
    appointments: (contact, _args, context) =>
      context.ghl.listAppointments(context.locationId, contact.id, context.callOptions),
  },
};
