import { upsertContactArgsSchema } from '../inputs/mutation-args.js';
import { parseInput } from '../inputs/field-errors.js';
import type { MutationResolvers } from '../resolvers-types.generated.js';
import { announceChange, requireWriteAccess, writePathOf } from '../write-path.js';

// Upsert is idempotent by GHL's own matching (email / phone), so a retry cannot duplicate.
export const upsertContact: NonNullable<MutationResolvers['upsertContact']> = async (_parent, args, context) => {
  const { input } = parseInput(upsertContactArgsSchema(writePathOf(context).defaultPhoneCountry), args);
  const writePath = await requireWriteAccess(context);
  const { contact, created } = await context.ghl.upsertContact(context.locationId, input, context.callOptions);
  await announceChange(writePath, {
    kind: 'contact',
    change: created ? 'created' : 'updated',
    locationId: context.locationId,
    contactId: contact.id,
  });
  const roofrSync = await writePath.push.pushContact(context.locationId, contact, { callOptions: context.callOptions });
  return { contact, created, roofrSync };
};
