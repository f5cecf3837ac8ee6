/**
 * The `data` of each Roofr webhook event (docs/roofr-api.md), parsed with zod after the
 * signature is verified. Records reuse the REST schemas, lenient where Zapier-forwarded payloads
 * may leave fields out.
 */
import { z } from 'zod';
import { RoofrCustomerSchema, RoofrJobSchema } from './rest-schemas.js';
import type { RoofrWebhookEnvelope } from './webhook-signature.js';

const text = z
  .string()
  .nullish()
  .transform((value) => value ?? null);

const RoofrLeadSchema = z.object({
  first_name: text,
  last_name: text,
  email: text,
  phone: text,
  address: text,
  /** e.g. "Instant Estimator". */
  source: text,
});

const RoofrProposalSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  job_id: z.union([z.string(), z.number()]).transform(String),
  total: z
    .number()
    .nullish()
    .transform((value) => value ?? null),
  signed_at: text,
});

export const RoofrWebhookDataSchemas = {
  'customer.created': z.object({ customer: RoofrCustomerSchema }),
  'customer.updated': z.object({ customer: RoofrCustomerSchema }),
  'job.created': z.object({ job: RoofrJobSchema, customer: RoofrCustomerSchema.optional() }),
  'job.stage_changed': z.object({ job: RoofrJobSchema, previous_stage: text, stage: text }),
  'proposal.signed': z.object({ proposal: RoofrProposalSchema, job: RoofrJobSchema.optional() }),
  'lead.created': z.object({
    lead: RoofrLeadSchema,
    customer: RoofrCustomerSchema.optional(),
    job: RoofrJobSchema.optional(),
  }),
} as const;

type DataOf<E extends keyof typeof RoofrWebhookDataSchemas> = z.infer<(typeof RoofrWebhookDataSchemas)[E]>;

export type RoofrWebhookEvent = {
  [E in keyof typeof RoofrWebhookDataSchemas]: { id: string; event: E; timestamp: string; data: DataOf<E> };
}[keyof typeof RoofrWebhookDataSchemas];

type ParsedRoofrWebhook = { ok: true; event: RoofrWebhookEvent } | { ok: false; detail: string };

/** Types a verified envelope's data by its event; a mismatch names the field. */
export function parseRoofrWebhookEvent(envelope: RoofrWebhookEnvelope): ParsedRoofrWebhook {
  const schema: z.ZodType = RoofrWebhookDataSchemas[envelope.event];
  const parsed = schema.safeParse(envelope.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, detail: `data.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unexpected shape'}` };
  }
  return {
    ok: true,
    event: {
      id: envelope.id,
      event: envelope.event,
      timestamp: envelope.timestamp,
      data: parsed.data,
    } as RoofrWebhookEvent,
  };
}
