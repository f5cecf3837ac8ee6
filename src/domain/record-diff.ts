/**
 * Field-level comparison of mapped records: what a write would change in Roofr (the dry run's
 * plan), and where a Roofr record drifted from what the mapping says it should hold (verify).
 * Only the leaves of the expected record are compared, because a write never touches a field
 * the mapping does not own. Values compare as the two systems store them, not byte for byte:
 * null, "" and a missing value are one (Roofr and HighLevel both drop empty strings); lists of
 * scalars compare as sets (neither side keeps the order of tags or assignees); ISO-8601
 * instants compare as instants ("…00Z" and "…00.000Z" are the same due date).
 */
import { contentHash } from './content-hash.js';
import { readDotted, writeDotted } from './mapping/field-paths.js';

export interface FieldChange {
  /** Dotted path in the record, e.g. "address.city". */
  field: string;
  from: unknown;
  to: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every leaf of a record with its dotted path; lists and scalars are leaves, objects are walked. */
export function leafPaths(record: object, prefix = ''): Array<[string, unknown]> {
  const leaves: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(value) && Object.keys(value).length > 0) leaves.push(...leafPaths(value, path));
    else leaves.push([path, value]);
  }
  return leaves;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function isEmpty(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (isPlainObject(value) && Object.keys(value).length === 0)
  );
}

function scalarKey(value: unknown): string {
  if (typeof value === 'string' && ISO_INSTANT.test(value)) {
    const time = Date.parse(value);
    if (!Number.isNaN(time)) return `t:${time}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Equal as stored: see the header for what is blurred. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    const left = [...new Set(a.map(scalarKey))].sort();
    const right = [...new Set(b.map(scalarKey))].sort();
    return left.length === right.length && left.every((key, index) => key === right[index]);
  }
  if (isPlainObject(a) || isPlainObject(b)) return JSON.stringify(a) === JSON.stringify(b);
  return scalarKey(a) === scalarKey(b);
}

/**
 * The fields where `actual` differs from `expected` (over expected's leaves). `actual` null: the
 * record does not exist yet, so every non-empty expected field is a change from null.
 */
export function diffRecord(expected: object, actual: object | null): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [field, to] of leafPaths(expected)) {
    const from = actual === null ? null : (readDotted(actual, field) ?? null);
    if (!sameValue(from, to)) changes.push({ field, from, to });
  }
  return changes;
}

/**
 * `actual`'s values in `expected`'s shape (missing → null): hashed like a mapped record, it says
 * whether Roofr still holds what was last written there (the content hash of that write).
 */
export function projectRecord(expected: object, actual: object): Record<string, unknown> {
  const projected: Record<string, unknown> = {};
  for (const [field] of leafPaths(expected)) writeDotted(projected, field, readDotted(actual, field) ?? null);
  return projected;
}

/** Past this many differing fields the subsets are not searched (2^n hashes). */
const MAX_SEARCHED_FIELDS = 10;

/**
 * Which of `changes` (expected vs actual) the other side made since it was last written: the
 * smallest set R such that `actual`, with R's fields put back to the expected (new) values,
 * hashes to what was last written. The differing fields outside R changed on this side. Null
 * when no set explains it (both sides changed one field, or the mapping changed since) or when
 * too many fields differ to try every set; an empty list when `actual` still hashes as written.
 */
export function changedSinceWritten(
  expected: object,
  actual: object,
  changes: readonly FieldChange[],
  writtenHash: string,
): string[] | null {
  const projected = projectRecord(expected, actual);
  if (contentHash(projected) === writtenHash) return [];
  if (changes.length > MAX_SEARCHED_FIELDS) return null;
  const masks = Array.from({ length: 2 ** changes.length - 1 }, (_, index) => index + 1);
  const size = (mask: number): number => mask.toString(2).replace(/0/g, '').length;
  for (const mask of masks.sort((a, b) => size(a) - size(b) || a - b)) {
    const candidate = structuredClone(projected);
    const fields = changes.filter((_, index) => (mask & (1 << index)) !== 0);
    for (const change of fields) writeDotted(candidate, change.field, change.to);
    if (contentHash(candidate) === writtenHash) return fields.map((change) => change.field);
  }
  return null;
}
