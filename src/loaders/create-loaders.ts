/**
 * Per-request DataLoaders (docs/style.md rule 3 and 8): built anew for every GraphQL request, so
 * their cache lives exactly as long as one operation and no caller ever sees another's data.
 * Every batch function keeps DataLoader's contract: one result per key, in key order, an Error
 * (never a throw) for a key that failed, so one missing contact fails only its own field.
 */
import DataLoader from 'dataloader';
import type { Appointment, Contact, Note, Task } from '../domain/types.js';
import { GhlMissingScopeError, GhlNotFoundError } from '../ghl/errors.js';
import type { CallOptions, GhlApi, Lane } from '../ghl/ghl-api.js';
import { cachedBatch, withLane, type CacheLayer } from './cached-batch.js';
import type { LocationLimiters } from './concurrency-limit.js';
import type { TaskSearchCapability } from './task-search-capability.js';

/**
 * Ids per POST /contacts/search call. GHL caps pageLimit at 500; a smaller OR group keeps the
 * filter body modest (GHL documents no limit on the number of filters: unverified).
 */
export const CONTACT_IDS_PER_SEARCH = 100;
/** Contacts per task search call. The body is a plain id list; kept equal to a contacts page chunk. */
export const CONTACTS_PER_TASK_SEARCH = 100;
/**
 * `limit` of each task search page. GHL defaults to 25 and documents no maximum (unverified):
 * we page with `skip` until a page comes back short, so a lower server cap still reads everything.
 */
export const TASK_SEARCH_PAGE_SIZE = 500;

export interface LoaderDeps {
  ghl: GhlApi;
  locationId: string;
  /** Shared across requests: learned scope of the batched task search per location. */
  taskSearch: TaskSearchCapability;
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

export interface Loaders {
  contactById: DataLoader<string, Contact>;
  tasksByContactId: DataLoader<string, Task[]>;
  notesByContactId: DataLoader<string, Note[]>;
  appointmentsByContactId: DataLoader<string, Appointment[]>;
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

  const tasksPerContact = (contactIds: readonly string[], callOptions: CallOptions) =>
    perKey(contactIds, deps, (contactId) => ghl.listTasks(locationId, contactId, callOptions));

  /** Upstream half of tasksByContactId: one task search per batch, or one call per contact without the scope. */
  const tasksUpstream = async (contactIds: readonly string[], lane: Lane): Promise<Array<Task[] | Error>> => {
    const callOptions = withLane(deps.callOptions, lane);
    if ((await deps.taskSearch.modeFor(locationId)) === 'per-contact') return tasksPerContact(contactIds, callOptions);
    try {
      const tasks = await searchAllTasks(ghl, locationId, contactIds, callOptions);
      const byContact = new Map<string, Task[]>(contactIds.map((id) => [id, []]));
      for (const task of tasks) byContact.get(task.contactId)?.push(task);
      return contactIds.map((id) => byContact.get(id) ?? []);
    } catch (error) {
      if (error instanceof GhlMissingScopeError) {
        // The token lacks locations/tasks.readonly: remember it for this location and answer
        // this batch the slow way, so the query does not fail for a capability we can live without.
        deps.taskSearch.markMissing(locationId);
        return tasksPerContact(contactIds, callOptions);
      }
      return contactIds.map(() => asError(error));
    }
  };

  const tasksByContactId = new DataLoader<string, Task[]>(
    counted(
      cachedBatch(
        layer,
        {
          cacheKey: keyOf(keys?.tasksOfContact),
          ttlMs: ttls?.tasksOfContact ?? 0,
          endpoint: 'POST /locations/{locationId}/tasks/search',
          keysPerCall: CONTACTS_PER_TASK_SEARCH,
        },
        tasksUpstream,
      ),
    ),
    { maxBatchSize: CONTACTS_PER_TASK_SEARCH },
  );

  const notesByContactId = new DataLoader<string, Note[]>(
    counted(
      cachedBatch(
        layer,
        {
          cacheKey: keyOf(keys?.notesOfContact),
          ttlMs: ttls?.notesOfContact ?? 0,
          endpoint: 'GET /contacts/{contactId}/notes',
        },
        (contactIds, lane) =>
          perKey(contactIds, deps, (contactId) =>
            ghl.listNotes(locationId, contactId, withLane(deps.callOptions, lane)),
          ),
      ),
    ),
  );

  const appointmentsByContactId = new DataLoader<string, Appointment[]>(
    counted(
      cachedBatch(
        layer,
        {
          cacheKey: keyOf(keys?.appointmentsOfContact),
          ttlMs: ttls?.appointmentsOfContact ?? 0,
          endpoint: 'GET /contacts/{contactId}/appointments',
        },
        (contactIds, lane) =>
          perKey(contactIds, deps, (contactId) =>
            ghl.listAppointments(locationId, contactId, withLane(deps.callOptions, lane)),
          ),
      ),
    ),
  );

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

  return { contactById, tasksByContactId, notesByContactId, appointmentsByContactId, taskById, noteById };
}

/** Every task of the given contacts, paging the task search with `skip` until a short page. */
async function searchAllTasks(
  ghl: GhlApi,
  locationId: string,
  contactIds: readonly string[],
  options: CallOptions,
): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let skip = 0; ; skip += TASK_SEARCH_PAGE_SIZE) {
    const page = await ghl.searchTasks(
      locationId,
      { contactIds: [...contactIds], limit: TASK_SEARCH_PAGE_SIZE, skip },
      options,
    );
    tasks.push(...page);
    if (page.length < TASK_SEARCH_PAGE_SIZE) return tasks;
  }
}
