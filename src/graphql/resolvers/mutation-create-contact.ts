import { createContactArgsSchema } from '../inputs/mutation-args.js';
import { parseInput } from '../inputs/field-errors.js';
import type { MutationResolvers } from '../resolvers-types.generated.js';
import { announceChange, requireWriteAccess, writePathOf } from '../write-path.js';
import { createWithReconciliation, findContactByEmailOrPhone } from '../../sync/create-reconciliation.js';

export const createContact: NonNullable<MutationResolvers['createContact']> = async (_parent, args, context) => {
  const { input } = parseInput(createContactArgsSchema(writePathOf(context).defaultPhoneCountry), args);
  const writePath = await requireWriteAccess(context);
  const create = () => context.ghl.createContact(context.locationId, input, context.callOptions);
  // Without email or phone a lost create cannot be found again, so it is not retried.
  const { value: contact } =
    input.email || input.phone
      ? await createWithReconciliation(
          create,
          () => findContactByEmailOrPhone(context.ghl, context.locationId, input, context.callOptions),
          async () => (await context.ghl.upsertContact(context.locationId, input, context.callOptions)).contact,
        )
      : { value: await create() };
  await announceChange(writePath, {
    kind: 'contact',
    change: 'created',
    locationId: context.locationId,
    contactId: contact.id,
  });
  const roofrSync = await writePath.push.pushContact(context.locationId, contact, { callOptions: context.callOptions });
  return { contact, created: true, roofrSync };
};
