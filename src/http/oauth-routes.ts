/**
 * The OAuth install flow over HTTP:
 *   GET /oauth/install  → 302 to HighLevel's consent page with a signed, single-use state
 *   GET /oauth/callback → checks the state, exchanges the code, stores the grant encrypted,
 *                         and shows which location is connected with which scopes.
 * Pages never show tokens; failures say what to do next.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { OAuthStateSigner } from '../auth/oauth-state.js';
import type { TokenVault } from '../auth/token-vault.js';
import { OAuthRequestError, type OAuthApi, type UserType } from '../ghl/oauth-client.js';
import { buildConsentUrl, type ConsentSettings } from '../ghl/oauth-consent.js';
import { storeInstalledGrant } from '../ghl/oauth-installs.js';
import type { OAuthEventLog } from '../ghl/oauth-token-provider.js';

/** The routes' log: structured details first, like pino. */
interface OAuthRouteLog extends OAuthEventLog {
  error(details: Record<string, unknown>, message: string): void;
}

interface OAuthRoutesDeps {
  consent: ConsentSettings;
  userType: UserType;
  state: OAuthStateSigner;
  oauth: OAuthApi;
  vault: TokenVault;
  log?: OAuthRouteLog;
  now?: () => number;
}

const OAuthCallbackQuerySchema = z.object({
  code: z.string().min(1).max(2048).optional(),
  state: z.string().min(1).max(512).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(500).optional(),
});

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function page(response: Response, status: number, title: string, paragraphs: string[]): void {
  response
    .status(status)
    .set({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' })
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
        `<body><h1>${escapeHtml(title)}</h1>${paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join('')}</body></html>`,
    );
}

export function createOAuthRouter(deps: OAuthRoutesDeps): Router {
  const router = Router();
  const log = deps.log;

  router.get('/oauth/install', (_request: Request, response: Response) => {
    const location = buildConsentUrl(deps.consent, deps.state.issue());
    response.set('cache-control', 'no-store').redirect(302, location);
  });

  router.get('/oauth/callback', async (request: Request, response: Response) => {
    const parsed = OAuthCallbackQuerySchema.safeParse(request.query);
    if (!parsed.success) {
      page(response, 400, 'Install failed', [
        'The callback parameters are malformed.',
        'Start again at /oauth/install.',
      ]);
      return;
    }
    const query = parsed.data;
    let stateCheck: Awaited<ReturnType<OAuthStateSigner['verifyAndConsume']>>;
    try {
      stateCheck = await deps.state.verifyAndConsume(query.state);
    } catch (error) {
      // The shared nonce store (Redis) is unreachable: the link was not spent, so it works later.
      log?.warn({ err: error }, 'OAuth callback: install link not checked (nonce store unreachable)');
      page(response, 503, 'Install not finished', [
        'The gateway could not check this install link just now (its shared store did not answer).',
        'Reload this page in a minute: the link is still valid until it expires.',
      ]);
      return;
    }
    if (!stateCheck.ok) {
      log?.warn({ reason: stateCheck.reason }, 'OAuth callback refused: bad state');
      page(response, 400, 'Install failed', [
        `This install link is not valid (${stateCheck.reason}): links expire and work once.`,
        'Start again at /oauth/install.',
      ]);
      return;
    }
    if (query.error !== undefined || query.code === undefined) {
      page(response, 400, 'Install cancelled', [
        `HighLevel did not grant access${query.error !== undefined ? ` (${query.error})` : ''}.`,
        'Start again at /oauth/install.',
      ]);
      return;
    }
    try {
      const grant = await deps.oauth.exchangeCode(query.code, deps.userType);
      const connected = await storeInstalledGrant(
        { vault: deps.vault, oauth: deps.oauth, ...(deps.now ? { now: deps.now } : {}) },
        grant,
      );
      log?.info(
        { subjectKind: connected.kind, subjectId: connected.subjectId, scopes: connected.scopes },
        'HighLevel app installed',
      );
      const who =
        connected.kind === 'location'
          ? `Location ${connected.subjectId}`
          : `Agency ${connected.subjectId} (${connected.locations.length} approved location${connected.locations.length === 1 ? '' : 's'}: ${connected.locations.join(', ') || 'none listed'})`;
      page(response, 200, 'HighLevel connected', [
        `${who} is connected.`,
        `Scopes granted: ${connected.scopes.join(', ') || '(none reported)'}.`,
        `Access renews automatically; the current token expires at ${connected.expiresAt.toISOString()}.`,
      ]);
    } catch (error) {
      if (error instanceof OAuthRequestError) {
        log?.warn({ kind: error.kind, status: error.status, endpoint: error.endpoint }, 'OAuth code exchange failed');
        const advice =
          error.kind === 'invalid_client'
            ? 'The gateway’s app credentials were refused: an operator must check GHL_CLIENT_ID and GHL_CLIENT_SECRET.'
            : error.kind === 'invalid_grant'
              ? 'The authorization code was refused (expired or already used). Start again at /oauth/install.'
              : 'HighLevel could not be reached. Try again in a minute at /oauth/install.';
        page(response, 502, 'Install failed', [advice]);
        return;
      }
      // E.g. the store is down: the page says nothing of the cause (it may name internals).
      log?.error({ err: error }, 'OAuth callback failed');
      page(response, 500, 'Install failed', [
        'The gateway could not store the connection. Try again at /oauth/install; if it persists, an operator should check the logs.',
      ]);
    }
  });

  return router;
}
