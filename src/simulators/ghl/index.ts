/**
 * The spec-faithful HighLevel simulator: `startGhlSimulator()` starts a real HTTP server that
 * answers with GHL's paths, bodies, statuses and quirks (see docs/ghl-facts.md), and returns handles to
 * steer it (faults, tokens, rate limits, webhooks, OAuth, clock) and to inspect it (data, log).
 */
import { createAdminHandler } from './admin.js';
import type { AdminPageQuery } from './admin.js';
import { SimClock } from './clock.js';
import { Faults } from './faults.js';
import type { ContactRecord } from './model.js';
import { OAuthService } from './oauth.js';
import type { AuthorizeRequest, OAuthClient } from './oauth.js';
import {
  DEFAULT_ACCESS_TOKEN_TTL_SEC,
  DEFAULT_COMPANY_ID,
  DEFAULT_CONTACTS,
  DEFAULT_LOCATION_ID,
  DEFAULT_OAUTH_CLIENT,
  DEMO_SCOPES,
  DEMO_TOKEN,
  MAX_CONTACTS_PER_LOCATION,
} from './options.js';
import type { GhlSimulatorOptions } from './options.js';
import { RateLimiter } from './rate-limiter.js';
import type { RateLimitConfig } from './rate-limiter.js';
import { RequestLog } from './request-log.js';
import { Router } from './router.js';
import type { SimServices } from './router.js';
import { appointmentRoutes } from './routes/appointments.js';
import { contactRoutes } from './routes/contacts.js';
import { locationTaskRoutes } from './routes/location-tasks.js';
import { noteRoutes } from './routes/notes.js';
import { oauthRoutes } from './routes/oauth.js';
import { opportunityRoutes } from './routes/opportunities.js';
import { searchRoutes } from './routes/search.js';
import { tagRoutes } from './routes/tags.js';
import { taskRoutes } from './routes/tasks.js';
import { ContactViews } from './search.js';
import { GhlSimServer } from './server.js';
import { SimStore } from './store.js';
import type { ContactPatch } from './store.js';
import { TokenRegistry } from './tokens.js';
import type { TokenInput, TokenRecord } from './tokens.js';
import { appointmentView, contactView, noteView, taskView } from './views.js';
import type { Json } from './views.js';
import { WebhookDispatcher } from './webhooks.js';
import type { WebhookDelivery } from './webhooks.js';
import type { WebhookPublicKeys } from './webhook-signer.js';
import { prepareWebhookKeys } from './webhook-signer.js';

export type { GhlSimulatorOptions } from './options.js';
export { DEFAULT_LOCATION_ID, DEFAULT_OAUTH_CLIENT, DEMO_SCOPES, DEMO_TOKEN } from './options.js';
export type { RateLimitConfig } from './rate-limiter.js';
export type { Faults } from './faults.js';
export type { RequestLog } from './request-log.js';
interface SimLocationInfo {
  id: string;
  companyId: string;
  allowDuplicateContacts: boolean;
  businessIds: string[];
  userIds: string[];
  calendarIds: string[];
  customFields: Array<{ id: string; key: string }>;
}

/** Read access for assertions (GHL-shaped JSON, as the API would answer) and seeding helpers. */
export interface SimData {
  getContact(contactId: string): Json | undefined;
  listContactIds(locationId?: string): string[];
  contactCount(locationId?: string): number;
  tasksOf(contactId: string): Json[];
  notesOf(contactId: string): Json[];
  appointmentsOf(contactId: string): Json[];
  /** Adds a contact directly (no webhook, no duplicate check); returns it as GET would. */
  addContact(fields: ContactPatch, locationId?: string): Json;
  location(locationId?: string): SimLocationInfo;
  setAllowDuplicateContacts(allow: boolean, locationId?: string): void;
}

export interface SimTokens {
  /** Issues a token; returns its string. Defaults: a Location token of the default location. */
  issue(input: Partial<TokenInput> & { scopes: readonly string[] }): string;
  /** Revokes an access token, a PIT or a refresh token; false when unknown. */
  revoke(token: string): boolean;
  /** Accepts a revoked access token or PIT again; false when unknown. */
  restore(token: string): boolean;
  setScopes(token: string, scopes: readonly string[]): boolean;
  get(token: string): TokenRecord | undefined;
}

export interface SimOAuth {
  authorize(request: AuthorizeRequest): string;
  addClient(client: OAuthClient): void;
  setAccessTokenTtl(seconds: number): void;
  readonly clients: readonly OAuthClient[];
}

export interface SimWebhooks {
  readonly publicKeys: WebhookPublicKeys;
  setTarget(url: string | null): void;
  /** Sends any event (e.g. INSTALL / UNINSTALL), stamped and signed; resolves with the outcome. */
  emit(event: Json): Promise<WebhookDelivery>;
  /** Resolves when every queued delivery has finished. */
  idle(): Promise<void>;
  readonly deliveries: readonly WebhookDelivery[];
}

export interface GhlSimulator {
  url: string;
  port: number;
  /** The default location. */
  locationId: string;
  companyId: string;
  locationIds: string[];
  /** The default Private Integration Token, or null when `tokens` replaced it. */
  demoToken: string | null;
  close(): Promise<void>;
  faults: Faults;
  log: RequestLog;
  data: SimData;
  tokens: SimTokens;
  oauth: SimOAuth;
  webhooks: SimWebhooks;
  setRateLimit(config: Partial<RateLimitConfig>): void;
  rateLimit(): RateLimitConfig;
  /** Forgets all burst and daily counts. */
  resetRateLimitCounters(): void;
  /** How long writes take to show in POST /contacts/search (0: immediately). */
  setSearchLag(ms: number): void;
  clock: { now(): number; advance(ms: number): void };
}

function startOfUtcDay(epoch: number): number {
  return Math.floor(epoch / 86_400_000) * 86_400_000;
}

export async function startGhlSimulator(options: GhlSimulatorOptions = {}): Promise<GhlSimulator> {
  const seed = options.seed ?? 42;
  // Key generation runs on the thread pool while the seeding below keeps the main thread busy.
  const keysReady = prepareWebhookKeys();
  const clock = new SimClock();
  const companyId = options.companyId ?? DEFAULT_COMPANY_ID;
  const store = new SimStore(seed, options.referenceTime ?? startOfUtcDay(Date.now()), clock);
  const locationSpecs = options.locations ?? [{ locationId: options.locationId ?? DEFAULT_LOCATION_ID }];
  if (locationSpecs.length === 0) throw new Error('startGhlSimulator: locations must not be empty');
  for (const spec of locationSpecs) {
    const contacts = spec.contacts ?? options.contacts ?? DEFAULT_CONTACTS;
    if (!Number.isInteger(contacts) || contacts < 0 || contacts > MAX_CONTACTS_PER_LOCATION) {
      throw new Error(`startGhlSimulator: contacts must be an integer between 0 and ${MAX_CONTACTS_PER_LOCATION}`);
    }
    store.addLocation({
      id: spec.locationId,
      companyId: spec.companyId ?? companyId,
      contacts,
      allowDuplicateContacts: spec.allowDuplicateContacts ?? options.allowDuplicateContacts ?? false,
    });
  }
  const defaultLocation = locationSpecs[0]?.locationId ?? DEFAULT_LOCATION_ID;
  store.searchLagMs = options.searchLagMs ?? 0;

  const log = new RequestLog();
  const tokens = new TokenRegistry(companyId);
  const tokenOptions = options.tokens ?? [{ token: DEMO_TOKEN, locationId: defaultLocation, scopes: DEMO_SCOPES }];
  for (const token of tokenOptions) tokens.issue({ ...token, kind: token.token.startsWith('pit-') ? 'pit' : 'oauth' });
  const oauthClients = options.oauthClients ?? [DEFAULT_OAUTH_CLIENT];
  const oauth = new OAuthService(
    oauthClients,
    options.accessTokenTtlSec ?? DEFAULT_ACCESS_TOKEN_TTL_SEC,
    tokens,
    store,
    clock,
    companyId,
  );
  const webhooks = new WebhookDispatcher(options.webhookUrl, log, clock, options.webhookHistory);
  const faults = new Faults(seed, options.latencyMs ?? 0);
  const rateLimiter = new RateLimiter(options.rateLimit ?? {}, clock);
  const services: SimServices = { store, views: new ContactViews(store), tokens, webhooks, oauth, clock };
  const revoke = (token: string): boolean => tokens.revoke(token) || oauth.revokeRefreshToken(token);
  const router = new Router([
    ...searchRoutes,
    ...contactRoutes,
    ...taskRoutes,
    ...noteRoutes,
    ...appointmentRoutes,
    ...opportunityRoutes,
    ...tagRoutes,
    ...locationTaskRoutes,
    ...oauthRoutes,
  ]);
  const setSearchLag = (ms: number): void => {
    store.searchLagMs = ms;
  };
  const contactsPage = ({ offset, limit, locationId }: AdminPageQuery): { total: number; contacts: Json[] } => {
    const all = [...store.requireLocation(locationId ?? defaultLocation).contacts.values()];
    return {
      total: all.length,
      contacts: all.slice(offset, offset + limit).map((contact) => {
        const children = store.children(contact);
        return {
          ...contactView(contact),
          tasks: children.tasks.map(taskView),
          notes: children.notes.map(noteView),
        };
      }),
    };
  };
  const admin = createAdminHandler({
    faults,
    log,
    rateLimiter,
    tokens,
    oauth,
    webhooks,
    clock,
    revoke,
    setSearchLag,
    contactsPage,
  });
  const server = new GhlSimServer({ router, services, log, faults, rateLimiter, admin });
  const host = options.host ?? '127.0.0.1';
  await keysReady;
  const port = await server.listen(options.port ?? 0, host);

  const locationOf = (locationId?: string) => store.requireLocation(locationId ?? defaultLocation);
  const contactOrThrow = (contactId: string): ContactRecord => {
    const contact = store.findContact(contactId);
    if (!contact) throw new Error(`No simulated contact ${contactId}`);
    return contact;
  };

  const data: SimData = {
    getContact: (contactId) => {
      const contact = store.findContact(contactId);
      return contact ? contactView(contact) : undefined;
    },
    listContactIds: (locationId) => [...locationOf(locationId).contacts.keys()],
    contactCount: (locationId) => locationOf(locationId).contacts.size,
    tasksOf: (contactId) => store.children(contactOrThrow(contactId)).tasks.map(taskView),
    notesOf: (contactId) => store.children(contactOrThrow(contactId)).notes.map(noteView),
    appointmentsOf: (contactId) => store.children(contactOrThrow(contactId)).appointments.map(appointmentView),
    addContact: (fields, locationId) => contactView(store.createContact(locationOf(locationId).record.id, fields)),
    location: (locationId) => {
      const record = locationOf(locationId).record;
      return {
        id: record.id,
        companyId: record.companyId,
        allowDuplicateContacts: record.allowDuplicateContacts,
        businessIds: record.businesses.map((business) => business.id),
        userIds: [...record.userIds],
        calendarIds: [...record.calendarIds],
        customFields: record.customFieldIds.map((id, index) => ({
          id,
          key: ['roof_type', 'roof_age_years', 'insurance_carrier', 'lead_quality'][index] ?? id,
        })),
      };
    },
    setAllowDuplicateContacts: (allow, locationId) => {
      locationOf(locationId).record.allowDuplicateContacts = allow;
    },
  };

  const clients = [...oauthClients];
  return {
    url: `http://${host}:${port}`,
    port,
    locationId: defaultLocation,
    companyId,
    locationIds: store.locations().map((location) => location.id),
    demoToken: options.tokens === undefined ? DEMO_TOKEN : null,
    close: async () => {
      await server.close();
      await webhooks.idle();
    },
    faults,
    log,
    data,
    tokens: {
      issue: (input) =>
        tokens.issue({ locationId: input.userType === 'Company' ? undefined : defaultLocation, ...input }).token,
      revoke,
      restore: (token) => tokens.restore(token),
      setScopes: (token, scopes) => tokens.setScopes(token, scopes),
      get: (token) => tokens.get(token),
    },
    oauth: {
      authorize: (request) => oauth.authorize(request),
      addClient: (client) => {
        clients.push(client);
        oauth.addClient(client);
      },
      setAccessTokenTtl: (seconds) => oauth.setAccessTokenTtl(seconds),
      clients,
    },
    webhooks: {
      get publicKeys() {
        return webhooks.publicKeys;
      },
      setTarget: (url) => webhooks.setTarget(url),
      emit: (event) => webhooks.publish(event),
      idle: () => webhooks.idle(),
      get deliveries() {
        return webhooks.deliveries;
      },
    },
    setRateLimit: (config) => rateLimiter.configure(config),
    rateLimit: () => rateLimiter.settings(),
    resetRateLimitCounters: () => rateLimiter.resetCounters(),
    setSearchLag,
    clock: { now: () => clock.now(), advance: (ms) => clock.advance(ms) },
  };
}
