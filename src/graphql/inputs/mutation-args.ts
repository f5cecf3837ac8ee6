/**
 * The argument schemas of each mutation, so every field of a call (ids and inputs alike) is
 * checked in one pass and reported together under its argument path ("input.phone", "tags[2]").
 */
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { createContactInputSchema, updateContactInputSchema, upsertContactInputSchema } from './contact-input.js';
import { NoteInputSchema } from './note-input.js';
import { CreateTaskInputSchema, UpdateTaskInputSchema } from './task-input.js';
import { IdSchema, TagListSchema } from './text-fields.js';

export const createContactArgsSchema = (country: CountryCode) => z.object({ input: createContactInputSchema(country) });
export const updateContactArgsSchema = (country: CountryCode) =>
  z.object({ id: IdSchema, input: updateContactInputSchema(country) });
export const upsertContactArgsSchema = (country: CountryCode) => z.object({ input: upsertContactInputSchema(country) });

export const ContactIdArgsSchema = z.object({ id: IdSchema });
export const ContactTagsArgsSchema = z.object({
  contactId: IdSchema,
  tags: TagListSchema.min(1, 'name at least one tag'),
});

export const CreateTaskArgsSchema = z.object({ contactId: IdSchema, input: CreateTaskInputSchema });
export const UpdateTaskArgsSchema = z.object({ contactId: IdSchema, id: IdSchema, input: UpdateTaskInputSchema });
export const CompleteTaskArgsSchema = z.object({ contactId: IdSchema, id: IdSchema, completed: z.boolean() });
export const ChildIdArgsSchema = z.object({ contactId: IdSchema, id: IdSchema });

export const CreateNoteArgsSchema = z.object({ contactId: IdSchema, input: NoteInputSchema });
export const UpdateNoteArgsSchema = z.object({ contactId: IdSchema, id: IdSchema, input: NoteInputSchema });
