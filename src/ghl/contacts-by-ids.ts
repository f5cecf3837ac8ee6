/**
 * Many contacts by id in few calls (for the contact DataLoader): POST /contacts/search with an OR
 * group of `id eq` filters, paged. GHL documents no cap on the number of filters in a group, so
 * ids go in chunks of `chunkSize` (default 100) to keep each request body modest; each chunk is
 * paged until it is exhausted. Works over any GhlApi (the real client or a fake).
 */
import type { Contact } from '../domain/types.js';
import type { CallOptions, GhlApi } from './ghl-api.js';

const CONTACTS_BY_IDS_CHUNK = 100;

/**
 * The contacts found, by id. Ids GHL does not know are simply absent (the loader turns them into
 * per-key errors); duplicates in `ids` are fetched once.
 */
export async function getContactsByIds(
  api: Pick<GhlApi, 'iterateSearch'>,
  locationId: string,
  ids: readonly string[],
  options?: CallOptions & { chunkSize?: number },
): Promise<Map<string, Contact>> {
  const chunkSize = options?.chunkSize ?? CONTACTS_BY_IDS_CHUNK;
  const unique = [...new Set(ids)];
  const found = new Map<string, Contact>();
  for (let start = 0; start < unique.length; start += chunkSize) {
    const chunk = unique.slice(start, start + chunkSize);
    const wanted = new Set(chunk);
    const request = {
      pageLimit: Math.min(chunk.length, 500),
      filters: [
        { group: 'OR' as const, filters: chunk.map((id) => ({ field: 'id', operator: 'eq' as const, value: id })) },
      ],
    };
    for await (const hit of api.iterateSearch(locationId, request, options)) {
      // Guard against a search that matches more loosely than asked.
      if (wanted.has(hit.contact.id)) found.set(hit.contact.id, hit.contact);
    }
  }
  return found;
}
