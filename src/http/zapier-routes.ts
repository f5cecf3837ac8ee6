/**
 * Zapier's side of the HTTP surface, authenticated exactly as /graphql is (an API key in
 * x-api-key or `Authorization: Bearer gk_…`, a JWT, or the demo caller in demo mode; x-location-id
 * picks one of the caller's locations) and scoped to the caller's locations:
 * - REST Hooks triggers: POST /zapier/hooks subscribes a target URL to an event of the request's
 *   location; DELETE /zapier/hooks/:id removes one of the caller's locations' subscriptions;
 *   GET /zapier/samples/:event lists recent items for Zapier's editor, shaped exactly like the
 *   deliveries (src/notify/zapier-payloads.ts); GET /zapier/me is the app's auth test.
 * - Actions: POST /webhooks/roofr[/:locationId] carrying an API key (with the write role) and no
 *   signature: a Roofr event forwarded by a Zap that cannot compute the HMAC. Signed requests
 *   (x-roofr-signature or x-roofr-webhook-secret) pass through untouched to the signed route.
 * Answers are JSON; refusals carry `error: { code, message }` (the Roofr intake keeps the webhook
 * routes' `{ accepted, reason, detail }`).
 */
import { createHash } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import { z } from 'zod';
import type { RequestLike } from '../auth/authenticate-request.js';
import { hasRole, type CallerIdentity, type Role } from '../auth/caller-identity.js';
import { isAllowedZapierTarget } from '../notify/notify-config.js';
import {
  contactSyncedPayload,
  deadLetterPayload,
  isZapierEvent,
  notificationPayload,
  syncRunFinishedPayload,
  ZAPIER_EVENTS,
  type ZapierEvent,
  type ZapierPayload,
} from '../notify/zapier-payloads.js';
import { parseRoofrWebhookEvent } from '../roofr/webhook-events.js';
import {
  ROOFR_SHARED_SECRET_HEADER,
  ROOFR_SIGNATURE_HEADER,
  RoofrWebhookEnvelopeSchema,
} from '../roofr/webhook-signature.js';
import type { NotificationsRepo } from '../store/notifications-repo.js';
import type { WebhooksRepo } from '../store/webhooks-repo.js';
import type { ZapierHooksRepo } from '../store/zapier-hooks-repo.js';
import { acceptAndAnswer, answerUnavailable, reject } from './webhook-routes.js';

export interface AuthenticatedRequest {
  locationId: string;
  caller: CallerIdentity;
}

interface ZapierRoutesOptions {
  /** The /graphql authentication: the caller and the request's location, or a coded GraphQLError. */
  authenticate: (req: RequestLike) => Promise<AuthenticatedRequest>;
  hooks: Pick<
    ZapierHooksRepo,
    'subscribe' | 'unsubscribe' | 'recentSyncedContacts' | 'recentFinishedRuns' | 'recentDeadLetters'
  >;
  notifications: Pick<NotificationsRepo, 'latest'>;
  /** ZAPIER_TARGET_HOSTS. */
  allowedHosts: readonly string[];
  /** A subscription of (event, location) was added or removed here. */
  onSubscriptionChanged?: (event: string, locationId: string) => void;
  roofrIntake: {
    webhooks: Pick<WebhooksRepo, 'accept'>;
    queueMax: number;
    onAccepted?: () => void;
  };
  logger?: { warn(fields: Record<string, unknown>, message: string): void };
}

/** What each trigger needs: its items are sync-admin data except synced contacts. */
const EVENT_ROLE: Readonly<Record<ZapierEvent, Role>> = {
  contact_synced: 'read',
  sync_run_finished: 'sync-admin',
  dead_letter: 'sync-admin',
  notification: 'sync-admin',
};

const MAX_SAMPLES = 25;

const SubscribeBodySchema = z
  .object({
    targetUrl: z.string().optional(),
    target_url: z.string().optional(),
    event: z.string(),
  })
  .transform((body) => ({ targetUrl: body.targetUrl ?? body.target_url, event: body.event }));

/** The Zap's body: a Roofr webhook envelope whose id and timestamp the Zap may leave out. */
const ZapRoofrEventSchema = z.object({
  id: z.string().min(1).optional(),
  event: z.string(),
  timestamp: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});

function refuse(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The status and code of a refused caller (the GraphQLError the /graphql authentication throws). */
function authRefusal(error: unknown): { status: number; code: string; message: string } | null {
  if (!(error instanceof GraphQLError)) return null;
  const http = error.extensions['http'];
  const status =
    typeof http === 'object' && http !== null && 'status' in http && typeof http.status === 'number'
      ? http.status
      : 401;
  const code = typeof error.extensions['code'] === 'string' ? error.extensions['code'] : 'UNAUTHENTICATED';
  return { status, code, message: error.message };
}

function param(req: Request, name: string): string | null {
  const value: unknown = req.params[name];
  if (typeof value === 'string') return value;
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : null;
}

function presentsApiKey(req: Request): boolean {
  const authorization = header(req, 'authorization') ?? '';
  return header(req, 'x-api-key') !== undefined || /^bearer\s+gk_/i.test(authorization);
}

export function createZapierRouter(options: ZapierRoutesOptions): Router {
  const router = Router();
  const json = express.json({ limit: '100kb' });

  /** Authenticates like /graphql; answers the refusal itself and resolves null then. */
  async function authenticated(req: Request, res: Response): Promise<AuthenticatedRequest | null> {
    try {
      return await options.authenticate(req);
    } catch (error) {
      const refusal = authRefusal(error);
      if (refusal === null) throw error;
      refuse(res, refusal.status, refusal.code, refusal.message);
      return null;
    }
  }

  function mayUse(res: Response, caller: CallerIdentity, event: ZapierEvent): boolean {
    const role = EVENT_ROLE[event];
    if (hasRole(caller, role)) return true;
    refuse(
      res,
      403,
      'FORBIDDEN',
      `The ${event} trigger needs the "${role}" role; the caller has ${caller.roles.join(', ')}`,
    );
    return false;
  }

  function unknownEvent(res: Response, event: string): void {
    refuse(res, 404, 'NOT_FOUND', `"${event}" is not an event; use one of ${ZAPIER_EVENTS.join(', ')}`);
  }

  const guard =
    (handler: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction): void => {
      handler(req, res).catch(next);
    };

  router.get(
    '/zapier/me',
    guard(async (req, res) => {
      const auth = await authenticated(req, res);
      if (auth === null) return;
      res.json({
        subject: auth.caller.subject,
        kind: auth.caller.kind,
        locationId: auth.locationId,
        locations: auth.caller.locations,
        roles: auth.caller.roles,
      });
    }),
  );

  router.post(
    '/zapier/hooks',
    json,
    guard(async (req, res) => {
      const auth = await authenticated(req, res);
      if (auth === null) return;
      const body = SubscribeBodySchema.safeParse(req.body);
      if (!body.success) return refuse(res, 400, 'BAD_USER_INPUT', 'send { "targetUrl": "https://…", "event": "…" }');
      const { targetUrl, event } = body.data;
      if (!isZapierEvent(event)) return unknownEvent(res, event);
      if (!mayUse(res, auth.caller, event)) return;
      if (targetUrl === undefined || !isAllowedZapierTarget(targetUrl, options.allowedHosts))
        return refuse(
          res,
          400,
          'BAD_USER_INPUT',
          `targetUrl must be an https URL on ${options.allowedHosts.join(', ')} (ZAPIER_TARGET_HOSTS)`,
        );
      const { hook, created } = await options.hooks.subscribe({
        locationId: auth.locationId,
        event,
        targetUrl,
        subscriber: auth.caller.subject,
      });
      options.onSubscriptionChanged?.(event, auth.locationId);
      res.status(created ? 201 : 200).json({
        id: hook.id,
        event: hook.event,
        targetUrl: hook.targetUrl,
        locationId: hook.locationId,
        createdAt: hook.createdAt,
        // Deliveries carry x-gateway-signature made with it; Zapier ignores it, other receivers may check.
        secret: hook.secret,
      });
    }),
  );

  router.delete(
    '/zapier/hooks/:id',
    guard(async (req, res) => {
      const auth = await authenticated(req, res);
      if (auth === null) return;
      const id = param(req, 'id') ?? '';
      if (!(await options.hooks.unsubscribe(id, auth.caller.locations)))
        return refuse(res, 404, 'NOT_FOUND', `no subscription ${id} in this caller's locations`);
      for (const event of ZAPIER_EVENTS) options.onSubscriptionChanged?.(event, auth.locationId);
      res.json({ id, deleted: true });
    }),
  );

  router.get(
    '/zapier/samples/:event',
    guard(async (req, res) => {
      const auth = await authenticated(req, res);
      if (auth === null) return;
      const event = param(req, 'event') ?? '';
      if (!isZapierEvent(event)) return unknownEvent(res, event);
      if (!mayUse(res, auth.caller, event)) return;
      const requested = Number(req.query['limit'] ?? 3);
      const limit = Number.isInteger(requested) ? Math.min(Math.max(requested, 1), MAX_SAMPLES) : 3;
      res.json(await samples(event, auth.locationId, limit));
    }),
  );

  async function samples(event: ZapierEvent, locationId: string, limit: number): Promise<ZapierPayload[]> {
    switch (event) {
      case 'contact_synced':
        return (await options.hooks.recentSyncedContacts(locationId, limit)).map((row) =>
          contactSyncedPayload({ ...row, locationId }),
        );
      case 'sync_run_finished':
        return (await options.hooks.recentFinishedRuns(locationId, limit)).map((run) => syncRunFinishedPayload(run));
      case 'dead_letter':
        return (await options.hooks.recentDeadLetters(locationId, limit)).map((row) =>
          deadLetterPayload({ ...row, locationId }),
        );
      case 'notification':
        return (await options.notifications.latest(locationId, limit)).map(notificationPayload);
    }
  }

  const roofrByApiKey = guard(async (req, res) => {
    const auth = await authenticated(req, res);
    if (auth === null) return;
    if (auth.caller.kind !== 'api-key')
      return reject(res, 401, 'missing-signature', 'sign the body, or send an API key (x-api-key) with the write role');
    if (!hasRole(auth.caller, 'write'))
      return reject(res, 403, 'forbidden', 'the API key needs the "write" role to send Roofr events');
    const urlLocation = param(req, 'locationId');
    if (urlLocation !== null && !auth.caller.locations.includes(urlLocation))
      return reject(res, 403, 'forbidden', `this API key may not use location ${urlLocation}`);
    const locationId = urlLocation ?? auth.locationId;
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return reject(res, 400, 'malformed-body', 'the body is not JSON');
    }
    const zap = ZapRoofrEventSchema.safeParse(body);
    if (!zap.success)
      return reject(res, 400, 'malformed-body', 'send { "event": "…", "data": { … } } (id and timestamp optional)');
    // Without an id, the body's hash: a Zap retrying the same step sends the same event once.
    const id =
      zap.data.id ??
      header(req, 'x-roofr-event-id') ??
      `zap-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
    const envelope = RoofrWebhookEnvelopeSchema.safeParse({
      id,
      event: zap.data.event,
      timestamp: zap.data.timestamp ?? new Date().toISOString(),
      data: zap.data.data,
    });
    if (!envelope.success) {
      const issue = envelope.error.issues[0];
      return reject(
        res,
        400,
        'malformed-body',
        `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unexpected shape'}`,
      );
    }
    const parsed = parseRoofrWebhookEvent(envelope.data);
    if (!parsed.ok) return reject(res, 400, 'malformed-body', parsed.detail);
    try {
      await acceptAndAnswer(
        res,
        options.roofrIntake.webhooks,
        {
          source: 'roofr',
          webhookId: envelope.data.id,
          locationId,
          eventType: envelope.data.event,
          payload: envelope.data,
        },
        options.roofrIntake.queueMax,
        options.roofrIntake.onAccepted,
      );
    } catch (error) {
      answerUnavailable(res, error, options.logger);
    }
  });

  /** Signed Roofr webhooks, and requests with no API key, go on to the signed route. */
  const unsignedWithKey = (req: Request, _res: Response, next: NextFunction): void => {
    const signed =
      header(req, ROOFR_SIGNATURE_HEADER) !== undefined || header(req, ROOFR_SHARED_SECRET_HEADER) !== undefined;
    next(signed || !presentsApiKey(req) ? 'route' : undefined);
  };
  const raw = express.raw({ type: () => true, limit: '1mb' });
  router.post('/webhooks/roofr', unsignedWithKey, raw, roofrByApiKey);
  router.post('/webhooks/roofr/:locationId', unsignedWithKey, raw, roofrByApiKey);

  return router;
}
