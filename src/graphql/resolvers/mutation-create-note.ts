import { CreateNoteArgsSchema } from '../inputs/mutation-args.js';
import { parseInput } from '../inputs/field-errors.js';
import type { MutationResolvers } from '../resolvers-types.generated.js';
import { announceChange, requireWriteAccess } from '../write-path.js';
import { createWithReconciliation, findNoteLike } from '../../sync/create-reconciliation.js';

export const createNote: NonNullable<MutationResolvers['createNote']> = async (_parent, args, context) => {
  const { contactId, input } = parseInput(CreateNoteArgsSchema, args);
  const writePath = await requireWriteAccess(context);
  const { value: note } = await createWithReconciliation(
    () => context.ghl.createNote(context.locationId, contactId, input, context.callOptions),
    () => findNoteLike(context.ghl, context.locationId, contactId, input, context.callOptions),
  );
  await announceChange(writePath, {
    kind: 'note',
    change: 'created',
    locationId: context.locationId,
    contactId,
    id: note.id,
  });
  const roofrSync = await writePath.push.pushNote(context.locationId, note, { callOptions: context.callOptions });
  return { note, roofrSync };
};
