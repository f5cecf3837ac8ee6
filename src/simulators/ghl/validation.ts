/**
 * Request-body schemas of the simulated operations (apps/contacts.json, apps/locations.json),
 * answered like GHL's NestJS class-validator: 422 with `message` an array of sentences such as
 * "title must be a string" or "property foo should not exist" (unknown properties are refused).
 */
import { z } from 'zod';
import { unprocessable } from './errors.js';

const nullableText = z.string().nullable().optional();
const customFieldInput = z
  .strictObject({ id: z.string().optional(), key: z.string().optional(), field_value: z.unknown().optional() })
  .refine((field) => field.id !== undefined || field.key !== undefined, {
    message: 'customFields each need an id or a key',
  });
const dndSetting = z.object({
  status: z.enum(['active', 'inactive', 'permanent']),
  message: z.string().optional(),
  code: z.string().optional(),
});
const dndSettings = z
  .object({
    Call: dndSetting,
    Email: dndSetting,
    SMS: dndSetting,
    WhatsApp: dndSetting,
    GMB: dndSetting,
    FB: dndSetting,
  })
  .partial();

const contactFields = {
  firstName: nullableText,
  lastName: nullableText,
  name: nullableText,
  email: nullableText,
  phone: nullableText,
  address1: nullableText,
  city: nullableText,
  state: nullableText,
  postalCode: z.string().optional(),
  website: nullableText,
  timezone: nullableText,
  dnd: z.boolean().optional(),
  dndSettings: dndSettings.optional(),
  inboundDndSettings: z
    .object({ all: z.object({ status: z.enum(['active', 'inactive']), message: z.string().optional() }) })
    .partial()
    .optional(),
  tags: z.array(z.string()).optional(),
  customFields: z.array(customFieldInput).optional(),
  source: nullableText,
  dateOfBirth: z.string().nullable().optional(),
  country: z.string().optional(),
  companyName: nullableText,
  assignedTo: nullableText,
};

export const CreateContactBody = z.strictObject({
  ...contactFields,
  locationId: z.string().min(1),
  gender: z.string().optional(),
});
export type CreateContactBody = z.infer<typeof CreateContactBody>;

/**
 * The spec's UpdateContactDto has no locationId (sending one is refused) and omits companyName;
 * companyName is accepted here because GHL's UI and SDK update it through this route.
 */
export const UpdateContactBody = z.strictObject(contactFields);
export type UpdateContactBody = z.infer<typeof UpdateContactBody>;

export const UpsertContactBody = z.strictObject({
  ...contactFields,
  locationId: z.string().min(1),
  gender: z.string().optional(),
  createNewIfDuplicateAllowed: z.boolean().optional(),
});
export type UpsertContactBody = z.infer<typeof UpsertContactBody>;

const isoDate = z
  .string()
  .refine(
    (value) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value)),
    {
      message: 'must be a valid ISO 8601 date string',
    },
  );

/** The spec also marks `completed` required; GHL defaults it to false, so it is optional here (unverified). */
export const CreateTaskBody = z.strictObject({
  title: z.string().min(1),
  body: z.string().optional(),
  dueDate: isoDate,
  completed: z.boolean().optional(),
  assignedTo: z.string().optional(),
});
export type CreateTaskBody = z.infer<typeof CreateTaskBody>;

export const UpdateTaskBody = z.strictObject({
  title: z.string().min(1).optional(),
  body: z.string().optional(),
  dueDate: isoDate.optional(),
  completed: z.boolean().optional(),
  assignedTo: z.string().optional(),
});
export type UpdateTaskBody = z.infer<typeof UpdateTaskBody>;

export const TaskCompletedBody = z.strictObject({ completed: z.boolean() });
export type TaskCompletedBody = z.infer<typeof TaskCompletedBody>;

export const CreateNoteBody = z.strictObject({
  body: z.string().min(1),
  userId: z.string().optional(),
  title: z.string().optional(),
  color: z.string().optional(),
  pinned: z.boolean().optional(),
});
export type CreateNoteBody = z.infer<typeof CreateNoteBody>;

export const UpdateNoteBody = CreateNoteBody.partial();
export type UpdateNoteBody = z.infer<typeof UpdateNoteBody>;

export const TagsBody = z.strictObject({ tags: z.array(z.string()) });
export type TagsBody = z.infer<typeof TagsBody>;

export const TaskSearchBody = z.strictObject({
  contactId: z.array(z.string()).optional(),
  completed: z.boolean().optional(),
  assignedTo: z.array(z.string()).optional(),
  query: z.string().optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  skip: z.number().int().min(0).optional(),
  businessId: z.string().optional(),
});
export type TaskSearchBody = z.infer<typeof TaskSearchBody>;

const SORT_FIELDS = [
  'dateAdded',
  'dateUpdated',
  'firstName',
  'lastName',
  'email',
  'id',
  'firstNameLowerCase',
  'lastNameLowerCase',
  'fullNameLowerCase',
  'companyName',
] as const;

export const SearchBody = z
  .strictObject({
    locationId: z.string().min(1),
    pageLimit: z.number().int().min(1).max(500),
    page: z.number().int().min(1).optional(),
    searchAfter: z
      .array(z.union([z.string(), z.number()]))
      .min(1)
      .optional(),
    filters: z.array(z.unknown()).optional(),
    sort: z
      .array(z.strictObject({ field: z.enum(SORT_FIELDS), direction: z.enum(['asc', 'desc']) }))
      .max(2)
      .optional(),
    query: z.string().max(75).optional(),
  })
  .refine((body) => body.page === undefined || body.searchAfter === undefined, {
    message: 'page and searchAfter cannot be used together',
    path: ['searchAfter'],
  });
export type SearchBody = z.infer<typeof SearchBody>;

export const OAuthTokenForm = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  grant_type: z.enum(['authorization_code', 'refresh_token', 'client_credentials']),
  code: z.string().optional(),
  refresh_token: z.string().optional(),
  user_type: z.enum(['Company', 'Location']).optional(),
  redirect_uri: z.string().optional(),
});
export type OAuthTokenForm = z.infer<typeof OAuthTokenForm>;

export const LocationTokenForm = z.object({ companyId: z.string().min(1), locationId: z.string().min(1) });
export type LocationTokenForm = z.infer<typeof LocationTokenForm>;

const TYPE_SENTENCES: Record<string, string> = {
  string: 'must be a string',
  number: 'must be a number conforming to the specified constraints',
  int: 'must be an integer number',
  boolean: 'must be a boolean value',
  array: 'must be an array',
  object: 'must be an object',
};

/** One class-validator style sentence per zod issue. */
export function issueMessages(issues: readonly z.core.$ZodIssue[]): string[] {
  const messages: string[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    const subject = path === '' ? 'body' : path;
    switch (issue.code) {
      case 'invalid_type':
        if (issue.input === undefined) messages.push(`${subject} should not be empty`);
        messages.push(`${subject} ${TYPE_SENTENCES[issue.expected] ?? `must be a ${issue.expected}`}`);
        break;
      case 'too_big':
        messages.push(
          issue.origin === 'string'
            ? `${subject} must be shorter than or equal to ${String(issue.maximum)} characters`
            : issue.origin === 'array'
              ? `${subject} must contain no more than ${String(issue.maximum)} elements`
              : `${subject} must not be greater than ${String(issue.maximum)}`,
        );
        break;
      case 'too_small':
        messages.push(
          issue.origin === 'string'
            ? `${subject} should not be empty`
            : issue.origin === 'array'
              ? `${subject} must contain at least ${String(issue.minimum)} elements`
              : `${subject} must not be less than ${String(issue.minimum)}`,
        );
        break;
      case 'invalid_value':
        messages.push(`${subject} must be one of the following values: ${issue.values.map(String).join(', ')}`);
        break;
      case 'unrecognized_keys':
        for (const key of issue.keys) messages.push(`property ${path === '' ? '' : `${path}.`}${key} should not exist`);
        break;
      default:
        messages.push(issue.message.startsWith('must') ? `${subject} ${issue.message}` : issue.message);
    }
  }
  return messages;
}

/** Parses a request body or throws GHL's 422. */
export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  const result = schema.safeParse(body ?? {}, { reportInput: true });
  if (!result.success) throw unprocessable(issueMessages(result.error.issues));
  return result.data;
}
