/**
 * Every shared-cache key, built in this one file. Each key starts with the layout version and
 * the location, so one location's data can never be read under another location's key:
 *
 *   v1:loc:<locationId>:<entity>:<id…>
 *
 * Every segment is URI-encoded, so an id holding ':' cannot forge another location's or
 * entity's key. Bump KEY_LAYOUT when a cached value's shape changes incompatibly: replicas of
 * the old and new version then share Redis without reading each other's values.
 *
 * Searches and paged lists carry the location's search generation (see search-generation.ts):
 * invalidating a contact changes the generation, which drops them all at once.
 */

import { CONTACT_LISTS, type ContactListCacheEntity } from '../entities/contact-lists.js';

const KEY_LAYOUT = 'v1';

/** The entity names keys carry; they are also the TTL kinds and the metrics' entity label. */
const CACHE_ENTITIES = [
  'contact',
  'task',
  'note',
  // One per per-contact list (src/entities/contact-lists.ts): tasksOfContact, notesOfContact…
  ...CONTACT_LISTS.map((list) => list.cacheEntity),
  'search',
  'contactList',
  'businessList',
  'searchGeneration',
] as const;
export type CacheEntity =
  'contact' | 'task' | 'note' | ContactListCacheEntity | 'search' | 'contactList' | 'businessList' | 'searchGeneration';

function build(locationId: string, entity: CacheEntity, ...ids: string[]): string {
  if (locationId === '')
    throw new Error('A cache key needs a location id: every cached value is scoped to one location');
  // Built for every cached read of every request: plain concatenation, no intermediate arrays.
  let key = `${KEY_LAYOUT}:loc:${encodeURIComponent(locationId)}:${entity}`;
  for (const id of ids) key += `:${encodeURIComponent(id)}`;
  return key;
}

export const cacheKeys = {
  contact: (locationId: string, contactId: string) => build(locationId, 'contact', contactId),
  /** A task by id; GHL task ids are unique within a location. */
  task: (locationId: string, taskId: string) => build(locationId, 'task', taskId),
  note: (locationId: string, noteId: string) => build(locationId, 'note', noteId),
  /** One contact's list of a kind (its descriptor's cache entity: tasksOfContact, notesOfContact…). */
  listOfContact: (entity: ContactListCacheEntity, locationId: string, contactId: string) =>
    build(locationId, entity, contactId),
  /** POST /contacts/search; `requestHash` from `hashRequest(request)`. */
  search: (locationId: string, generation: string, requestHash: string) =>
    build(locationId, 'search', generation, requestHash),
  /** GET /contacts/ (deprecated paging list). */
  contactList: (locationId: string, generation: string, requestHash: string) =>
    build(locationId, 'contactList', generation, requestHash),
  /** GET /contacts/business/{businessId}. */
  businessList: (locationId: string, businessId: string, generation: string, requestHash: string) =>
    build(locationId, 'businessList', generation, businessId, requestHash),
  /** Holds the location's current search generation (a string token, not an envelope). */
  searchGeneration: (locationId: string) => build(locationId, 'searchGeneration'),
};

/** The entity a key belongs to, for metrics labels (never label by id). */
export function entityOfKey(key: string): CacheEntity | 'unknown' {
  // The fourth ':'-separated part, found without splitting the key: every cache read asks.
  let start = 0;
  for (let part = 0; part < 3; part += 1) {
    const colon = key.indexOf(':', start);
    if (colon === -1) return 'unknown';
    start = colon + 1;
  }
  const end = key.indexOf(':', start);
  const entity = end === -1 ? key.slice(start) : key.slice(start, end);
  return KNOWN_ENTITIES.has(entity) ? (entity as CacheEntity) : 'unknown';
}

const KNOWN_ENTITIES: ReadonlySet<string> = new Set(CACHE_ENTITIES);

/** The location a key belongs to (decoded), or null for a key not built here. */
export function locationOfKey(key: string): string | null {
  const parts = key.split(':');
  if (parts[0] !== KEY_LAYOUT || parts[1] !== 'loc' || parts[2] === undefined) return null;
  return decodeURIComponent(parts[2]);
}

/** Entities whose keys carry the location's search generation (dropped together when it changes). */
const GENERATION_KEYED: ReadonlySet<CacheEntity | 'unknown'> = new Set(['search', 'contactList', 'businessList']);

/**
 * For a search or list key: the generation key of its location and the generation token the key
 * was built with. A cached entry under an old generation still exists until its TTL, so whoever
 * remembers such a key must also check the generation has not moved on. Null for other keys.
 */
export function generationOfKey(key: string): { key: string; token: string } | null {
  if (!GENERATION_KEYED.has(entityOfKey(key))) return null;
  const location = locationOfKey(key);
  const token = key.split(':')[4];
  if (location === null || token === undefined) return null;
  return { key: cacheKeys.searchGeneration(location), token: decodeURIComponent(token) };
}
