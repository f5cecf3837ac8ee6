/**
 * Opaque connection cursors: base64url JSON that the client hands back untouched. A cursor is a
 * position (how many results lie before the next page) plus, for contact search, the
 * `searchAfter` key GHL returned with that edge. Hiding both behind one string lets us page
 * with `page` numbers while they work and switch to `searchAfter` past GHL's 10,000-result
 * page limit without the client noticing.
 */
import { z } from 'zod';
import { userInputError } from './errors.js';

export const SearchCursor = z.object({
  k: z.literal('search'),
  /** Results before the next page (the 1-based index of the edge the cursor belongs to). */
  n: z.number().int().min(1),
  /** GHL's searchAfter of that edge; null when GHL sent none. */
  sa: z.array(z.union([z.string(), z.number()])).nullable(),
});
export type SearchCursor = z.infer<typeof SearchCursor>;

export const OffsetCursor = z.object({
  k: z.literal('offset'),
  n: z.number().int().min(1),
});
export type OffsetCursor = z.infer<typeof OffsetCursor>;

const AnyCursor = z.discriminatedUnion('k', [SearchCursor, OffsetCursor]);
type AnyCursor = z.infer<typeof AnyCursor>;

export function encodeCursor(cursor: AnyCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decode(cursor: string): AnyCursor {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw userInputError('`after` is not a cursor this API issued', { argumentName: 'after' });
  }
  const parsed = AnyCursor.safeParse(json);
  if (!parsed.success) throw userInputError('`after` is not a cursor this API issued', { argumentName: 'after' });
  return parsed.data;
}

export function decodeSearchCursor(cursor: string): SearchCursor {
  const decoded = decode(cursor);
  if (decoded.k !== 'search')
    throw userInputError('`after` is a cursor of another connection (contactsByBusiness)', { argumentName: 'after' });
  return decoded;
}

export function decodeOffsetCursor(cursor: string): OffsetCursor {
  const decoded = decode(cursor);
  if (decoded.k !== 'offset')
    throw userInputError('`after` is a cursor of another connection (contacts)', { argumentName: 'after' });
  return decoded;
}
