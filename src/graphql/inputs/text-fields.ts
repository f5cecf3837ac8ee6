/**
 * Building blocks of the input schemas: trimmed text with a length limit, ids, ISO date-times,
 * e-mail addresses, and E.164 phone numbers (libphonenumber-js, with the configured default
 * country for numbers written without +country).
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { INPUT_LIMITS } from './input-limits.js';

/** Trimmed; empty after trimming is refused (use null to clear a field). */
export function requiredText(max: number) {
  return z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
}

/** Optional and nullable: undefined leaves the field alone, null clears it. */
export function optionalText(max: number) {
  return requiredText(max).nullish();
}

export const IdSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(INPUT_LIMITS.id, `must be at most ${INPUT_LIMITS.id} characters`);

/** ISO-8601 date-time with an offset or Z, as GHL stores due dates; normalised to UTC. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
export const IsoDateTimeSchema = z
  .string()
  .trim()
  .refine(
    (value) => ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)),
    'must be an ISO-8601 date-time with an offset, e.g. 2026-01-31T09:30:00Z',
  )
  .transform((value) => new Date(value).toISOString());

/** Lowercased: HighLevel stores and matches e-mails lowercased. */
export const EmailSchema = z
  .string()
  .trim()
  .max(INPUT_LIMITS.email, `must be at most ${INPUT_LIMITS.email} characters`)
  .pipe(z.email('must be an e-mail address, e.g. ada@example.com'))
  .transform((value) => value.toLowerCase());

export function phoneSchema(defaultCountry: CountryCode) {
  return z
    .string()
    .trim()
    .transform((value, context) => {
      const parsed = parsePhoneNumberFromString(value, defaultCountry);
      if (!parsed?.isValid()) {
        context.addIssue({
          code: 'custom',
          message: `is not a phone number that can be written as E.164 (numbers without +country are read as ${defaultCountry})`,
        });
        return z.NEVER;
      }
      return parsed.number;
    });
}

const KNOWN_TIME_ZONES = new Set(Intl.supportedValuesOf('timeZone'));

export const TimeZoneSchema = z
  .string()
  .trim()
  .refine((value) => KNOWN_TIME_ZONES.has(value) || value === 'UTC', 'must be an IANA time zone, e.g. America/Chicago');

export const WebsiteSchema = z
  .string()
  .trim()
  .max(INPUT_LIMITS.website, `must be at most ${INPUT_LIMITS.website} characters`)
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://example.com' }));

export const CountrySchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code, e.g. US')
  .transform((value) => value.toUpperCase());

/** One tag: trimmed, non-empty. GHL lowercases tags itself, so case is left alone here. */
const TagSchema = requiredText(INPUT_LIMITS.tag);

export const TagListSchema = z
  .array(TagSchema)
  .max(INPUT_LIMITS.tagsPerCall, `at most ${INPUT_LIMITS.tagsPerCall} tags`);
