import { updateContactArgsSchema } from '../inputs/mutation-args.js';
import { parseInput } from '../inputs/field-errors.js';
import type { MutationResolvers } from '../resolvers-types.generated.js';
import { announceChange, requireWriteAccess, writePathOf } from '../write-path.js';

export const updateContact: NonNullable<MutationResolvers['updateContact']> = async (_parent, args, context) => {
  const { id, input } = parseInput(updateContactArgsSchema(writePathOf(context).defaultPhoneCountry), args);
  const writePath = await requireWriteAccess(context);
  const contact = await context.ghl.updateContact(context.locationId, id, input, context.callOptions);
  await announceChange(writePath, {
    kind: 'contact',
    change: 'updated',
    locationId: context.locationId,
    contactId: contact.id,
  });
  const roofrSync = await writePath.push.pushContact(context.locationId, contact, { callOptions: context.callOptions });
  return { contact, created: false, roofrSync };
};
