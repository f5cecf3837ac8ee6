/**
 * Contact inputs of createContact / updateContact / upsertContact → the HighLevel write body
 * (ContactWrite). Undefined leaves a field alone, null clears it; the nested address flattens to
 * GHL's address1/city/…; custom fields become GHL's `{id, field_value}`.
 */
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import type { ContactWrite } from '../../ghl/ghl-api.js';
import { CustomFieldValueSchema } from './custom-field-value.js';
import { INPUT_LIMITS } from './input-limits.js';
import {
  CountrySchema,
  EmailSchema,
  IdSchema,
  optionalText,
  phoneSchema,
  TagListSchema,
  TimeZoneSchema,
  WebsiteSchema,
} from './text-fields.js';

const AddressInputSchema = z.object({
  line1: optionalText(INPUT_LIMITS.addressLine),
  city: optionalText(INPUT_LIMITS.city),
  state: optionalText(INPUT_LIMITS.state),
  postalCode: optionalText(INPUT_LIMITS.postalCode),
  country: CountrySchema.nullish(),
});

const CustomFieldInputSchema = z.object({ id: IdSchema, value: CustomFieldValueSchema });

function contactFields(defaultCountry: CountryCode) {
  return z.object({
    firstName: optionalText(INPUT_LIMITS.personName),
    lastName: optionalText(INPUT_LIMITS.personName),
    name: optionalText(INPUT_LIMITS.fullName),
    email: EmailSchema.nullish(),
    phone: phoneSchema(defaultCountry).nullish(),
    companyName: optionalText(INPUT_LIMITS.companyName),
    address: AddressInputSchema.nullish(),
    website: WebsiteSchema.nullish(),
    timezone: TimeZoneSchema.nullish(),
    tags: TagListSchema.nullish(),
    source: optionalText(INPUT_LIMITS.source),
    dnd: z.boolean().nullish(),
    assignedTo: IdSchema.nullish(),
    customFields: z
      .array(CustomFieldInputSchema)
      .max(INPUT_LIMITS.customFields, `at most ${INPUT_LIMITS.customFields} custom fields`)
      .nullish(),
  });
}

type ContactFields = z.output<ReturnType<typeof contactFields>>;

function toContactWrite(fields: ContactFields): ContactWrite {
  const write: ContactWrite = {};
  const copy = <K extends keyof ContactWrite>(key: K, value: ContactWrite[K] | undefined) => {
    if (value !== undefined) write[key] = value;
  };
  copy('firstName', fields.firstName);
  copy('lastName', fields.lastName);
  copy('name', fields.name);
  copy('email', fields.email);
  copy('phone', fields.phone);
  copy('companyName', fields.companyName);
  copy('website', fields.website);
  copy('timezone', fields.timezone);
  copy('source', fields.source);
  copy('assignedTo', fields.assignedTo);
  // GHL takes no null for these: null means "empty list" / "off".
  if (fields.tags !== undefined) write.tags = fields.tags ?? [];
  if (fields.dnd !== undefined) write.dnd = fields.dnd ?? false;
  if (fields.customFields !== undefined)
    write.customFields = (fields.customFields ?? []).map((field) => ({
      id: field.id,
      field_value: field.value ?? null,
    }));
  if (fields.address !== undefined) {
    const address = fields.address;
    if (address === null) {
      Object.assign(write, { address1: null, city: null, state: null, postalCode: null, country: null });
    } else {
      copy('address1', address.line1);
      copy('city', address.city);
      copy('state', address.state);
      copy('postalCode', address.postalCode);
      copy('country', address.country);
    }
  }
  return write;
}

const IDENTIFYING = ['email', 'phone', 'firstName', 'lastName', 'name'] as const;

/** A new contact needs something to know it by. */
export function createContactInputSchema(defaultCountry: CountryCode) {
  return contactFields(defaultCountry)
    .superRefine((fields, context) => {
      if (IDENTIFYING.every((key) => fields[key] === undefined || fields[key] === null)) {
        context.addIssue({
          code: 'custom',
          path: ['email'],
          message: 'a new contact needs at least one of email, phone, firstName, lastName or name',
        });
      }
    })
    .transform(toContactWrite);
}

export function updateContactInputSchema(defaultCountry: CountryCode) {
  return contactFields(defaultCountry)
    .superRefine((fields, context) => {
      if (Object.values(fields).every((value) => value === undefined))
        context.addIssue({ code: 'custom', path: [], message: 'name at least one field to change' });
    })
    .transform(toContactWrite);
}

/** Upsert matches on email or phone, so it needs one of them. */
export function upsertContactInputSchema(defaultCountry: CountryCode) {
  return contactFields(defaultCountry)
    .superRefine((fields, context) => {
      if ((fields.email ?? null) === null && (fields.phone ?? null) === null) {
        context.addIssue({
          code: 'custom',
          path: ['email'],
          message: 'an upsert matches on email or phone: give at least one',
        });
      }
    })
    .transform(toContactWrite);
}
