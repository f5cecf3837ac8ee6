/** Note inputs of createNote / updateNote → HighLevel's NoteWrite. */
import { z } from 'zod';
import type { NoteWrite } from '../../ghl/ghl-api.js';
import { INPUT_LIMITS } from './input-limits.js';
import { IdSchema, requiredText } from './text-fields.js';

export const NoteInputSchema = z
  .object({ body: requiredText(INPUT_LIMITS.noteBody), userId: IdSchema.nullish() })
  .transform((fields): NoteWrite => ({
    body: fields.body,
    ...(fields.userId === undefined || fields.userId === null ? {} : { userId: fields.userId }),
  }));
