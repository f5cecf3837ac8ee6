import { UpdateNoteArgsSchema } from '../inputs/mutation-args.js';
import { parseInput } from '../inputs/field-errors.js';
import type { MutationResolvers } from '../resolvers-types.generated.js';
import { announceChange, requireWriteAccess } from '../write-path.js';

export const updateNote: NonNullable<MutationResolvers['updateNote']> = async (_parent, args, context) => {
  const { contactId, id, input } = parseInput(UpdateNoteArgsSchema, args);
  const writePath = await requireWriteAccess(context);
  const note = await context.ghl.updateNote(context.locationId, contactId, id, input, context.callOptions);
  await announceChange(writePath, { kind: 'note', change: 'updated', locationId: context.locationId, contactId, id });
  const roofrSync = await writePath.push.pushNote(context.locationId, note, { callOptions: context.callOptions });
  return { note, roofrSync };
};
