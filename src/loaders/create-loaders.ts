/**
 * Per-request DataLoaders (docs/style.md rules 3 and 8): built anew for every GraphQL request,
 * so their cache lives exactly as long as one operation and no caller ever sees another's data.
 * Every batch function keeps DataLoader's contract: one result per key, in key order, an Error
 * (never a throw) for a key that failed, so one missing contact fails only its own field.
 *
 * One loader per per-contact list, made from its descriptor (src/entities/contact-lists.ts):
 * read through the shared cache under the list's key and TTL, upstream by its batched endpoint
 * where the location's token allows (else one call per contact).
 */
import DataLoader from 'dataloader';
import type { Contact, Note, Task } from '../domain/types.js';
import type { ContactListDescriptor, ContactListItem } from '../entities/contact-list.js';
import {
  CONTACT_LISTS,
  type ContactListCacheEntity,
  type ContactListName,
  type ItemOf,
} from '../entities/contact-lists.js';
import { GhlMissingScopeError, GhlNotFoundError } from '../ghl/errors.js';
import type { CallOptions, GhlApi, Lane } from '../ghl/ghl-api.js';
import { endpointLabel } from '../ghl/spec.js';
import type { BatchedReadCapability } from './batched-read-capability.js';
import { cachedBatch, withLane, type CacheLayer } from './cached-batch.js';
import type { LocationLimiters } from './concurrency-limit.js';

/**
 * Ids per POST /contacts/search call. GHL caps pageLimit at 500; a smaller OR group keeps the
 * filter body modest (GHL documents no limit on the number of filters: unverified).
 */
export const CONTACT_IDS_PER_SEARCH = 100;

export interface LoaderDeps {
  ghl: GhlApi;
  locationId: string;
  /** Shared across requests: which locations may use the batched reads (learned scopes). */
  batchedReads: BatchedReadCapability;
  /** Shared across requests: cap on un-batchable calls per location. */
  limiters: LocationLimiters;
  /** Lane, request id and the observer counting upstream calls for this request. */
  callOptions: CallOptions;
  /** Called once per batch function invocation (`extensions.upstream.batches`). */
  onBatch?: () => void;
  /**
   * The shared cache under every loader, with this request's admission state: hits never reach
   * HighLevel, misses are loaded once across concurrent requests. Absent: straight upstream.
   */
  cacheLayer?: CacheLayer;
}

export interface ChildKey {
  contactId: string;
  id: string;
}

/** One loader per per-contact list, by the list's name (its Contact field). */
export type ContactListLoaders = { [Name in ContactListName]: DataLoader<string, Array<ItemOf<Name>>> };

export interface Loaders {
  contactById: DataLoader<string, Contact>;
  /** A contact's list of each kind, by contact id. */
  lists: ContactListLoaders;
  taskById: DataLoader<ChildKey, Task, string>;
  noteById: DataLoader<ChildKey, Note, string>;
}

const SEARCH_ENDPOINT = 'POST /contacts/search';

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Runs one call per key, each through the location's concurrency cap; failures become per-key Errors. */
async function perKey<K, V>(
  keys: readonly K[],
  deps: LoaderDeps,
  call: (key: K) => Promise<V>,
): Promise<Array<V | Error>> {
  const limiter = deps.limiters.for(deps.locationId);
  return Promise.all(keys.map((key) => limiter.run(() => call(key)).catch(asError)));
}

/**
 * A task or note read from the shared cache by id must belong to the contact the caller named:
 * HighLevel answers "not found" for a child asked under another contact, and so do we.
 */
function ofContact<V extends { contactId: string | null }>(
  batch: (keys: readonly ChildKey[]) => Promise<Array<V | Error>>,
  endpoint: string,
): (keys: readonly ChildKey[]) => Promise<Array<V | Error>> {
  return async (keys) => {
    const results = await batch(keys);
    return results.map((result, index) => {
      const key = keys[index];
      if (
        result instanceof Error ||
        key === undefined ||
        result.contactId === null ||
        result.contactId === key.contactId
      )
        return result;
      return new GhlNotFoundError(endpoint, `${endpoint}: ${key.id} does not belong to contact ${key.contactId}`);
    });
  };
}

function childKey(key: ChildKey): string {
  return `${key.contactId}/${key.id}`;
}

export function createLoaders(deps: LoaderDeps): Loaders {
  const { ghl, locationId } = deps;
  const layer = deps.cacheLayer;
  const counted = <K, V>(batch: (keys: readonly K[]) => Promise<Array<V | Error>>) => {
    return (keys: readonly K[]): Promise<Array<V | Error>> => {
      deps.onBatch?.();
      return batch(keys);
    };
  };
  const keys = layer?.cache.keys;
  const ttls = layer?.cache.ttls;
  /** Shared-cache key of an id under this request's location (unused without a cache layer). */
  const keyOf = (build: ((location: string, id: string) => string) | undefined) => (id: string) =>
    build === undefined ? id : build(locationId, id);

  /** Upstream half of contactById: a single id by GET, several by one OR-group search. */
  const contactsUpstream = async (ids: readonly string[], lane: Lane): Promise<Array<Contact | Error>> => {
    const callOptions = withLane(deps.callOptions, lane);
    // A single id goes to GET /contacts/{id}: one call either way, and GET is consistent
    // where search is eventually consistent (a contact created seconds ago may not be found).
    if (ids.length === 1) return perKey(ids, deps, (id) => ghl.getContact(locationId, id, callOptions));
    try {
      const result = await ghl.searchContacts(
        locationId,
        {
          pageLimit: ids.length,
          page: 1,
          filters: [{ group: 'OR', filters: ids.map((id) => ({ field: 'id', operator: 'eq' as const, value: id })) }],
        },
        callOptions,
      );
      const byId = new Map(result.contacts.map((hit) => [hit.contact.id, hit.contact]));
      return ids.map((id) => byId.get(id) ?? new GhlNotFoundError(SEARCH_ENDPOINT, `Contact with id ${id} not found`));
    } catch (error) {
      return ids.map(() => asError(error));
    }
  };

  const contactById = new DataLoader<string, Contact>(
    counted(
      cachedBatch(
        layer,
        { cacheKey: keyOf(keys?.contact), ttlMs: ttls?.contact ?? 0, endpoint: 'GET /contacts/{contactId}' },
        contactsUpstream,
      ),
    ),
    { maxBatchSize: CONTACT_IDS_PER_SEARCH },
  );

  /** Upstream half of a list loader: its batched read where the token allows, else one call per contact. */
  const listUpstream =
    <V extends ContactListItem>(list: ContactListDescriptor<string, string, V>) =>
    async (contactIds: readonly string[], lane: Lane): Promise<Array<V[] | Error>> => {
      const callOptions = withLane(deps.callOptions, lane);
      const perContact = () =>
        perKey(contactIds, deps, (contactId) => ghl.readContactList(locationId, list.endpoint, contactId, callOptions));
      const { batched } = list;
      if (batched === undefined || (await deps.batchedReads.modeFor(locationId, batched.scope)) === 'per-contact')
        return perContact();
      try {
        const items = await batched.read(ghl, locationId, contactIds, callOptions);
        const byContact = new Map<string, V[]>(contactIds.map((id) => [id, []]));
        for (const item of items) if (item.contactId !== null) byContact.get(item.contactId)?.push(item);
        return contactIds.map((id) => byContact.get(id) ?? []);
      } catch (error) {
        if (error instanceof GhlMissingScopeError) {
          // The token lacks the batched endpoint's scope: remember it for this location and answer
          // this batch the slow way, so the query does not fail for a capability we can live without.
          deps.batchedReads.markMissing(locationId, batched.scope);
          return perContact();
        }
        return contactIds.map(() => asError(error));
      }
    };

  const listLoader = <V extends ContactListItem>(list: ContactListDescriptor<string, string, V>) =>
    new DataLoader<string, V[]>(
      counted(
        cachedBatch(
          layer,
          {
            cacheKey: (contactId: string) =>
              keys === undefined
                ? contactId
                : keys.listOfContact(list.cacheEntity as ContactListCacheEntity, locationId, contactId),
            ttlMs: ttls?.[list.cacheEntity as ContactListCacheEntity] ?? 0,
            endpoint: list.batched?.endpoint ?? endpointLabel(list.endpoint.spec),
            ...(list.batched === undefined ? {} : { keysPerCall: list.batched.contactsPerCall }),
          },
          listUpstream(list),
        ),
      ),
      list.batched === undefined ? {} : { maxBatchSize: list.batched.contactsPerCall },
    );
  // Built from the registry: the record's shape is ContactListLoaders by construction.
  const lists = Object.fromEntries(
    CONTACT_LISTS.map((list) => [
      list.field,
      listLoader(list as ContactListDescriptor<string, string, ContactListItem>),
    ]),
  ) as unknown as ContactListLoaders;

  // A task / note id is unique within a location, so the shared key needs no contact id.
  const taskById = new DataLoader<ChildKey, Task, string>(
    counted(
      ofContact(
        cachedBatch(
          layer,
          {
            cacheKey: (key: ChildKey) => keyOf(keys?.task)(key.id),
            ttlMs: ttls?.task ?? 0,
            endpoint: 'GET /contacts/{contactId}/tasks/{taskId}',
          },
          (childKeys, lane) =>
            perKey(childKeys, deps, (key) =>
              ghl.getTask(locationId, key.contactId, key.id, withLane(deps.callOptions, lane)),
            ),
        ),
        'GET /contacts/{contactId}/tasks/{taskId}',
      ),
    ),
    { cacheKeyFn: childKey },
  );

  const noteById = new DataLoader<ChildKey, Note, string>(
    counted(
      ofContact(
        cachedBatch(
          layer,
          {
            cacheKey: (key: ChildKey) => keyOf(keys?.note)(key.id),
            ttlMs: ttls?.note ?? 0,
            endpoint: 'GET /contacts/{contactId}/notes/{id}',
          },
          (childKeys, lane) =>
            perKey(childKeys, deps, (key) =>
              ghl.getNote(locationId, key.contactId, key.id, withLane(deps.callOptions, lane)),
            ),
        ),
        'GET /contacts/{contactId}/notes/{id}',
      ),
    ),
    { cacheKeyFn: childKey },
  );

  return { contactById, lists, taskById, noteById };
}
