import { ContactTagsArgsSchema } from '../inputs/mutation-args.js';
import { parseInput } from '../inputs/field-errors.js';
import type { MutationResolvers } from '../resolvers-types.generated.js';
import { announceChange, requireWriteAccess } from '../write-path.js';

export const removeContactTags: NonNullable<MutationResolvers['removeContactTags']> = async (
  _parent,
  args,
  context,
) => {
  const { contactId, tags } = parseInput(ContactTagsArgsSchema, args);
  const writePath = await requireWriteAccess(context);
  const result = await context.ghl.removeTags(context.locationId, contactId, tags, context.callOptions);
  await announceChange(writePath, { kind: 'contact', change: 'updated', locationId: context.locationId, contactId });
  // Tags map to the Roofr job: push the whole contact as it now stands.
  const contact = await context.ghl.getContact(context.locationId, contactId, context.callOptions);
  const roofrSync = await writePath.push.pushContact(context.locationId, contact, { callOptions: context.callOptions });
  return { contactId, tags: result, roofrSync };
};
