import { z } from 'zod';
import { parseInput } from '../inputs/field-errors.js';
import { IdSchema } from '../inputs/text-fields.js';
import type { QueryResolvers } from '../resolvers-types.generated.js';
import { writePathOf } from '../write-path.js';

const PreviewArgsSchema = z.object({ contactId: IdSchema });

/** A dry run of the mapping: reads from HighLevel and the link store, writes nothing anywhere. */
export const previewRoofrRecord: NonNullable<QueryResolvers['previewRoofrRecord']> = async (_parent, args, context) => {
  const { contactId } = parseInput(PreviewArgsSchema, args);
  return writePathOf(context).push.preview(context.locationId, contactId, { callOptions: context.callOptions });
};
