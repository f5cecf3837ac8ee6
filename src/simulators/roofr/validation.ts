/**
 * Request bodies the simulated Roofr API accepts, checked with zod like a real API would:
 * a bad body answers 422 `{message, errors: {field: [messages]}}`.
 */
import { z } from 'zod';

const text = z.string().nullable();
const address = z.object({ street: text, city: text, state: text, postal_code: text, country: text }).partial();
const customFields = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
const isoOrNull = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO-8601 date')
  .nullable();

export const CustomerBodySchema = z
  .object({
    first_name: text,
    last_name: text,
    email: z.email().nullable(),
    phone: text,
    company_name: text,
    address,
    custom_fields: customFields,
  })
  .partial();

const jobFields = {
  name: text,
  workflow_stage: text,
  lead_source: text,
  address,
  tags: z.array(z.string()),
  assignees: z.array(z.string()),
  external_ref: text,
  custom_fields: customFields,
};

export const JobCreateBodySchema = z.object({
  customer_id: z.union([z.string(), z.number()]).transform(String),
  ...z.object(jobFields).partial().shape,
});
export const JobUpdateBodySchema = z
  .object({ customer_id: z.union([z.string(), z.number()]).transform(String), ...jobFields })
  .partial();

const contactFields = {
  contact_type: z.string().min(1),
  first_name: text,
  last_name: text,
  email: z.email().nullable(),
  phone: text,
};
export const JobContactCreateBodySchema = z.object(contactFields).partial().required({ contact_type: true });
export const JobContactUpdateBodySchema = z.object(contactFields).partial();

const taskFields = {
  title: z.string().min(1),
  description: text,
  status: z.enum(['open', 'completed']),
  assignee: text,
  due_at: isoOrNull,
  external_ref: text,
};
export const JobTaskCreateBodySchema = z.object(taskFields).partial().required({ title: true });
export const JobTaskUpdateBodySchema = z.object(taskFields).partial();

const noteFields = { body: z.string().min(1), author: text, created_at: isoOrNull, external_ref: text };
export const JobNoteCreateBodySchema = z.object(noteFields).partial().required({ body: true });
export const JobNoteUpdateBodySchema = z.object(noteFields).partial();

/** Laravel-style field errors from a zod error. */
export function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || '(body)';
    (errors[field] ??= []).push(issue.message);
  }
  return errors;
}
