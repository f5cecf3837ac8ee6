/**
 * The HighLevel client: every GHL endpoint the gateway uses, typed (docs/style.md rule 5). Requests go
 * through the one upstream request loop (src/upstream/upstream-client.ts): HighLevel plugs in
 * its pacing (the per-location concurrency cap, then the header-learning rate budget:
 * ghl-pacing.ts), its credentials (the token provider; a 401 refreshes once), its error
 * classification (http-errors.ts: GHL's quirks) and its retry numbers. Responses are zod-checked
 * and mapped to domain types once, here.
 *
 * Deadlines: CallOptions.deadlineAt (the GraphQL operation's) bounds every wait and attempt of a
 * call; an idempotent read that hangs is cut at `timeoutMs` and retried within it.
 */
import type { Appointment, Contact, Note, SearchedContact, Task } from '../domain/types.js';
import type { GatewayEventSink } from '../domain/gateway-events.js';
import { isDependencyUnavailable } from '../domain/dependency-unavailable.js';
import { createUndiciTransport, type Transport } from '../upstream/transport.js';
import { UpstreamClient, type AttemptObserver } from '../upstream/upstream-client.js';
import type { RetryPolicy } from '../upstream/retry-policy.js';
import { LocationConcurrency } from './concurrency.js';
import { GhlBudgetReserveError, GhlMissingScopeError, GhlUnauthorizedError, isGhlError } from './errors.js';
import { GhlReinstallRequiredError } from './oauth-errors.js';
import type {
  BusinessContactsRequest,
  BusinessContactsResult,
  CallOptions,
  ContactListEndpoint,
  ContactWrite,
  GhlApi,
  Lane,
  ListContactsRequest,
  ListContactsResult,
  NoteWrite,
  SearchContactsRequest,
  SearchContactsResult,
  TaskSearchRequest,
  TaskWrite,
  TokenProvider,
  UpstreamObserver,
} from './ghl-api.js';
import { APPOINTMENTS_OF_CONTACT, NOTES_OF_CONTACT, TASKS_OF_CONTACT } from './contact-list-endpoints.js';
import { ghlPacing, type GhlScope } from './ghl-pacing.js';
import { errorFromResponse } from './http-errors.js';
import { walkBusiness, walkList, walkSearch } from './paging.js';
import { InMemoryRateBudget, type RateBudget } from './rate-budget.js';
import {
  BusinessContactsResponseDto,
  ContactEnvelopeDto,
  DeleteResponseDto,
  ListContactsResponseDto,
  NoteEnvelopeDto,
  parseResponse,
  SearchContactsResponseDto,
  TagsResponseDto,
  TaskEnvelopeDto,
  TasksResponseDto,
  UpsertContactResponseDto,
} from './schemas.js';
import {
  buildPath,
  endpointLabel,
  ENDPOINTS,
  normaliseBaseUrl,
  versionFor,
  type EndpointName,
  type EndpointSpec,
} from './spec.js';
import { toContact, toNote, toSearchedContact, toTask } from './to-domain.js';

/** The subset of pino the client uses; a pino logger satisfies it. */
export interface GhlLogger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export interface GhlClientOptions {
  baseUrl: string;
  tokenProvider: TokenProvider;
  /** GHL_REQUEST_TIMEOUT_MS: one attempt of a request that may be repeated (reads, PUT, DELETE, searches). */
  timeoutMs: number;
  /** GHL_WRITE_TIMEOUT_MS: one attempt of a create, which is not repeated after a timeout; default max(timeoutMs, 10 s). */
  writeTimeoutMs?: number;
  /** Largest response body read (default 16 MiB): a broken upstream cannot make us buffer without end. */
  maxBodyBytes?: number;
  /** Default: an undici transport of its own. */
  transport?: Transport;
  /** GHL_MAX_RETRIES: retries of idempotent requests on 5xx, resets and timeouts. */
  maxRetries: number;
  concurrencyPerLocation: number;
  /** Defaults to an InMemoryRateBudget built from dailyReserve and interactiveShare. */
  rateBudget?: RateBudget;
  dailyReserve: number;
  interactiveShare: number;
  logger?: GhlLogger;
  /** Sees every HTTP attempt of every call (metrics), besides the per-call CallOptions.observer. */
  observer?: UpstreamObserver;
  /**
   * Told when a location's credentials are refused for good (re-install, rotated token), when the
   * daily reserve stops a call, and when a call is answered again (notifications).
   */
  events?: GatewayEventSink;
  /** Uniform in [0, 1); tests pass a seeded one for deterministic jitter. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Retries after a 429 (default 10); they do not count against maxRetries. */
  maxRateLimitRetries?: number;
  /** Backoff base and cap for 5xx / network retries (defaults 250 ms, 10 s). */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
}

/** HighLevel's retry numbers (the shape is the upstream layer's). */
const GHL_RETRY_DEFAULTS = {
  maxRateLimitRetries: 10,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  // A pause longer than this is not waited out by one call (GHL's burst window is 10 s).
  maxRetryAfterMs: 120_000,
} as const;

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** What the client knows about a location's token scopes. */
interface ScopeKnowledge {
  /** From the token provider (GHL_TOKEN_SCOPES for a PIT); null when not declared. */
  declared: ReadonlySet<string> | null;
  /** Scopes of endpoints that answered successfully. */
  granted: ReadonlySet<string>;
  /** Scopes GHL refused with "not authorized for this scope". */
  missing: ReadonlySet<string>;
}

interface RequestPlan<T> {
  /** A named endpoint of spec.ts, or the spec an entity descriptor brings. */
  endpoint: EndpointName | EndpointSpec;
  locationId: string;
  pathParams?: Record<string, string>;
  searchParams?: Record<string, string | number>;
  json?: unknown;
  /** Parses the JSON body (already zod-checked inside). */
  parse: (body: unknown, endpoint: string) => T;
  /** Deletes may answer an empty body. */
  allowEmptyBody?: boolean;
}

/** Maps an endpoint label back to its spec (the classifier names the missing scope from it). */
const SPEC_BY_LABEL: ReadonlyMap<string, EndpointSpec> = new Map(
  Object.values(ENDPOINTS).map((spec: EndpointSpec) => [endpointLabel(spec), spec]),
);

export class GhlClient implements GhlApi {
  private readonly http: UpstreamClient<GhlScope>;
  private readonly transport: Transport;
  private readonly baseUrl: URL;
  private readonly tokenProvider: TokenProvider;
  private readonly budget: RateBudget;
  private readonly concurrency: LocationConcurrency;
  private readonly learnedScopes = new Map<string, { granted: Set<string>; missing: Set<string> }>();
  private readonly events: GatewayEventSink | null;

  constructor(options: GhlClientOptions) {
    this.tokenProvider = options.tokenProvider;
    this.events = options.events ?? null;
    this.baseUrl = new URL(normaliseBaseUrl(options.baseUrl));
    this.budget =
      options.rateBudget ??
      new InMemoryRateBudget({ dailyReserve: options.dailyReserve, interactiveShare: options.interactiveShare });
    this.concurrency = new LocationConcurrency(options.concurrencyPerLocation, options.interactiveShare);
    const retry: RetryPolicy = {
      maxRetries: options.maxRetries,
      maxRateLimitRetries: options.maxRateLimitRetries ?? GHL_RETRY_DEFAULTS.maxRateLimitRetries,
      baseDelayMs: options.retryBaseDelayMs ?? GHL_RETRY_DEFAULTS.baseDelayMs,
      maxDelayMs: options.retryMaxDelayMs ?? GHL_RETRY_DEFAULTS.maxDelayMs,
      maxRetryAfterMs: GHL_RETRY_DEFAULTS.maxRetryAfterMs,
    };
    const tokenProvider = this.tokenProvider;
    const observer: AttemptObserver | undefined = options.observer;
    this.transport =
      options.transport ?? createUndiciTransport({ maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES });
    this.http = new UpstreamClient<GhlScope>({
      upstream: 'HighLevel',
      transport: this.transport,
      retry,
      attemptTimeoutMs: options.timeoutMs,
      writeTimeoutMs: options.writeTimeoutMs ?? Math.max(options.timeoutMs, 10_000),
      pacing: ghlPacing(this.concurrency, this.budget),
      credentials: {
        async forAttempt(scope) {
          const { accessToken } = await tokenProvider.getToken(scope.locationId);
          return { headers: { authorization: `Bearer ${accessToken}` }, credential: accessToken };
        },
        renew: (scope, credential) => tokenProvider.onUnauthorized(scope.locationId, credential),
      },
      classify: (answer, endpoint) => {
        const spec = SPEC_BY_LABEL.get(endpoint);
        if (spec === undefined) throw new Error(`no HighLevel endpoint is named ${endpoint}`);
        return errorFromResponse(spec, {
          status: answer.status,
          bodyText: answer.body,
          retryAfterMs: answer.retryAfterMs,
        });
      },
      baseHeaders: { accept: 'application/json', 'user-agent': 'ghl-roofr-gateway' },
      ...(observer === undefined ? {} : { observer }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    });
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  /** The budget in use, e.g. for `snapshot()` in health output or admission control. */
  get rateBudget(): RateBudget {
    return this.budget;
  }

  async scopesOf(locationId: string): Promise<ScopeKnowledge> {
    const { scopes } = await this.tokenProvider.getToken(locationId);
    const learned = this.learnedOf(locationId);
    return { declared: scopes, granted: new Set(learned.granted), missing: new Set(learned.missing) };
  }

  /** True / false when declared or learnt; null when nobody knows yet (try, and the answer is learnt). */
  async hasScope(locationId: string, scope: string): Promise<boolean | null> {
    const knowledge = await this.scopesOf(locationId);
    if (knowledge.declared !== null) return knowledge.declared.has(scope);
    if (knowledge.missing.has(scope)) return false;
    if (knowledge.granted.has(scope)) return true;
    return null;
  }

  // ---- contacts -------------------------------------------------------------------------

  getContact(locationId: string, contactId: string, options?: CallOptions): Promise<Contact> {
    return this.call(
      {
        endpoint: 'getContact',
        locationId,
        pathParams: { contactId },
        parse: (body, endpoint) => toContact(parseResponse(ContactEnvelopeDto, body, endpoint).contact, locationId),
      },
      options,
    );
  }

  searchContacts(
    locationId: string,
    request: SearchContactsRequest,
    options?: CallOptions,
  ): Promise<SearchContactsResult> {
    if (request.page !== undefined && request.searchAfter !== undefined)
      throw new TypeError('searchContacts: pass page or searchAfter, not both (GHL rejects both)');
    const json: Record<string, unknown> = { locationId, pageLimit: request.pageLimit };
    if (request.searchAfter !== undefined) json['searchAfter'] = request.searchAfter;
    else json['page'] = request.page ?? 1;
    if (request.query !== undefined) json['query'] = request.query;
    if (request.filters !== undefined) json['filters'] = request.filters;
    if (request.sort !== undefined) json['sort'] = request.sort;
    return this.call(
      {
        endpoint: 'searchContacts',
        locationId,
        json,
        parse: (body, endpoint) => {
          const dto = parseResponse(SearchContactsResponseDto, body, endpoint);
          return { contacts: dto.contacts.map((hit) => toSearchedContact(hit, locationId)), total: dto.total };
        },
      },
      options,
    );
  }

  iterateSearch(
    locationId: string,
    request: Omit<SearchContactsRequest, 'page' | 'searchAfter'>,
    options?: CallOptions,
  ): AsyncIterable<SearchedContact> {
    return walkSearch((page) => this.searchContacts(locationId, page, options), request);
  }

  listContacts(locationId: string, request: ListContactsRequest, options?: CallOptions): Promise<ListContactsResult> {
    const searchParams: Record<string, string | number> = { locationId };
    if (request.limit !== undefined) searchParams['limit'] = request.limit;
    if (request.startAfter !== undefined) searchParams['startAfter'] = request.startAfter;
    if (request.startAfterId !== undefined) searchParams['startAfterId'] = request.startAfterId;
    if (request.query !== undefined) searchParams['query'] = request.query;
    return this.call(
      {
        endpoint: 'listContacts',
        locationId,
        searchParams,
        parse: (body, endpoint) => {
          const dto = parseResponse(ListContactsResponseDto, body, endpoint);
          const meta = dto.meta ?? null;
          const hasNext = meta !== null && meta.nextPage !== null && dto.contacts.length > 0;
          return {
            contacts: dto.contacts.map((contact) => toContact(contact, locationId)),
            total: meta?.total ?? dto.count ?? dto.contacts.length,
            nextStartAfter: hasNext ? (meta.startAfter ?? null) : null,
            nextStartAfterId: hasNext ? (meta.startAfterId ?? null) : null,
          };
        },
      },
      options,
    );
  }

  iterateContacts(
    locationId: string,
    request: Omit<ListContactsRequest, 'startAfter' | 'startAfterId'>,
    options?: CallOptions,
  ): AsyncIterable<Contact> {
    return walkList((page) => this.listContacts(locationId, page, options), request);
  }

  listBusinessContacts(
    locationId: string,
    businessId: string,
    request: BusinessContactsRequest,
    options?: CallOptions,
  ): Promise<BusinessContactsResult> {
    const searchParams: Record<string, string | number> = { locationId };
    if (request.limit !== undefined) searchParams['limit'] = request.limit;
    if (request.skip !== undefined) searchParams['skip'] = request.skip;
    if (request.query !== undefined) searchParams['query'] = request.query;
    return this.call(
      {
        endpoint: 'listBusinessContacts',
        locationId,
        pathParams: { businessId },
        searchParams,
        parse: (body, endpoint) => {
          const dto = parseResponse(BusinessContactsResponseDto, body, endpoint);
          return {
            contacts: dto.contacts.map((contact) => toContact(contact, locationId)),
            count: dto.count ?? dto.contacts.length,
          };
        },
      },
      options,
    );
  }

  iterateBusinessContacts(
    locationId: string,
    businessId: string,
    request: Omit<BusinessContactsRequest, 'skip'>,
    options?: CallOptions,
  ): AsyncIterable<Contact> {
    return walkBusiness((page) => this.listBusinessContacts(locationId, businessId, page, options), request);
  }

  createContact(locationId: string, input: ContactWrite, options?: CallOptions): Promise<Contact> {
    return this.call(
      {
        endpoint: 'createContact',
        locationId,
        json: { ...input, locationId },
        parse: (body, endpoint) => toContact(parseResponse(ContactEnvelopeDto, body, endpoint).contact, locationId),
      },
      options,
    );
  }

  updateContact(locationId: string, contactId: string, input: ContactWrite, options?: CallOptions): Promise<Contact> {
    return this.call(
      {
        endpoint: 'updateContact',
        locationId,
        pathParams: { contactId },
        json: input,
        parse: (body, endpoint) => toContact(parseResponse(ContactEnvelopeDto, body, endpoint).contact, locationId),
      },
      options,
    );
  }

  upsertContact(
    locationId: string,
    input: ContactWrite,
    options?: CallOptions,
  ): Promise<{ contact: Contact; created: boolean }> {
    return this.call(
      {
        endpoint: 'upsertContact',
        locationId,
        json: { ...input, locationId },
        parse: (body, endpoint) => {
          const dto = parseResponse(UpsertContactResponseDto, body, endpoint);
          return { contact: toContact(dto.contact, locationId), created: dto.new ?? false };
        },
      },
      options,
    );
  }

  deleteContact(locationId: string, contactId: string, options?: CallOptions): Promise<void> {
    return this.call(
      { endpoint: 'deleteContact', locationId, pathParams: { contactId }, allowEmptyBody: true, parse: parseDelete },
      options,
    );
  }

  addTags(locationId: string, contactId: string, tags: string[], options?: CallOptions): Promise<string[]> {
    return this.call(
      {
        endpoint: 'addTags',
        locationId,
        pathParams: { contactId },
        json: { tags },
        parse: (body, endpoint) => parseResponse(TagsResponseDto, body, endpoint).tags,
      },
      options,
    );
  }

  removeTags(locationId: string, contactId: string, tags: string[], options?: CallOptions): Promise<string[]> {
    return this.call(
      {
        endpoint: 'removeTags',
        locationId,
        pathParams: { contactId },
        json: { tags },
        parse: (body, endpoint) => parseResponse(TagsResponseDto, body, endpoint).tags,
      },
      options,
    );
  }

  // ---- tasks ----------------------------------------------------------------------------

  listTasks(locationId: string, contactId: string, options?: CallOptions): Promise<Task[]> {
    return this.readContactList(locationId, TASKS_OF_CONTACT, contactId, options);
  }

  getTask(locationId: string, contactId: string, taskId: string, options?: CallOptions): Promise<Task> {
    return this.call(
      {
        endpoint: 'getTask',
        locationId,
        pathParams: { contactId, taskId },
        parse: (body, endpoint) => toTask(parseResponse(TaskEnvelopeDto, body, endpoint).task, contactId),
      },
      options,
    );
  }

  createTask(
    locationId: string,
    contactId: string,
    input: TaskWrite & { title: string; dueDate: string },
    options?: CallOptions,
  ): Promise<Task> {
    // GHL requires `completed` on create.
    const json = { ...input, completed: input.completed ?? false };
    return this.call(
      {
        endpoint: 'createTask',
        locationId,
        pathParams: { contactId },
        json,
        parse: (body, endpoint) => toTask(parseResponse(TaskEnvelopeDto, body, endpoint).task, contactId),
      },
      options,
    );
  }

  updateTask(
    locationId: string,
    contactId: string,
    taskId: string,
    input: TaskWrite,
    options?: CallOptions,
  ): Promise<Task> {
    return this.call(
      {
        endpoint: 'updateTask',
        locationId,
        pathParams: { contactId, taskId },
        json: input,
        parse: (body, endpoint) => toTask(parseResponse(TaskEnvelopeDto, body, endpoint).task, contactId),
      },
      options,
    );
  }

  completeTask(
    locationId: string,
    contactId: string,
    taskId: string,
    completed: boolean,
    options?: CallOptions,
  ): Promise<Task> {
    return this.call(
      {
        endpoint: 'completeTask',
        locationId,
        pathParams: { contactId, taskId },
        json: { completed },
        parse: (body, endpoint) => toTask(parseResponse(TaskEnvelopeDto, body, endpoint).task, contactId),
      },
      options,
    );
  }

  deleteTask(locationId: string, contactId: string, taskId: string, options?: CallOptions): Promise<void> {
    return this.call(
      {
        endpoint: 'deleteTask',
        locationId,
        pathParams: { contactId, taskId },
        allowEmptyBody: true,
        parse: parseDelete,
      },
      options,
    );
  }

  searchTasks(locationId: string, request: TaskSearchRequest, options?: CallOptions): Promise<Task[]> {
    const json: Record<string, unknown> = {
      contactId: request.contactIds,
      limit: request.limit ?? 25,
      skip: request.skip ?? 0,
    };
    if (request.completed !== undefined) json['completed'] = request.completed;
    return this.call(
      {
        endpoint: 'searchTasks',
        locationId,
        pathParams: { locationId },
        json,
        parse: (body, endpoint) =>
          parseResponse(TasksResponseDto, body, endpoint).tasks.map((task) => toTask(task, null)),
      },
      options,
    );
  }

  // ---- notes ----------------------------------------------------------------------------

  listNotes(locationId: string, contactId: string, options?: CallOptions): Promise<Note[]> {
    return this.readContactList(locationId, NOTES_OF_CONTACT, contactId, options);
  }

  getNote(locationId: string, contactId: string, noteId: string, options?: CallOptions): Promise<Note> {
    return this.call(
      {
        endpoint: 'getNote',
        locationId,
        pathParams: { contactId, id: noteId },
        parse: (body, endpoint) => toNote(parseResponse(NoteEnvelopeDto, body, endpoint).note, contactId),
      },
      options,
    );
  }

  createNote(locationId: string, contactId: string, input: NoteWrite, options?: CallOptions): Promise<Note> {
    return this.call(
      {
        endpoint: 'createNote',
        locationId,
        pathParams: { contactId },
        json: input,
        parse: (body, endpoint) => toNote(parseResponse(NoteEnvelopeDto, body, endpoint).note, contactId),
      },
      options,
    );
  }

  updateNote(
    locationId: string,
    contactId: string,
    noteId: string,
    input: NoteWrite,
    options?: CallOptions,
  ): Promise<Note> {
    return this.call(
      {
        endpoint: 'updateNote',
        locationId,
        pathParams: { contactId, id: noteId },
        json: input,
        parse: (body, endpoint) => toNote(parseResponse(NoteEnvelopeDto, body, endpoint).note, contactId),
      },
      options,
    );
  }

  deleteNote(locationId: string, contactId: string, noteId: string, options?: CallOptions): Promise<void> {
    return this.call(
      {
        endpoint: 'deleteNote',
        locationId,
        pathParams: { contactId, id: noteId },
        allowEmptyBody: true,
        parse: parseDelete,
      },
      options,
    );
  }

  listAppointments(locationId: string, contactId: string, options?: CallOptions): Promise<Appointment[]> {
    return this.readContactList(locationId, APPOINTMENTS_OF_CONTACT, contactId, options);
  }

  // ---- lists of any kind an entity descriptor names ---------------------------------------

  readContactList<V>(
    locationId: string,
    list: ContactListEndpoint<V>,
    contactId: string,
    options?: CallOptions,
  ): Promise<V[]> {
    return this.call(
      {
        endpoint: list.spec,
        locationId,
        pathParams: list.pathParams(locationId, contactId),
        ...(list.searchParams === undefined ? {} : { searchParams: list.searchParams(locationId, contactId) }),
        parse: (body, endpoint) => list.parse(body, endpoint, { locationId, contactId }),
      },
      options,
    );
  }

  // ---- the request ----------------------------------------------------------------------

  private async call<T>(plan: RequestPlan<T>, options: CallOptions = {}): Promise<T> {
    if (this.events === null) return this.send(plan, options);
    let value: T;
    try {
      value = await this.send(plan, options);
    } catch (error) {
      this.report(plan.locationId, error);
      throw error;
    }
    this.events.emit({ type: 'ghl.answered', at: new Date().toISOString(), locationId: plan.locationId });
    return value;
  }

  /** What a failed call means for operators: a dead grant or token, or the daily reserve reached. */
  private report(locationId: string, error: unknown): void {
    const at = new Date().toISOString();
    if (error instanceof GhlReinstallRequiredError)
      this.events?.emit({
        type: 'ghl.auth_refused',
        at,
        locationId,
        installUrl: error.installUrl,
        reason: error.reason,
      });
    // HighLevel itself answered 401 to a token no renewal could replace (a rotated or deleted PIT).
    else if (error instanceof GhlUnauthorizedError && error.answeredByHighLevel)
      this.events?.emit({ type: 'ghl.auth_refused', at, locationId, installUrl: null, reason: 'token_rejected' });
    else if (error instanceof GhlBudgetReserveError)
      this.events?.emit({
        type: 'ghl.budget_reserve_reached',
        at,
        locationId,
        dailyRemaining: error.dailyRemaining,
        reserve: error.reserve,
        retryAfterMs: error.retryAfterMs,
      });
  }

  private async send<T>(plan: RequestPlan<T>, options: CallOptions): Promise<T> {
    const spec = typeof plan.endpoint === 'string' ? ENDPOINTS[plan.endpoint] : plan.endpoint;
    const endpoint = endpointLabel(spec);
    const lane: Lane = options.lane ?? 'interactive';
    await this.checkDeclaredScope(plan.locationId, spec);
    const url = new URL(buildPath(spec, plan.pathParams ?? {}), this.baseUrl);
    for (const [name, value] of Object.entries(plan.searchParams ?? {})) url.searchParams.set(name, String(value));
    let body: unknown;
    try {
      ({ json: body } = await this.http.request({
        scope: { locationId: plan.locationId, lane },
        method: spec.method,
        url,
        endpoint,
        headers: { version: versionFor(spec.path) },
        ...(plan.json === undefined ? {} : { body: JSON.stringify(plan.json) }),
        idempotent: spec.idempotent,
        deadlineAt: options.deadlineAt ?? null,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.observer === undefined ? {} : { observer: options.observer }),
        ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
        expectJson: { allowEmpty: plan.allowEmptyBody === true },
      }));
    } catch (error) {
      if (error instanceof GhlMissingScopeError) this.learnedOf(plan.locationId).missing.add(spec.scope);
      throw error;
    }
    const value = plan.parse(body, endpoint);
    this.learnedOf(plan.locationId).granted.add(spec.scope);
    return value;
  }

  /** A token that declares its scopes and lacks this one: refuse without spending a request. */
  private async checkDeclaredScope(locationId: string, spec: EndpointSpec): Promise<void> {
    let scopes: ReadonlySet<string> | null;
    try {
      ({ scopes } = await this.tokenProvider.getToken(locationId));
    } catch (error) {
      // The state database (where grants are kept) not answering is not a refused token.
      if (isGhlError(error) || isDependencyUnavailable(error)) throw error;
      const message = error instanceof Error ? error.message : 'no token';
      throw new GhlUnauthorizedError(endpointLabel(spec), `No HighLevel token for location ${locationId}: ${message}`);
    }
    if (scopes !== null && !scopes.has(spec.scope)) throw new GhlMissingScopeError(endpointLabel(spec), spec.scope);
  }

  private learnedOf(locationId: string): { granted: Set<string>; missing: Set<string> } {
    let learned = this.learnedScopes.get(locationId);
    if (learned === undefined) {
      learned = { granted: new Set(), missing: new Set() };
      this.learnedScopes.set(locationId, learned);
    }
    return learned;
  }
}

function parseDelete(body: unknown, endpoint: string): void {
  parseResponse(DeleteResponseDto, body, endpoint);
}
