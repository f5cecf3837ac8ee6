/**
 * Forward cursor paging shared by the list methods: `first` items after the opaque `after`
 * cursor, Relay-style, so the GraphQL layer maps a Page to a connection without translation.
 */
export interface Page<T> {
  items: T[];
  endCursor: string | null;
  hasNextPage: boolean;
}

const MAX_PAGE_SIZE = 500;

export function clampPageSize(first: number): number {
  if (!Number.isFinite(first) || first < 1) return 1;
  return Math.min(Math.floor(first), MAX_PAGE_SIZE);
}

export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(`"${cursor.slice(0, 40)}" is not a cursor this list returned; page again from the start`);
    this.name = 'InvalidCursorError';
  }
}

/** Integer-id cursors: the id as decimal text; no cursor means from the start. */
export function decodeIdCursor(after: string | null | undefined): number {
  if (after === null || after === undefined || after === '') return 0;
  if (!/^\d{1,15}$/.test(after)) throw new InvalidCursorError(after);
  return Number(after);
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says there is a next page. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (item: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, endCursor: last === undefined ? null : cursorOf(last), hasNextPage: rows.length > limit };
}
