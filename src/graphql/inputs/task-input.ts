/** Task inputs of createTask / updateTask → HighLevel's TaskWrite. */
import { z } from 'zod';
import type { TaskWrite } from '../../ghl/ghl-api.js';
import { INPUT_LIMITS } from './input-limits.js';
import { IdSchema, IsoDateTimeSchema, optionalText, requiredText } from './text-fields.js';

export const CreateTaskInputSchema = z
  .object({
    title: requiredText(INPUT_LIMITS.taskTitle),
    body: optionalText(INPUT_LIMITS.taskBody),
    dueDate: IsoDateTimeSchema,
    completed: z.boolean().nullish(),
    assignedTo: IdSchema.nullish(),
  })
  .transform((fields): TaskWrite & { title: string; dueDate: string } => ({
    title: fields.title,
    dueDate: fields.dueDate,
    ...(fields.body === undefined ? {} : { body: fields.body }),
    ...(fields.completed === undefined || fields.completed === null ? {} : { completed: fields.completed }),
    ...(fields.assignedTo === undefined ? {} : { assignedTo: fields.assignedTo }),
  }));

export const UpdateTaskInputSchema = z
  .object({
    // Title and due date cannot be cleared in GHL: null is refused rather than sent.
    title: requiredText(INPUT_LIMITS.taskTitle).optional(),
    body: optionalText(INPUT_LIMITS.taskBody),
    dueDate: IsoDateTimeSchema.optional(),
    completed: z.boolean().optional(),
    assignedTo: IdSchema.nullish(),
  })
  .refine((fields) => Object.values(fields).some((value) => value !== undefined), {
    message: 'name at least one field to change',
    path: [],
  })
  .transform((fields): TaskWrite => {
    const write: TaskWrite = {};
    if (fields.title !== undefined) write.title = fields.title;
    if (fields.body !== undefined) write.body = fields.body;
    if (fields.dueDate !== undefined) write.dueDate = fields.dueDate;
    if (fields.completed !== undefined) write.completed = fields.completed;
    if (fields.assignedTo !== undefined) write.assignedTo = fields.assignedTo;
    return write;
  });
