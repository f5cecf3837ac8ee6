/**
 * What the Zapier bridge posts to the catch hook: one "job and customer", the input of Roofr's
 * Zapier action "Create Job and Customer". Nested objects are fine: Zapier flattens them to
 * `customer__first_name`, `job__tags` … for mapping in the Zap editor (docs/roofr-api.md).
 * The simulator's catch hook parses the same schema to emulate the Zap.
 */
import { z } from 'zod';

const text = z.string().nullable().optional();
const address = z
  .object({ street: text, city: text, state: text, postal_code: text, country: text })
  .partial()
  .optional();
const customFields = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional();

export const ZapierJobAndCustomerSchema = z.object({
  /** Zapier does not dedupe; the key travels so a Zap filter or Storage step can. */
  idempotency_key: z.string().min(1),
  sent_at: z.string(),
  customer: z.object({
    first_name: text,
    last_name: text,
    email: text,
    phone: text,
    company_name: text,
    address,
    custom_fields: customFields,
  }),
  job: z.object({
    name: text,
    workflow_stage: text,
    lead_source: text,
    address,
    tags: z.array(z.string()).optional(),
    assignees: z.array(z.string()).optional(),
    external_ref: text,
    custom_fields: customFields,
  }),
});
export type ZapierJobAndCustomer = z.infer<typeof ZapierJobAndCustomerSchema>;

/** Zapier's catch-hook answer. */
export const ZapierHookResponseSchema = z.object({
  status: z.string(),
  id: z.string().optional(),
  request_id: z.string().optional(),
  attempt: z.string().optional(),
});
