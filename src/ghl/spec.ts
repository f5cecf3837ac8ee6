/**
 * What HighLevel expects of each call we make: the endpoint template (the name used in errors,
 * logs and metrics, never a concrete URL with ids), the Version header, the scope it needs and
 * whether a retry can repeat its effect. One table, so the client, the retry policy and the
 * error mapping cannot disagree.
 */
import { GHL_SCOPES } from '../domain/types.js';

/** docs/ghl-facts.md: contacts, locations and oauth helpers use 2021-07-28; calendars 2021-04-15. */
export const GHL_API_VERSIONS = { contacts: '2021-07-28', calendars: '2021-04-15' } as const;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface EndpointSpec {
  method: HttpMethod;
  /** e.g. "/contacts/{contactId}"; `{name}` segments are path parameters. */
  path: string;
  /** The scope GHL checks; used to name the scope of a "not authorized for this scope" 401. */
  scope: string;
  /**
   * True when sending the request twice has the effect of sending it once, so a retry after an
   * ambiguous failure (5xx, reset, timeout) is safe. Reads and PUT/DELETE are; POST searches
   * are reads; POST /contacts/upsert is keyed by email/phone (a second upsert matches the
   * contact the first one created), so it is treated as idempotent. Creates (contact, task,
   * note) and add-tags are not: a retry after a lost response could duplicate them.
   */
  idempotent: boolean;
}

export function endpoint(
  method: HttpMethod,
  path: string,
  scope: string,
  idempotent = method !== 'POST',
): EndpointSpec {
  return { method, path, scope, idempotent };
}

const read = GHL_SCOPES.contactsRead;
const write = GHL_SCOPES.contactsWrite;

export const ENDPOINTS = {
  getContact: endpoint('GET', '/contacts/{contactId}', read),
  searchContacts: endpoint('POST', '/contacts/search', read, true),
  listContacts: endpoint('GET', '/contacts/', read),
  listBusinessContacts: endpoint('GET', '/contacts/business/{businessId}', read),
  createContact: endpoint('POST', '/contacts/', write),
  updateContact: endpoint('PUT', '/contacts/{contactId}', write),
  upsertContact: endpoint('POST', '/contacts/upsert', write, true),
  deleteContact: endpoint('DELETE', '/contacts/{contactId}', write),
  // Adding a tag that is already present changes nothing, but the endpoint is a POST that may
  // trigger workflows on "tag added"; be conservative and never repeat it blindly.
  addTags: endpoint('POST', '/contacts/{contactId}/tags', write),
  removeTags: endpoint('DELETE', '/contacts/{contactId}/tags', write),
  listTasks: endpoint('GET', '/contacts/{contactId}/tasks', read),
  getTask: endpoint('GET', '/contacts/{contactId}/tasks/{taskId}', read),
  createTask: endpoint('POST', '/contacts/{contactId}/tasks', write),
  updateTask: endpoint('PUT', '/contacts/{contactId}/tasks/{taskId}', write),
  completeTask: endpoint('PUT', '/contacts/{contactId}/tasks/{taskId}/completed', write),
  deleteTask: endpoint('DELETE', '/contacts/{contactId}/tasks/{taskId}', write),
  searchTasks: endpoint('POST', '/locations/{locationId}/tasks/search', GHL_SCOPES.tasksSearch, true),
  listNotes: endpoint('GET', '/contacts/{contactId}/notes', read),
  getNote: endpoint('GET', '/contacts/{contactId}/notes/{id}', read),
  createNote: endpoint('POST', '/contacts/{contactId}/notes', write),
  updateNote: endpoint('PUT', '/contacts/{contactId}/notes/{id}', write),
  deleteNote: endpoint('DELETE', '/contacts/{contactId}/notes/{id}', write),
  listAppointments: endpoint('GET', '/contacts/{contactId}/appointments', read),
} as const satisfies Record<string, EndpointSpec>;

export type EndpointName = keyof typeof ENDPOINTS;

/** "GET /contacts/{contactId}": how an endpoint is named in errors, logs and metrics. */
export function endpointLabel(spec: EndpointSpec): string {
  return `${spec.method} ${spec.path}`;
}

/** The Version header of a path (docs/ghl-facts.md: a missing or wrong one answers 401, not 400). */
export function versionFor(path: string): string {
  return path.startsWith('/calendars') ? GHL_API_VERSIONS.calendars : GHL_API_VERSIONS.contacts;
}

/**
 * Fills `{name}` segments with URL-encoded values. Returns the path without its leading slash,
 * because got resolves it against `prefixUrl`.
 */
export function buildPath(spec: EndpointSpec, params: Record<string, string>): string {
  const filled = spec.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === '')
      throw new Error(`Missing path parameter ${name} for ${endpointLabel(spec)}`);
    return encodeURIComponent(value);
  });
  return filled.slice(1);
}

/** got's prefixUrl must end with a slash for relative paths to append rather than replace. */
export function normaliseBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`GHL base URL must be http(s): ${baseUrl}`);
  url.search = '';
  url.hash = '';
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}
