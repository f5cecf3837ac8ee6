/**
 * The HighLevel client's contract, as the rest of the gateway sees it. `GhlClient` (client.ts)
 * implements it over HTTP; tests may implement it with fakes. Every method takes the location
 * first: rate budget, token and cache namespace are all per location.
 */
import type { Appointment, Contact, Note, SearchedContact, Task } from '../domain/types.js';
import type { ContactWrite, NoteWrite, TaskWrite } from '../domain/ghl-writes.js';
import type { EndpointSpec } from './spec.js';

export type { ContactWrite, NoteWrite, TaskWrite } from '../domain/ghl-writes.js';

/** Interactive GraphQL traffic goes ahead of background sync in the rate budget. */
export type Lane = 'interactive' | 'background';

/** Observes every HTTP request the client sends (one per attempt), e.g. for `extensions.upstream`. */
export interface UpstreamObserver {
  onRequest(event: {
    method: string;
    endpoint: string;
    status: number | null;
    durationMs: number;
    attempt: number;
  }): void;
}

export interface CallOptions {
  lane?: Lane;
  /** Carried into logs and the upstream request as `x-request-id`. */
  requestId?: string;
  observer?: UpstreamObserver;
  /** Aborts the call at once (the operation's hard stop, a shutdown). */
  signal?: AbortSignal;
  /**
   * Epoch ms by which the call must have settled (the GraphQL operation's deadline, less the
   * time it needs to answer): every wait and attempt of the call fits before it; past it the
   * call fails Timeout (or RateLimited when it was waiting for a rate slot).
   */
  deadlineAt?: number;
}

export type SearchFilter =
  | {
      field: string;
      operator: 'eq' | 'not_eq' | 'contains' | 'not_contains' | 'exists' | 'not_exists' | 'range';
      value?: unknown;
    }
  | { group: 'AND' | 'OR'; filters: SearchFilter[] };

export interface SearchSort {
  field: string;
  direction: 'asc' | 'desc';
}

export interface SearchContactsRequest {
  pageLimit: number;
  /** Exactly one of page / searchAfter (GHL rejects both). Page numbers stop at 10,000 results. */
  page?: number;
  searchAfter?: Array<string | number>;
  query?: string;
  filters?: SearchFilter[];
  sort?: SearchSort[];
}

export interface SearchContactsResult {
  contacts: SearchedContact[];
  total: number;
}

export interface ListContactsRequest {
  limit?: number;
  startAfter?: number;
  startAfterId?: string;
  query?: string;
}

export interface ListContactsResult {
  contacts: Contact[];
  total: number;
  nextStartAfter: number | null;
  nextStartAfterId: string | null;
}

export interface BusinessContactsRequest {
  limit?: number;
  skip?: number;
  query?: string;
}

export interface BusinessContactsResult {
  contacts: Contact[];
  count: number;
}

export interface TaskSearchRequest {
  contactIds: string[];
  completed?: boolean;
  limit?: number;
  skip?: number;
}

export interface GhlApi {
  getContact(locationId: string, contactId: string, options?: CallOptions): Promise<Contact>;
  searchContacts(
    locationId: string,
    request: SearchContactsRequest,
    options?: CallOptions,
  ): Promise<SearchContactsResult>;
  /** Every matching contact once, switching from `page` to `searchAfter` past 10,000 results. */
  iterateSearch(
    locationId: string,
    request: Omit<SearchContactsRequest, 'page' | 'searchAfter'>,
    options?: CallOptions,
  ): AsyncIterable<SearchedContact>;
  listContacts(locationId: string, request: ListContactsRequest, options?: CallOptions): Promise<ListContactsResult>;
  iterateContacts(
    locationId: string,
    request: Omit<ListContactsRequest, 'startAfter' | 'startAfterId'>,
    options?: CallOptions,
  ): AsyncIterable<Contact>;
  listBusinessContacts(
    locationId: string,
    businessId: string,
    request: BusinessContactsRequest,
    options?: CallOptions,
  ): Promise<BusinessContactsResult>;
  iterateBusinessContacts(
    locationId: string,
    businessId: string,
    request: Omit<BusinessContactsRequest, 'skip'>,
    options?: CallOptions,
  ): AsyncIterable<Contact>;

  createContact(locationId: string, input: ContactWrite, options?: CallOptions): Promise<Contact>;
  updateContact(locationId: string, contactId: string, input: ContactWrite, options?: CallOptions): Promise<Contact>;
  upsertContact(
    locationId: string,
    input: ContactWrite,
    options?: CallOptions,
  ): Promise<{ contact: Contact; created: boolean }>;
  deleteContact(locationId: string, contactId: string, options?: CallOptions): Promise<void>;
  addTags(locationId: string, contactId: string, tags: string[], options?: CallOptions): Promise<string[]>;
  removeTags(locationId: string, contactId: string, tags: string[], options?: CallOptions): Promise<string[]>;

  listTasks(locationId: string, contactId: string, options?: CallOptions): Promise<Task[]>;
  getTask(locationId: string, contactId: string, taskId: string, options?: CallOptions): Promise<Task>;
  createTask(
    locationId: string,
    contactId: string,
    input: TaskWrite & { title: string; dueDate: string },
    options?: CallOptions,
  ): Promise<Task>;
  updateTask(
    locationId: string,
    contactId: string,
    taskId: string,
    input: TaskWrite,
    options?: CallOptions,
  ): Promise<Task>;
  completeTask(
    locationId: string,
    contactId: string,
    taskId: string,
    completed: boolean,
    options?: CallOptions,
  ): Promise<Task>;
  deleteTask(locationId: string, contactId: string, taskId: string, options?: CallOptions): Promise<void>;
  /** POST /locations/{locationId}/tasks/search: tasks of many contacts in one call (scope locations/tasks.readonly). */
  searchTasks(locationId: string, request: TaskSearchRequest, options?: CallOptions): Promise<Task[]>;

  listNotes(locationId: string, contactId: string, options?: CallOptions): Promise<Note[]>;
  getNote(locationId: string, contactId: string, noteId: string, options?: CallOptions): Promise<Note>;
  createNote(locationId: string, contactId: string, input: NoteWrite, options?: CallOptions): Promise<Note>;
  updateNote(
    locationId: string,
    contactId: string,
    noteId: string,
    input: NoteWrite,
    options?: CallOptions,
  ): Promise<Note>;
  deleteNote(locationId: string, contactId: string, noteId: string, options?: CallOptions): Promise<void>;

  listAppointments(locationId: string, contactId: string, options?: CallOptions): Promise<Appointment[]>;

  /**
   * One contact's list of any kind an entity descriptor names (src/entities): the endpoint and
   * how to read its answer come with the call, so a new per-contact list needs no new method.
   */
  readContactList<V>(
    locationId: string,
    list: ContactListEndpoint<V>,
    contactId: string,
    options?: CallOptions,
  ): Promise<V[]>;

  /** Closes kept-alive connections at shutdown (clients without any need not implement it). */
  close?(): Promise<void>;
}

/** Supplies the bearer token for a location; the OAuth issue adds a refreshing implementation. */
export interface TokenProvider {
  getToken(locationId: string): Promise<{ accessToken: string; scopes: ReadonlySet<string> | null }>;
  /** Called on a 401 for a token: may refresh; returns true when a retry with a new token makes sense. */
  onUnauthorized(locationId: string, rejectedToken: string): Promise<boolean>;
}

/** Live view of a location's rate budget, as read from GHL's X-RateLimit-* headers. */
export interface RateBudgetSnapshot {
  locationId: string;
  /** False until a response carried X-RateLimit-* headers; the numbers below are then 0. */
  limitsKnown: boolean;
  burstMax: number;
  burstRemaining: number;
  intervalMs: number;
  dailyMax: number;
  dailyRemaining: number;
  dailyReserve: number;
  /** Requests waiting for a slot, by lane. */
  queued: { interactive: number; background: number };
  /** When the current burst window frees up, from now. */
  resetInMs: number;
}

/** How one contact's list of some kind is read from HighLevel (an entity descriptor supplies it). */
export interface ContactListEndpoint<V> {
  spec: EndpointSpec;
  /** `{name}` segments of the path (the contact's id, usually). */
  pathParams(locationId: string, contactId: string): Record<string, string>;
  /** Query string of the call; none by default. */
  searchParams?(locationId: string, contactId: string): Record<string, string | number>;
  /** The answer's items as domain values: zod-checked first (a mismatch names the field path). */
  parse(body: unknown, endpoint: string, context: { locationId: string; contactId: string }): V[];
}
