/**
 * The mapping transforms, each one way to Roofr (`forward`) and, where it means something, the way
 * back (`reverse`). Values come in and go out as lists so that join (n → 1) and split (1 → n)
 * share one signature. Pure: no I/O, no clock.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Transform } from './mapping-schema.js';

export interface TransformContext {
  defaultCountry: CountryCode;
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined;
}

function text(value: unknown): string | null {
  if (isEmpty(value)) return null;
  return typeof value === 'string' ? value : String(value);
}

/** E.164 when parseable, else the input unchanged: a wrong-looking number is still the customer's. */
function toE164(value: unknown, country: CountryCode): unknown {
  const raw = text(value);
  if (raw === null || raw.trim() === '') return value ?? null;
  const parsed = parsePhoneNumberFromString(raw, country);
  return parsed?.isValid() ? parsed.number : raw;
}

function splitParts(value: unknown, separator: string, count: number): Array<string | null> {
  const raw = text(value);
  if (raw === null || raw === '') return Array.from({ length: count }, (_, index) => (index === 0 ? raw : null));
  const tokens = raw.split(separator);
  const head = tokens.slice(0, count - 1);
  const tail = tokens.slice(count - 1).join(separator);
  const parts: Array<string | null> = [...head, tokens.length >= count ? tail : null];
  while (parts.length < count) parts.push(null);
  return parts.slice(0, count).map((part) => (part === '' ? null : part));
}

function joinParts(values: unknown[], separator: string): string | null {
  const parts = values.map(text).filter((part): part is string => part !== null && part !== '');
  return parts.length === 0 ? null : parts.join(separator);
}

function mapValue(transform: Extract<Transform, { type: 'map' }>, value: unknown, from: 'ghl' | 'roofr'): unknown {
  const to = from === 'ghl' ? 'roofr' : 'ghl';
  const pair = transform.values.find((candidate) => candidate[from] === value);
  if (pair) return pair[to];
  return transform.fallback === 'keep' ? (value ?? null) : null;
}

/** GHL values (one per ghl path) → Roofr values (one per roofr path). */
export function forward(
  transform: Transform | undefined,
  values: unknown[],
  roofrCount: number,
  context: TransformContext,
): unknown[] {
  const [first] = values;
  switch (transform?.type) {
    case undefined:
      return [first ?? null];
    case 'lowercase':
      return [typeof first === 'string' ? first.toLowerCase() : (first ?? null)];
    case 'trim':
      return [typeof first === 'string' ? first.trim() : (first ?? null)];
    case 'e164':
      return [toE164(first, (transform.default_country as CountryCode | undefined) ?? context.defaultCountry)];
    case 'join':
      return [joinParts(values, transform.separator)];
    case 'split':
      return splitParts(first, transform.separator, roofrCount);
    case 'map':
      return [mapValue(transform, first, 'ghl')];
    case 'list':
      return [Array.isArray(first) ? first : isEmpty(first) ? [] : [first]];
    case 'prefix':
      return [isEmpty(first) ? null : `${transform.value}${text(first) ?? ''}`];
    case 'tags': {
      const excluded = new Set(transform.exclude.map((tag) => tag.toLowerCase()));
      const tags = Array.isArray(first) ? first.filter((tag): tag is string => typeof tag === 'string') : [];
      return [tags.filter((tag) => !excluded.has(tag.toLowerCase()))];
    }
    case 'constant':
      return [transform.value];
  }
}

/** Roofr values (one per roofr path) → GHL values (one per ghl path). */
export function reverse(transform: Transform | undefined, values: unknown[], ghlCount: number): unknown[] {
  const [first] = values;
  switch (transform?.type) {
    case undefined:
    case 'e164':
    case 'tags':
      return [first ?? null];
    case 'lowercase':
      return [typeof first === 'string' ? first.toLowerCase() : (first ?? null)];
    case 'trim':
      return [typeof first === 'string' ? first.trim() : (first ?? null)];
    case 'join':
      return splitParts(first, transform.separator, ghlCount);
    case 'split':
      return [joinParts(values, transform.separator)];
    case 'map':
      return [mapValue(transform, first, 'roofr')];
    case 'list':
      return [Array.isArray(first) ? (first[0] ?? null) : (first ?? null)];
    case 'prefix': {
      const raw = text(first);
      return [raw !== null && raw.startsWith(transform.value) ? raw.slice(transform.value.length) : raw];
    }
    case 'constant':
      return [];
  }
}
