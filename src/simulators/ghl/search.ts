/**
 * POST /contacts/search semantics: filters (leaf or AND/OR group), free-text query, up to two
 * sort fields with `id` as the final tie-break, and searchAfter cursors. A total order is what
 * makes searchAfter paging miss or repeat nothing. Sorted results are cached per location
 * until the next write (the version check), so paging 100,000 contacts sorts once.
 */
import type { ContactRecord } from './model.js';
import { contactName } from './views.js';
import { unprocessable } from './errors.js';
import { normalizePhone } from './phone.js';
import type { SimStore } from './store.js';

type Predicate = (contact: ContactRecord) => boolean;
export type SortValue = string | number;
export interface SortSpec {
  field: string;
  direction: 'asc' | 'desc';
}

type FieldKind = 'text' | 'exact' | 'phone' | 'date' | 'tags' | 'bool';
interface FieldSpec {
  kind: FieldKind;
  get: (contact: ContactRecord) => string | number | boolean | string[] | undefined;
}

const lower = (value: string | undefined): string | undefined => value?.toLowerCase();

const FILTER_FIELDS: Record<string, FieldSpec> = {
  id: { kind: 'exact', get: (c) => c.id },
  businessId: { kind: 'exact', get: (c) => c.businessId },
  assignedTo: { kind: 'exact', get: (c) => c.assignedTo },
  email: { kind: 'text', get: (c) => lower(c.email) },
  phone: { kind: 'phone', get: (c) => c.phone },
  tags: { kind: 'tags', get: (c) => c.tags },
  firstName: { kind: 'text', get: (c) => lower(c.firstName) },
  firstNameLowerCase: { kind: 'text', get: (c) => lower(c.firstName) },
  lastName: { kind: 'text', get: (c) => lower(c.lastName) },
  lastNameLowerCase: { kind: 'text', get: (c) => lower(c.lastName) },
  name: { kind: 'text', get: (c) => lower(contactName(c)) },
  fullNameLowerCase: { kind: 'text', get: (c) => lower(contactName(c)) },
  companyName: { kind: 'text', get: (c) => lower(c.companyName) },
  address1: { kind: 'text', get: (c) => lower(c.address1) },
  city: { kind: 'text', get: (c) => lower(c.city) },
  state: { kind: 'text', get: (c) => lower(c.state) },
  postalCode: { kind: 'text', get: (c) => lower(c.postalCode) },
  country: { kind: 'text', get: (c) => lower(c.country) },
  source: { kind: 'text', get: (c) => lower(c.source) },
  type: { kind: 'text', get: (c) => lower(c.type) },
  timezone: { kind: 'text', get: (c) => lower(c.timezone) },
  website: { kind: 'text', get: (c) => lower(c.website) },
  dnd: { kind: 'bool', get: (c) => c.dnd },
  dateAdded: { kind: 'date', get: (c) => c.dateAdded },
  dateUpdated: { kind: 'date', get: (c) => c.dateUpdated },
};

const FILTER_OPERATORS = ['eq', 'not_eq', 'contains', 'not_contains', 'exists', 'not_exists', 'range'] as const;
type Operator = (typeof FILTER_OPERATORS)[number];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Filter values as the field compares them: dates as epoch ms, text lowercased, phones E.164. */
function normaliseValue(
  kind: FieldKind,
  value: unknown,
  path: string,
  problems: string[],
): string | number | boolean | undefined {
  if (kind === 'date') {
    const epoch = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(epoch)) problems.push(`${path} must be a date (ISO 8601 string or epoch milliseconds)`);
    return epoch;
  }
  if (kind === 'bool') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    problems.push(`${path} must be a boolean value`);
    return undefined;
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    problems.push(`${path} must be a string`);
    return undefined;
  }
  const text = String(value);
  if (kind === 'phone') return normalizePhone(text);
  return kind === 'exact' ? text : text.toLowerCase();
}

function compileLeaf(filter: Record<string, unknown>, path: string, problems: string[]): Predicate {
  const field = filter.field;
  const operator = filter.operator;
  const spec = typeof field === 'string' ? FILTER_FIELDS[field] : undefined;
  if (typeof field !== 'string' || spec === undefined) {
    problems.push(`${path}.field must be one of the following values: ${Object.keys(FILTER_FIELDS).join(', ')}`);
  }
  if (typeof operator !== 'string' || !(FILTER_OPERATORS as readonly string[]).includes(operator)) {
    problems.push(`${path}.operator must be one of the following values: ${FILTER_OPERATORS.join(', ')}`);
  }
  for (const key of Object.keys(filter)) {
    if (key !== 'field' && key !== 'operator' && key !== 'value')
      problems.push(`property ${path}.${key} should not exist`);
  }
  if (spec === undefined || typeof operator !== 'string' || !(FILTER_OPERATORS as readonly string[]).includes(operator))
    return () => false;
  return compileOperator(spec, operator as Operator, filter.value, `${path}.value`, problems);
}

function compileOperator(
  spec: FieldSpec,
  operator: Operator,
  value: unknown,
  path: string,
  problems: string[],
): Predicate {
  const present = (contact: ContactRecord): boolean => {
    const actual = spec.get(contact);
    return Array.isArray(actual) ? actual.length > 0 : actual !== undefined && actual !== '';
  };
  if (operator === 'exists') return present;
  if (operator === 'not_exists') return (contact) => !present(contact);
  if (value === undefined || value === null) {
    problems.push(`${path} should not be empty`);
    return () => false;
  }
  if (operator === 'range') {
    if (!isRecord(value) || !['gte', 'lte', 'gt', 'lt'].some((bound) => value[bound] !== undefined)) {
      problems.push(`${path} must be an object with at least one of gte, lte, gt, lt`);
      return () => false;
    }
    const bound = (name: string): string | number | boolean | undefined =>
      value[name] === undefined ? undefined : normaliseValue(spec.kind, value[name], `${path}.${name}`, problems);
    const gte = bound('gte');
    const lte = bound('lte');
    const gt = bound('gt');
    const lt = bound('lt');
    return (contact) => {
      const actual = spec.get(contact);
      if (actual === undefined || Array.isArray(actual)) return false;
      return (
        (gte === undefined || actual >= gte) &&
        (lte === undefined || actual <= lte) &&
        (gt === undefined || actual > gt) &&
        (lt === undefined || actual < lt)
      );
    };
  }
  const wanted = (Array.isArray(value) ? value : [value]).map((item, index) =>
    normaliseValue(spec.kind, item, Array.isArray(value) ? `${path}.${index}` : path, problems),
  );
  if (operator === 'eq' || operator === 'not_eq') {
    const matches = (contact: ContactRecord): boolean => {
      const actual = spec.get(contact);
      if (Array.isArray(actual))
        return wanted.some((item) => typeof item === 'string' && actual.includes(item.toLowerCase()));
      if (spec.kind === 'date' && typeof actual === 'number') {
        // A date equals when it falls on the same millisecond or, for a date-only value, the same UTC day.
        return wanted.some(
          (item) =>
            typeof item === 'number' &&
            (actual === item || (item % 86_400_000 === 0 && actual - item >= 0 && actual - item < 86_400_000)),
        );
      }
      return wanted.includes(actual as string | number | boolean);
    };
    return operator === 'eq' ? matches : (contact) => !matches(contact);
  }
  const needles = wanted.filter((item): item is string => typeof item === 'string').map((item) => item.toLowerCase());
  const contains = (contact: ContactRecord): boolean => {
    const actual = spec.get(contact);
    if (Array.isArray(actual)) return actual.some((tag) => needles.some((needle) => tag.includes(needle)));
    if (typeof actual !== 'string') return false;
    const haystack = actual.toLowerCase();
    return needles.some((needle) => haystack.includes(needle));
  };
  return operator === 'contains' ? contains : (contact) => !contains(contact);
}

function compileNode(node: unknown, path: string, problems: string[]): Predicate {
  if (!isRecord(node)) {
    problems.push(`${path} must be an object`);
    return () => false;
  }
  if ('group' in node || 'filters' in node) {
    const group = node.group;
    if (group !== 'AND' && group !== 'OR') problems.push(`${path}.group must be one of the following values: AND, OR`);
    if (!Array.isArray(node.filters) || node.filters.length === 0) {
      problems.push(`${path}.filters must be a non-empty array`);
      return () => false;
    }
    const children = node.filters.map((child, index) => compileNode(child, `${path}.filters.${index}`, problems));
    return group === 'OR'
      ? (contact) => children.some((child) => child(contact))
      : (contact) => children.every((child) => child(contact));
  }
  return compileLeaf(node, path, problems);
}

/** Top-level filters are ANDed, as in GHL. Throws 422 listing every problem. */
function compileFilters(filters: readonly unknown[] | undefined): Predicate | null {
  if (filters === undefined || filters.length === 0) return null;
  const problems: string[] = [];
  const predicates = filters.map((filter, index) => compileNode(filter, `filters.${index}`, problems));
  if (problems.length > 0) throw unprocessable(problems);
  return (contact) => predicates.every((predicate) => predicate(contact));
}

/** Free text over name, email, phone and company, as the GHL contact search box does. */
function compileQuery(query: string | undefined): Predicate | null {
  const needle = query?.trim().toLowerCase();
  if (!needle) return null;
  const digits = needle.replace(/\D/g, '');
  return (contact) =>
    (contactName(contact)?.toLowerCase().includes(needle) ?? false) ||
    (contact.email?.toLowerCase().includes(needle) ?? false) ||
    (contact.companyName?.toLowerCase().includes(needle) ?? false) ||
    (digits.length >= 3 && (contact.phone?.includes(digits) ?? false));
}

const SORT_GETTERS: Record<string, (contact: ContactRecord) => SortValue> = {
  dateAdded: (c) => c.dateAdded,
  dateUpdated: (c) => c.dateUpdated,
  firstName: (c) => c.firstName?.toLowerCase() ?? '',
  firstNameLowerCase: (c) => c.firstName?.toLowerCase() ?? '',
  lastName: (c) => c.lastName?.toLowerCase() ?? '',
  lastNameLowerCase: (c) => c.lastName?.toLowerCase() ?? '',
  fullNameLowerCase: (c) => contactName(c)?.toLowerCase() ?? '',
  companyName: (c) => c.companyName?.toLowerCase() ?? '',
  email: (c) => c.email?.toLowerCase() ?? '',
  id: (c) => c.id,
};

/**
 * Matching contacts in sort order. Sort values live in columns (typed arrays for dates) rather
 * than one key array per contact: sorting 100,000 contacts then allocates almost nothing.
 */
interface SortedView {
  records: ContactRecord[];
  columns: Array<Float64Array | string[]>;
  /** One per column, then 1 for the id tie-break. */
  directions: Array<1 | -1>;
}

/** The searchAfter cursor of records[index]: its sort values followed by its id. */
export function keyAt(view: SortedView, index: number): SortValue[] {
  const key: SortValue[] = view.columns.map((column) => column[index] ?? '');
  key.push(view.records[index]?.id ?? '');
  return key;
}

function compareValues(left: SortValue, right: SortValue): number {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  const a = String(left);
  const b = String(right);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares records[index] of a view with a cursor. */
function compareWithCursor(view: SortedView, index: number, cursor: readonly SortValue[]): number {
  for (let column = 0; column < view.columns.length; column += 1) {
    const value = view.columns[column]?.[index];
    const wanted = cursor[column];
    if (value === undefined || wanted === undefined) return 0;
    const order = compareValues(value, wanted) * (view.directions[column] ?? 1);
    if (order !== 0) return order;
  }
  const id = view.records[index]?.id ?? '';
  const wantedId = cursor[view.columns.length];
  return wantedId === undefined ? 0 : compareValues(id, wantedId);
}

function sortColumnsInto(records: ContactRecord[], sort: readonly SortSpec[]): SortedView {
  const count = records.length;
  const specs = sort.map((spec) => {
    const getter = SORT_GETTERS[spec.field];
    if (!getter)
      throw unprocessable([`sort.field must be one of the following values: ${Object.keys(SORT_GETTERS).join(', ')}`]);
    const numeric = spec.field === 'dateAdded' || spec.field === 'dateUpdated';
    const column: Float64Array | string[] = numeric ? new Float64Array(count) : new Array<string>(count);
    for (let index = 0; index < count; index += 1) column[index] = getter(records[index] as ContactRecord) as never;
    return { column, direction: (spec.direction === 'desc' ? -1 : 1) as 1 | -1, numeric };
  });
  const ids = records.map((record) => record.id);
  const order = Array.from({ length: count }, (_, index) => index);
  order.sort((left, right) => {
    for (const spec of specs) {
      const a = spec.column[left] as SortValue;
      const b = spec.column[right] as SortValue;
      const difference = spec.numeric ? (a as number) - (b as number) : a < b ? -1 : a > b ? 1 : 0;
      if (difference !== 0) return difference * spec.direction;
    }
    const a = ids[left] as string;
    const b = ids[right] as string;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return {
    records: order.map((index) => records[index] as ContactRecord),
    columns: specs.map((spec) => {
      if (spec.column instanceof Float64Array) {
        const sorted = new Float64Array(count);
        for (let index = 0; index < count; index += 1) sorted[index] = spec.column[order[index] as number] as number;
        return sorted;
      }
      const source = spec.column;
      return order.map((index) => source[index] as string);
    }),
    directions: [...specs.map((spec) => spec.direction), 1],
  };
}

interface ViewRequest {
  filters?: readonly unknown[];
  query?: string;
  sort: readonly SortSpec[];
  /** Extra predicate of the calling route (e.g. the business of GET /contacts/business/{id}). */
  scope?: { key: string; predicate: Predicate };
  /** 'search': the lagging search index (POST /contacts/search); default the live store. */
  source?: 'live' | 'search';
}

const CACHE_LIMIT = 16;
/** Small results are cheap to recompute; caching them would only evict the big ones. */
const CACHE_MIN_SIZE = 200;

export class ContactViews {
  private readonly cache = new Map<string, { stamp: string; view: SortedView }>();

  constructor(private readonly store: SimStore) {}

  sorted(locationId: string, request: ViewRequest): SortedView {
    const source = request.source === 'search' ? this.store.searchable(locationId) : this.store.live(locationId);
    const cacheKey = JSON.stringify([
      locationId,
      request.source ?? 'live',
      request.filters ?? null,
      request.query ?? null,
      request.sort,
      request.scope?.key ?? null,
    ]);
    const cached = this.cache.get(cacheKey);
    if (cached && cached.stamp === source.stamp) {
      this.cache.delete(cacheKey);
      this.cache.set(cacheKey, cached);
      return cached.view;
    }
    const filter = compileFilters(request.filters);
    const query = compileQuery(request.query);
    const scope = request.scope?.predicate;
    const matched: ContactRecord[] = [];
    for (const record of source.records) {
      if ((scope && !scope(record)) || (filter && !filter(record)) || (query && !query(record))) continue;
      matched.push(record);
    }
    const view = sortColumnsInto(matched, request.sort);
    if (view.records.length >= CACHE_MIN_SIZE) {
      this.cache.set(cacheKey, { stamp: source.stamp, view });
      if (this.cache.size > CACHE_LIMIT) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
    }
    return view;
  }
}

/** Index of the first record strictly after the cursor (binary search over the sorted columns). */
export function indexAfter(view: SortedView, cursor: readonly SortValue[]): number {
  let low = 0;
  let high = view.records.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareWithCursor(view, middle, cursor) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
