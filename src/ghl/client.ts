/**
 * The HighLevel client: the only code that sends HTTP to GHL (STYLE rule 5). One got instance
 * with a timeout on every request and got's own retry off: this file's loop decides retries with
 * the pure retry policy, waits on the per-location concurrency cap and rate budget before every
 * attempt, and feeds each response's X-RateLimit-* headers back to the budget.
 *
 * Order per attempt: concurrency slot → rate slot → send. The rate slot is taken last so the
 * budget's grant time is the send time.
 */
import got, { type Got, type Response } from 'got';

import type { Appointment, Contact, Note, SearchedContact, Task } from '../domain/types.js';
import { sleep as defaultSleep } from './clock.js';
import { LocationConcurrency } from './concurrency.js';
import { GhlMissingScopeError, GhlUnauthorizedError, isGhlError, type GhlError } from './errors.js';
import type {
  BusinessContactsRequest,
  BusinessContactsResult,
  CallOptions,
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
import { errorFromNetwork, errorFromResponse, malformedBodyError } from './http-errors.js';
import { walkBusiness, walkList, walkSearch } from './paging.js';
import { InMemoryRateBudget, type RateBudget } from './rate-budget.js';
import { parseRateLimitHeaders, parseRetryAfter } from './rate-limit-headers.js';
import { DEFAULT_RETRY_POLICY, decideRetry, type RetryPolicyOptions } from './retry-policy.js';
import {
  AppointmentsResponseDto,
  BusinessContactsResponseDto,
  ContactEnvelopeDto,
  DeleteResponseDto,
  ListContactsResponseDto,
  NoteEnvelopeDto,
  NotesResponseDto,
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
import { toAppointment, toContact, toNote, toSearchedContact, toTask } from './to-domain.js';

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
  /** GHL_REQUEST_TIMEOUT_MS: applies to every attempt. */
  timeoutMs: number;
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
  /** Uniform in [0, 1); tests pass a seeded one for deterministic jitter. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Retries after a 429 (default 10); they do not count against maxRetries. */
  maxRateLimitRetries?: number;
  /** Backoff base and cap for 5xx / network retries (defaults 250 ms, 10 s). */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
}

/** What the client knows about a location's token scopes. */
export interface ScopeKnowledge {
  /** From the token provider (GHL_TOKEN_SCOPES for a PIT); null when not declared. */
  declared: ReadonlySet<string> | null;
  /** Scopes of endpoints that answered successfully. */
  granted: ReadonlySet<string>;
  /** Scopes GHL refused with "not authorized for this scope". */
  missing: ReadonlySet<string>;
}

/** Fallback pause on a 429 that names no wait, when no response has told us the window yet (FACTS: 10 s). */
const UNKNOWN_WINDOW_MS = 10_000;

/** Per-attempt state the auth hook fills; passed through got's `context`. */
class AttemptContext {
  token: string | null = null;
  tokenError: unknown = null;
  constructor(readonly locationId: string) {}
}

type Outcome = { ok: true; body: unknown } | { ok: false; error: GhlError; token: string | null };

interface RequestPlan<T> {
  name: EndpointName;
  locationId: string;
  pathParams?: Record<string, string>;
  searchParams?: Record<string, string | number>;
  json?: unknown;
  /** Parses the JSON body (already zod-checked inside). */
  parse: (body: unknown, endpoint: string) => T;
  /** Deletes may answer an empty body. */
  allowEmptyBody?: boolean;
}

export class GhlClient implements GhlApi {
  private readonly http: Got;
  private readonly tokenProvider: TokenProvider;
  private readonly budget: RateBudget;
  private readonly concurrency: LocationConcurrency;
  private readonly retryOptions: RetryPolicyOptions;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly logger: GhlLogger | undefined;
  private readonly observer: UpstreamObserver | undefined;
  private readonly timeoutMs: number;
  private readonly learnedScopes = new Map<string, { granted: Set<string>; missing: Set<string> }>();

  constructor(options: GhlClientOptions) {
    this.tokenProvider = options.tokenProvider;
    this.timeoutMs = options.timeoutMs;
    this.logger = options.logger;
    this.observer = options.observer;
    this.sleep = options.sleep ?? defaultSleep;
    this.budget =
      options.rateBudget ??
      new InMemoryRateBudget({ dailyReserve: options.dailyReserve, interactiveShare: options.interactiveShare });
    this.concurrency = new LocationConcurrency(options.concurrencyPerLocation, options.interactiveShare);
    this.retryOptions = {
      maxRetries: options.maxRetries,
      maxRateLimitRetries: options.maxRateLimitRetries ?? DEFAULT_RETRY_POLICY.maxRateLimitRetries,
      baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      maxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
      random: options.random ?? Math.random,
    };
    const tokenProvider = this.tokenProvider;
    this.http = got.extend({
      prefixUrl: normaliseBaseUrl(options.baseUrl),
      timeout: { request: options.timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
      headers: { accept: 'application/json', 'user-agent': 'ghl-roofr-gateway' },
      hooks: {
        beforeRequest: [
          async (requestOptions) => {
            const context = requestOptions.context['ghl'];
            if (!(context instanceof AttemptContext)) return;
            try {
              const { accessToken } = await tokenProvider.getToken(context.locationId);
              context.token = accessToken;
              requestOptions.headers['authorization'] = `Bearer ${accessToken}`;
            } catch (error) {
              context.tokenError = error;
              throw error;
            }
          },
        ],
      },
    });
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
        name: 'getContact',
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
        name: 'searchContacts',
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
        name: 'listContacts',
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
        name: 'listBusinessContacts',
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
        name: 'createContact',
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
        name: 'updateContact',
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
        name: 'upsertContact',
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
      { name: 'deleteContact', locationId, pathParams: { contactId }, allowEmptyBody: true, parse: parseDelete },
      options,
    );
  }

  addTags(locationId: string, contactId: string, tags: string[], options?: CallOptions): Promise<string[]> {
    return this.call(
      {
        name: 'addTags',
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
        name: 'removeTags',
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
    return this.call(
      {
        name: 'listTasks',
        locationId,
        pathParams: { contactId },
        parse: (body, endpoint) =>
          parseResponse(TasksResponseDto, body, endpoint).tasks.map((task) => toTask(task, contactId)),
      },
      options,
    );
  }

  getTask(locationId: string, contactId: string, taskId: string, options?: CallOptions): Promise<Task> {
    return this.call(
      {
        name: 'getTask',
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
        name: 'createTask',
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
        name: 'updateTask',
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
        name: 'completeTask',
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
      { name: 'deleteTask', locationId, pathParams: { contactId, taskId }, allowEmptyBody: true, parse: parseDelete },
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
        name: 'searchTasks',
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
    return this.call(
      {
        name: 'listNotes',
        locationId,
        pathParams: { contactId },
        parse: (body, endpoint) =>
          parseResponse(NotesResponseDto, body, endpoint).notes.map((note) => toNote(note, contactId)),
      },
      options,
    );
  }

  getNote(locationId: string, contactId: string, noteId: string, options?: CallOptions): Promise<Note> {
    return this.call(
      {
        name: 'getNote',
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
        name: 'createNote',
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
        name: 'updateNote',
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
        name: 'deleteNote',
        locationId,
        pathParams: { contactId, id: noteId },
        allowEmptyBody: true,
        parse: parseDelete,
      },
      options,
    );
  }

  listAppointments(locationId: string, contactId: string, options?: CallOptions): Promise<Appointment[]> {
    return this.call(
      {
        name: 'listAppointments',
        locationId,
        pathParams: { contactId },
        parse: (body, endpoint) =>
          parseResponse(AppointmentsResponseDto, body, endpoint).events.map((event) => toAppointment(event, contactId)),
      },
      options,
    );
  }

  // ---- the request loop -----------------------------------------------------------------

  private async call<T>(plan: RequestPlan<T>, options: CallOptions = {}): Promise<T> {
    const spec = ENDPOINTS[plan.name];
    const endpoint = endpointLabel(spec);
    const lane: Lane = options.lane ?? 'interactive';
    await this.checkDeclaredScope(plan.locationId, spec);
    let attempt = 0;
    let rateLimitRetries = 0;
    let otherRetries = 0;
    let triedNewToken = false;
    for (;;) {
      attempt += 1;
      const outcome = await this.attempt(plan, spec, lane, options, attempt);
      if (outcome.ok) {
        const value = plan.parse(outcome.body, endpoint);
        this.learnedOf(plan.locationId).granted.add(spec.scope);
        return value;
      }
      const { error } = outcome;
      if (error.kind === 'Unauthorized' && !triedNewToken && outcome.token !== null) {
        // FACTS / official SDK: on 401 refresh and retry once.
        triedNewToken = true;
        if (await this.tokenProvider.onUnauthorized(plan.locationId, outcome.token)) continue;
      }
      if (error.kind === 'MissingScope') this.learnedOf(plan.locationId).missing.add(spec.scope);
      const decision = decideRetry(
        { error, idempotent: spec.idempotent, attempt, rateLimitRetries, otherRetries },
        this.retryOptions,
      );
      const log = {
        endpoint,
        locationId: plan.locationId,
        requestId: options.requestId,
        attempt,
        kind: error.kind,
        reason: decision.reason,
      };
      if (!decision.retry) {
        this.logger?.debug(log, 'GHL request failed');
        throw error;
      }
      this.logger?.warn({ ...log, delayMs: decision.delayMs }, 'GHL request will be retried');
      if (decision.pauseLocation) {
        // Everyone waits, not only this caller: the budget holds the location's queue.
        rateLimitRetries += 1;
        this.budget.pause(plan.locationId, decision.delayMs);
      } else {
        otherRetries += 1;
        await this.sleep(decision.delayMs, options.signal);
      }
    }
  }

  private async attempt<T>(
    plan: RequestPlan<T>,
    spec: EndpointSpec,
    lane: Lane,
    options: CallOptions,
    attempt: number,
  ): Promise<Outcome> {
    const endpoint = endpointLabel(spec);
    const release = await this.concurrency.acquire(plan.locationId, lane, options.signal);
    let recorded = false;
    let granted = false;
    let status: number | null = null;
    const started = performance.now();
    const context = new AttemptContext(plan.locationId);
    try {
      await this.budget.acquire(plan.locationId, lane, { endpoint, signal: options.signal });
      granted = true;
      const headers: Record<string, string> = { version: versionFor(spec.path) };
      if (options.requestId !== undefined) headers['x-request-id'] = options.requestId;
      let response: Response<string>;
      try {
        response = await this.http(buildPath(spec, plan.pathParams ?? {}), {
          method: spec.method,
          headers,
          searchParams: plan.searchParams,
          json: plan.json,
          context: { ghl: context },
          signal: options.signal,
        });
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        if (context.tokenError !== null) {
          const message = context.tokenError instanceof Error ? context.tokenError.message : 'no token';
          return {
            ok: false,
            error: new GhlUnauthorizedError(endpoint, `No HighLevel token for location ${plan.locationId}: ${message}`),
            token: null,
          };
        }
        return { ok: false, error: errorFromNetwork(spec, error, this.timeoutMs), token: context.token };
      }
      status = response.statusCode;
      const limits = parseRateLimitHeaders(response.headers);
      this.budget.record(plan.locationId, limits);
      recorded = true;
      if (status >= 200 && status < 300) return this.readBody(plan, spec, response.body);
      const retryAfterMs =
        parseRetryAfter(response.headers, Date.now()) ??
        limits?.intervalMs ??
        this.budget.intervalMs(plan.locationId) ??
        UNKNOWN_WINDOW_MS;
      return {
        ok: false,
        error: errorFromResponse(spec, { status, bodyText: response.body, retryAfterMs }),
        token: context.token,
      };
    } finally {
      if (granted && !recorded) this.budget.record(plan.locationId, null);
      release();
      if (granted) {
        const durationMs = performance.now() - started;
        options.observer?.onRequest({ method: spec.method, endpoint, status, durationMs, attempt });
        this.observer?.onRequest({ method: spec.method, endpoint, status, durationMs, attempt });
        this.logger?.debug(
          {
            endpoint,
            locationId: plan.locationId,
            requestId: options.requestId,
            status,
            attempt,
            durationMs: Math.round(durationMs),
          },
          'GHL request',
        );
      }
    }
  }

  private readBody<T>(plan: RequestPlan<T>, spec: EndpointSpec, text: string): Outcome {
    if (text.trim() === '') {
      if (plan.allowEmptyBody === true) return { ok: true, body: {} };
      return { ok: false, error: malformedBodyError(spec, 'empty body'), token: null };
    }
    try {
      return { ok: true, body: JSON.parse(text) as unknown };
    } catch (error) {
      return {
        ok: false,
        error: malformedBodyError(spec, error instanceof Error ? error.message : 'unparseable'),
        token: null,
      };
    }
  }

  /** A token that declares its scopes and lacks this one: refuse without spending a request. */
  private async checkDeclaredScope(locationId: string, spec: EndpointSpec): Promise<void> {
    let scopes: ReadonlySet<string> | null;
    try {
      ({ scopes } = await this.tokenProvider.getToken(locationId));
    } catch (error) {
      if (isGhlError(error)) throw error;
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
