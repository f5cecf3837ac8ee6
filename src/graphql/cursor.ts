/**
 * Opaque connection cursors: base64url JSON that the client hands back untouched. Every cursor
 * is bound to the location it was issued for (`l`, a digest of the location id, so a cursor
 * names no location either): replayed under another location it is refused, whoever holds it.
 *
 * Search and offset cursors are a position (how many results lie before the next page) plus,
 * for contact search, the `searchAfter` key GHL returned with that edge. Hiding both behind one
 * string lets us page with `page` numbers while they work and switch to `searchAfter` past GHL's
 * 10,000-result page limit without the client noticing. Store-backed lists (dead letters, sync
 * runs) wrap the store's own cursor (`c`), which the store reads only within the location's rows.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { userInputError } from './errors.js';

const Bound = z.object({ l: z.string() });

export const SearchCursor = Bound.extend({
  k: z.literal('search'),
  /** Results before the next page (the 1-based index of the edge the cursor belongs to). */
  n: z.number().int().min(1),
  /** GHL's searchAfter of that edge; null when GHL sent none. */
  sa: z.array(z.union([z.string(), z.number()])).nullable(),
});
export type SearchCursor = z.infer<typeof SearchCursor>;

const OffsetCursor = Bound.extend({
  k: z.literal('offset'),
  n: z.number().int().min(1),
});
type OffsetCursor = z.infer<typeof OffsetCursor>;

/** A store list's cursor, wrapped: `c` is what the store's `after` takes. */
const StoreCursor = Bound.extend({ k: z.enum(['dead', 'run']), c: z.string().min(1).max(500) });
type StoreListKind = z.infer<typeof StoreCursor>['k'];

const AnyCursor = z.discriminatedUnion('k', [SearchCursor, OffsetCursor, StoreCursor]);
type AnyCursor = z.infer<typeof AnyCursor>;

type Unbound<T> = T extends unknown ? Omit<T, 'l'> : never;

/** What binds a cursor to a location without spelling the location id out. */
function locationTag(locationId: string): string {
  return createHash('sha256').update(`cursor:${locationId}`).digest('base64url').slice(0, 16);
}

export function encodeCursor(cursor: Unbound<SearchCursor | OffsetCursor>, locationId: string): string {
  return Buffer.from(JSON.stringify({ ...cursor, l: locationTag(locationId) }), 'utf8').toString('base64url');
}

function notIssued(): never {
  throw userInputError('`after` is not a cursor this API issued', { argumentName: 'after' });
}

function decode(cursor: string, locationId: string): AnyCursor {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return notIssued();
  }
  const parsed = AnyCursor.safeParse(json);
  if (!parsed.success) return notIssued();
  if (parsed.data.l !== locationTag(locationId))
    throw userInputError('`after` is a cursor issued for another location: page again from the start', {
      argumentName: 'after',
    });
  return parsed.data;
}

export function decodeSearchCursor(cursor: string, locationId: string): SearchCursor {
  const decoded = decode(cursor, locationId);
  if (decoded.k !== 'search')
    throw userInputError('`after` is a cursor of another connection (contactsByBusiness)', { argumentName: 'after' });
  return decoded;
}

export function decodeOffsetCursor(cursor: string, locationId: string): OffsetCursor {
  const decoded = decode(cursor, locationId);
  if (decoded.k !== 'offset')
    throw userInputError('`after` is a cursor of another connection (contacts)', { argumentName: 'after' });
  return decoded;
}

export function encodeStoreCursor(kind: StoreListKind, storeCursor: string, locationId: string): string {
  return Buffer.from(JSON.stringify({ k: kind, c: storeCursor, l: locationTag(locationId) }), 'utf8').toString(
    'base64url',
  );
}

/** The store's cursor inside an opaque one of this kind and location; BAD_USER_INPUT otherwise. */
export function decodeStoreCursor(kind: StoreListKind, cursor: string, locationId: string): string {
  const decoded = decode(cursor, locationId);
  if (decoded.k !== kind) throw userInputError('`after` is a cursor of another list', { argumentName: 'after' });
  return decoded.c;
}
