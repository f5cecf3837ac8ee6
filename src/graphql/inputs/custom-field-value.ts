/**
 * Custom field values in the shapes HighLevel's custom field types take, checked before any
 * upstream call. The gateway does not know each field's type, so a value must fit one of them:
 *   TEXT, LARGE_TEXT, PHONE, DATE, SINGLE_OPTIONS, RADIO   → text
 *   NUMERICAL, MONETORY                                   → a number (or numeric text)
 *   CHECKBOX, MULTIPLE_OPTIONS                            → a list of texts
 *   TEXTBOX_LIST, FILE_UPLOAD                             → an object (option → text; file → its meta)
 *   any                                                   → null clears the field
 * Bounded in size and depth: a 90,000-character text or a value nested 20,000 deep would
 * otherwise cost an upstream request (or fail serialising it) instead of naming the field.
 * The walk never descends past MAX_DEPTH, so a deep value cannot exhaust the stack here either.
 */
import { z } from 'zod';

const CUSTOM_FIELD_LIMITS = {
  /** LARGE_TEXT holds paragraphs; more than this is not a field value. */
  text: 10_000,
  listItems: 100,
  listItemText: 1_000,
  objectKeys: 50,
  keyLength: 100,
  /** Containers inside containers: a file upload's {fileId: {meta: {…}}} is three. */
  depth: 3,
  /** The whole value as JSON. */
  bytes: 16_384,
} as const;

const FORMS = 'text, a number, a list of texts (checkbox, multiple options) or an object (textbox list, file upload)';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first problem of a value inside an object, or null; `level`: how many containers deep `value` is. */
function nestedProblem(value: unknown, level: number): string | null {
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'string')
    return value.length > CUSTOM_FIELD_LIMITS.text
      ? `texts inside it may have at most ${CUSTOM_FIELD_LIMITS.text.toLocaleString('en-US')} characters`
      : null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'numbers must be finite';
  if (level > CUSTOM_FIELD_LIMITS.depth)
    return `at most ${CUSTOM_FIELD_LIMITS.depth} levels deep (objects and lists inside each other)`;
  if (Array.isArray(value)) {
    if (value.length > CUSTOM_FIELD_LIMITS.listItems)
      return `lists may have at most ${CUSTOM_FIELD_LIMITS.listItems} items`;
    for (const item of value) {
      const problem = nestedProblem(item, level + 1);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length > CUSTOM_FIELD_LIMITS.objectKeys)
      return `objects may have at most ${CUSTOM_FIELD_LIMITS.objectKeys} keys`;
    for (const [key, item] of entries) {
      if (key.length > CUSTOM_FIELD_LIMITS.keyLength)
        return `object keys may have at most ${CUSTOM_FIELD_LIMITS.keyLength} characters`;
      const problem = nestedProblem(item, level + 1);
      if (problem !== null) return problem;
    }
    return null;
  }
  return `must be ${FORMS}`;
}

/** Why `value` is not a custom field value HighLevel takes, or null when it is one. */
function customFieldValueProblem(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string')
    return value.length > CUSTOM_FIELD_LIMITS.text
      ? `text may have at most ${CUSTOM_FIELD_LIMITS.text.toLocaleString('en-US')} characters (got ${value.length.toLocaleString('en-US')})`
      : null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'must be a finite number';
  if (Array.isArray(value)) {
    if (value.length > CUSTOM_FIELD_LIMITS.listItems)
      return `a list may have at most ${CUSTOM_FIELD_LIMITS.listItems} options (got ${value.length})`;
    for (const item of value) {
      if (Array.isArray(item) || isPlainObject(item))
        return 'a list holds texts or numbers (checkbox, multiple options), not lists or objects';
      if (typeof item === 'string' && item.length > CUSTOM_FIELD_LIMITS.listItemText)
        return `list items may have at most ${CUSTOM_FIELD_LIMITS.listItemText} characters`;
      if (typeof item !== 'string' && !(typeof item === 'number' && Number.isFinite(item)))
        return 'a list holds texts or numbers (checkbox, multiple options)';
    }
    return null;
  }
  if (isPlainObject(value)) {
    const problem = nestedProblem(value, 1);
    if (problem !== null) return `an object value is wrong: ${problem}`;
    // Bounded by the checks above (≤ 50 keys × 3 levels of ≤ 10,000 characters), so this cannot run away.
    if (Buffer.byteLength(JSON.stringify(value)) > CUSTOM_FIELD_LIMITS.bytes)
      return `an object value may take at most ${CUSTOM_FIELD_LIMITS.bytes.toLocaleString('en-US')} bytes as JSON`;
    return null;
  }
  return `must be ${FORMS}, or null to clear it`;
}

export const CustomFieldValueSchema = z.unknown().superRefine((value, context) => {
  const problem = customFieldValueProblem(value);
  if (problem !== null) context.addIssue({ code: 'custom', message: problem });
});
