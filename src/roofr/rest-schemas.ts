/**
 * zod schemas of the Roofr REST responses the adapter assumes (docs/roofr-api.md). Lenient where
 * an API of this kind commonly varies (numeric or string ids, a missing address or list) and
 * strict on what the gateway relies on (ids, a task's title and status, a note's body).
 */
import { z } from 'zod';
import { emptyRoofrAddress } from './types.js';

const id = z.union([z.string().min(1), z.number().int()]).transform(String);
const text = z
  .string()
  .nullish()
  .transform((value) => value ?? null);
const timestamp = text;

const RoofrAddressSchema = z
  .object({ street: text, city: text, state: text, postal_code: text, country: text })
  .nullish()
  .transform((value) => value ?? emptyRoofrAddress());

const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const customFields = z
  .record(z.string(), fieldValue)
  .nullish()
  .transform((value) => value ?? {});
const stringList = z
  .array(z.string())
  .nullish()
  .transform((value) => value ?? []);

export const RoofrCustomerSchema = z.object({
  id,
  first_name: text,
  last_name: text,
  email: text,
  phone: text,
  company_name: text,
  address: RoofrAddressSchema,
  custom_fields: customFields,
  created_at: timestamp,
  updated_at: timestamp,
});

export const RoofrJobSchema = z.object({
  id,
  customer_id: id,
  name: text,
  workflow_stage: text,
  lead_source: text,
  address: RoofrAddressSchema,
  tags: stringList,
  assignees: stringList,
  external_ref: text,
  custom_fields: customFields,
  archived: z
    .boolean()
    .nullish()
    .transform((value) => value ?? false),
  created_at: timestamp,
  updated_at: timestamp,
});

export const RoofrJobContactSchema = z.object({
  id,
  job_id: id,
  contact_type: z.string(),
  first_name: text,
  last_name: text,
  email: text,
  phone: text,
});

export const RoofrJobTaskSchema = z.object({
  id,
  job_id: id,
  title: z.string(),
  description: text,
  status: z.enum(['open', 'completed']),
  assignee: text,
  due_at: timestamp,
  external_ref: text,
  created_at: timestamp,
  updated_at: timestamp,
});

export const RoofrJobNoteSchema = z.object({
  id,
  job_id: id,
  body: z.string(),
  author: text,
  external_ref: text,
  created_at: timestamp,
  updated_at: timestamp,
});

// One envelope per item schema: zod compiles an object schema on its first parse, and building
// a fresh envelope per response made that compile a large share of a batch sync's CPU.
const dataEnvelopes = new WeakMap<z.ZodType, z.ZodType>();
const listEnvelopes = new WeakMap<z.ZodType, z.ZodType>();

function memoized<E extends z.ZodType>(cache: WeakMap<z.ZodType, z.ZodType>, item: z.ZodType, build: () => E): E {
  const hit = cache.get(item);
  // Only `build` for this same item schema stored it, so it has the type `build` returns.
  if (hit !== undefined) return hit as E;
  const envelope = build();
  cache.set(item, envelope);
  return envelope;
}

/** `{data: T}`: every single-record response. */
export function dataEnvelope<T>(item: z.ZodType<T>): z.ZodType<{ data: T }> {
  return memoized(dataEnvelopes, item, () => z.object({ data: item }));
}

interface ListPage<T> {
  data: T[];
  links?: { next?: string | null | undefined } | null | undefined;
}

/** `{data: T[], links: {next}, meta}`: every list; `links.next` is absent or null on the last page. */
export function listEnvelope<T>(item: z.ZodType<T>): z.ZodType<ListPage<T>> {
  return memoized(listEnvelopes, item, () =>
    z.object({
      data: z.array(item),
      links: z.object({ next: z.string().nullish() }).nullish(),
    }),
  );
}

/** Error bodies: `{message, errors?: {field: [messages]}}` (Laravel-style validation). */
export const RoofrErrorBodySchema = z.object({
  message: z.string().optional(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});
