import { z } from 'zod';
import { parseInput } from '../inputs/field-errors.js';
import type { MutationResolvers } from '../resolvers-types.generated.js';
import { writePathOf } from '../write-path.js';

const RetryDeadLetterArgsSchema = z.object({
  id: z.string().regex(/^\d{1,15}$/, 'must be a dead letter id from deadLetters'),
});

export const retryDeadLetter: NonNullable<MutationResolvers['retryDeadLetter']> = async (_parent, args, context) => {
  const { id } = parseInput(RetryDeadLetterArgsSchema, args);
  const writePath = writePathOf(context);
  // Tenancy: a caller may only put back its own location's writes; another location's id
  // answers as if it did not exist, so ids cannot be probed across locations.
  const entry = await writePath.deadLetters.get(Number(id));
  if (entry === null || entry.locationId !== context.locationId) return false;
  const retried = await writePath.deadLetters.retryDead(Number(id));
  if (retried) writePath.nudgeOutbox?.();
  return retried;
};
