/**
 * /__admin/*: the simulator's control surface over HTTP (JSON), for processes that cannot use
 * the programmatic API (demo mode, benchmarks, the CLI). Bodies are parsed with zod; admin
 * calls bypass auth, faults, rate limits and the request counters.
 */
import { z } from 'zod';
import { SimHttpError, unprocessable } from './errors.js';
import type { Faults } from './faults.js';
import type { OAuthService } from './oauth.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RequestLog } from './request-log.js';
import type { RouteResult } from './router.js';
import type { AdminHandler } from './server.js';
import type { TokenRegistry } from './tokens.js';
import type { WebhookDispatcher } from './webhooks.js';
import { issueMessages } from './validation.js';
import type { SimClock } from './clock.js';
import type { Json } from './views.js';

const Scope = { path: z.string().optional(), method: z.string().optional() };
const Counted = z.object({ count: z.number().int().min(0), ...Scope });
const Rate = z
  .object({ rate: z.number().min(0).max(1), ...Scope })
  .nullable()
  .optional();
const AdminFaultsBody = z.strictObject({
  latency: z
    .object({
      ms: z.number().min(0),
      jitterMs: z.number().min(0).optional(),
      rate: z.number().min(0).max(1).optional(),
      ...Scope,
    })
    .nullable()
    .optional(),
  errorRate: z
    .object({
      rate: z.number().min(0).max(1),
      statuses: z.array(z.union([z.literal(500), z.literal(502), z.literal(503)])).optional(),
      ...Scope,
    })
    .nullable()
    .optional(),
  failNext: Counted.extend({ status: z.union([z.literal(500), z.literal(502), z.literal(503)]).optional() }).optional(),
  rateLimitNext: Counted.optional(),
  hangNext: Counted.optional(),
  resetNext: Counted.optional(),
  malformNext: Counted.optional(),
  hangRate: Rate,
  resetRate: Rate,
  malformedRate: Rate,
});
type AdminFaultsBody = z.infer<typeof AdminFaultsBody>;

const AdminRateLimitBody = z.strictObject({
  max: z.number().int().min(0).optional(),
  intervalMs: z.number().int().positive().optional(),
  dailyMax: z.number().int().min(0).optional(),
  sendRetryAfter: z.boolean().optional(),
  resetCounters: z.boolean().optional(),
});
type AdminRateLimitBody = z.infer<typeof AdminRateLimitBody>;

const AdminTokenBody = z.strictObject({
  token: z.string().min(1).optional(),
  locationId: z.string().optional(),
  companyId: z.string().optional(),
  scopes: z.array(z.string()),
  expiresAt: z.number().optional(),
  userType: z.enum(['Location', 'Company']).optional(),
});
type AdminTokenBody = z.infer<typeof AdminTokenBody>;

const AdminTokenRefBody = z.strictObject({ token: z.string().min(1) });
type AdminTokenRefBody = z.infer<typeof AdminTokenRefBody>;
const AdminScopesBody = z.strictObject({ token: z.string().min(1), scopes: z.array(z.string()) });
type AdminScopesBody = z.infer<typeof AdminScopesBody>;
const AdminAuthorizeBody = z.strictObject({
  clientId: z.string().min(1),
  scopes: z.array(z.string()),
  locationId: z.string().optional(),
  companyId: z.string().optional(),
  redirectUri: z.string().optional(),
});
type AdminAuthorizeBody = z.infer<typeof AdminAuthorizeBody>;
const AdminWebhookTargetBody = z.strictObject({ url: z.url().nullable() });
type AdminWebhookTargetBody = z.infer<typeof AdminWebhookTargetBody>;
const AdminEmitBody = z.strictObject({
  event: z
    .record(z.string(), z.unknown())
    .refine((event) => typeof event.type === 'string', { message: 'event.type must be a string' }),
});
type AdminEmitBody = z.infer<typeof AdminEmitBody>;
const AdminClockBody = z.strictObject({ ms: z.number().min(0) });
const AdminRequestIdQuery = z.strictObject({ requestId: z.string().min(1) });
export const AdminPageQuery = z.strictObject({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  locationId: z.string().optional(),
});
export type AdminPageQuery = z.infer<typeof AdminPageQuery>;
const AdminSearchLagBody = z.strictObject({ ms: z.number().int().min(0) });
type AdminSearchLagBody = z.infer<typeof AdminSearchLagBody>;
type AdminClockBody = z.infer<typeof AdminClockBody>;

function parse<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  const result = schema.safeParse(body ?? {}, { reportInput: true });
  if (!result.success) throw unprocessable(issueMessages(result.error.issues));
  return result.data;
}

interface AdminDeps {
  faults: Faults;
  log: RequestLog;
  rateLimiter: RateLimiter;
  tokens: TokenRegistry;
  oauth: OAuthService;
  webhooks: WebhookDispatcher;
  clock: SimClock;
  setSearchLag(ms: number): void;
  /** Revokes an access or a refresh token. */
  revoke(token: string): boolean;
  /** One page of a location's contacts with their tasks and notes, as the API would show them. */
  contactsPage(query: AdminPageQuery): { total: number; contacts: Json[] };
}

const ok = (body: Record<string, unknown> = { ok: true }): RouteResult => ({ status: 200, body });

export function createAdminHandler(deps: AdminDeps): AdminHandler {
  const routes: Record<string, (body: unknown, url: URL) => RouteResult | Promise<RouteResult>> = {
    'GET /__admin/requests': () => ok({ ...deps.log.snapshot() }),
    'GET /__admin/requests/by-id': (_body, url) => {
      const { requestId } = parse(AdminRequestIdQuery, Object.fromEntries(url.searchParams));
      return ok({ requestId, seen: deps.log.forRequestId(requestId) });
    },
    'DELETE /__admin/requests': () => {
      deps.log.reset();
      return ok();
    },
    'GET /__admin/faults': () => ok({ ...deps.faults.describe() }),
    'POST /__admin/faults': (raw) => {
      const body = parse(AdminFaultsBody, raw);
      if (body.latency !== undefined) deps.faults.setLatency(body.latency);
      if (body.errorRate !== undefined) deps.faults.setErrorRate(body.errorRate);
      if (body.failNext) deps.faults.failNext(body.failNext.count, body.failNext.status, body.failNext);
      if (body.rateLimitNext) deps.faults.rateLimitNext(body.rateLimitNext.count, body.rateLimitNext);
      if (body.hangNext) deps.faults.hangNext(body.hangNext.count, body.hangNext);
      if (body.resetNext) deps.faults.resetNext(body.resetNext.count, body.resetNext);
      if (body.malformNext) deps.faults.malformNext(body.malformNext.count, body.malformNext);
      if (body.hangRate !== undefined) deps.faults.setRate('hang', body.hangRate);
      if (body.resetRate !== undefined) deps.faults.setRate('reset', body.resetRate);
      if (body.malformedRate !== undefined) deps.faults.setRate('malformed', body.malformedRate);
      return ok({ ...deps.faults.describe() });
    },
    'DELETE /__admin/faults': () => {
      deps.faults.reset();
      return ok();
    },
    'GET /__admin/rate-limit': () => ok({ ...deps.rateLimiter.settings() }),
    'POST /__admin/rate-limit': (raw) => {
      const { resetCounters, ...config } = parse(AdminRateLimitBody, raw);
      deps.rateLimiter.configure(config);
      if (resetCounters) deps.rateLimiter.resetCounters();
      return ok({ ...deps.rateLimiter.settings() });
    },
    'POST /__admin/tokens': (raw) => {
      const body = parse(AdminTokenBody, raw);
      return ok({ token: deps.tokens.issue(body).token });
    },
    'POST /__admin/tokens/revoke': (raw) => ok({ revoked: deps.revoke(parse(AdminTokenRefBody, raw).token) }),
    'POST /__admin/tokens/restore': (raw) => ok({ restored: deps.tokens.restore(parse(AdminTokenRefBody, raw).token) }),
    'POST /__admin/tokens/scopes': (raw) => {
      const body = parse(AdminScopesBody, raw);
      return ok({ updated: deps.tokens.setScopes(body.token, body.scopes) });
    },
    'POST /__admin/oauth/authorize': (raw) => ok({ code: deps.oauth.authorize(parse(AdminAuthorizeBody, raw)) }),
    'GET /__admin/webhook-keys': () => ok({ ...deps.webhooks.publicKeys }),
    'POST /__admin/webhooks/target': (raw) => {
      deps.webhooks.setTarget(parse(AdminWebhookTargetBody, raw).url);
      return ok({ url: deps.webhooks.getTarget() });
    },
    'GET /__admin/webhooks/deliveries': () =>
      ok({ deliveries: [...deps.webhooks.deliveries], forgotten: deps.webhooks.forgotten }),
    'POST /__admin/webhooks/emit': async (raw) =>
      ok({ ...(await deps.webhooks.publish(parse(AdminEmitBody, raw).event)) }),
    'GET /__admin/contacts': (_body, url) =>
      ok({ ...deps.contactsPage(parse(AdminPageQuery, Object.fromEntries(url.searchParams))) }),
    'POST /__admin/search-lag': (raw) => {
      const { ms } = parse(AdminSearchLagBody, raw);
      deps.setSearchLag(ms);
      return ok({ ms });
    },
    'POST /__admin/clock/advance': (raw) => {
      deps.clock.advance(parse(AdminClockBody, raw).ms);
      return ok({ now: new Date(deps.clock.now()).toISOString() });
    },
  };
  return {
    handle(method, url, body) {
      const route = routes[`${method} ${url.pathname.replace(/\/+$/, '')}`];
      if (!route)
        throw new SimHttpError(404, {
          statusCode: 404,
          message: `No admin route ${method} ${url.pathname}`,
          routes: Object.keys(routes),
        });
      return route(body, url);
    },
  };
}
