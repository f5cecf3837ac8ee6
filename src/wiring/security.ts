/**
 * Auth and security of a process (the gateway and the CLIs open the same):
 * 1. `openSecurity` (before the GHL client exists): the encrypted vaults, checked readable with
 *    TOKEN_ENCRYPTION_KEY; the Roofr credentials (environment first, else the secrets vault);
 *    with OAuth configured the refreshing token provider the client must use, whose install
 *    links' single-use nonces live in Redis when REDIS_URL is set (any replica may receive the
 *    callback of an install another one started).
 * 2. `finish(demoLocationId)` (once the upstream is known): caller authentication per request,
 *    the /graphql limits and role guard, and the /oauth routes.
 * Start-up errors name the variable to fix (KeyRingError, ClientAuthConfigError).
 */
import { once } from 'node:events';
import type { OperationStart } from '../graphql/hardening/operation-timeout-plugin.js';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Router } from 'express';
import type { RequestLike } from '../auth/authenticate-request.js';
import { callerRequestId } from '../http/request-id.js';
import { GraphQLError, type ValidationRule } from 'graphql';
import type { Logger } from 'pino';
import { AuthError, type CallerIdentity } from '../auth/caller-identity.js';
import { createKeyHint, type ClientAuthMode } from '../auth/client-auth-policy.js';
import { createClientAuth, openAuthVaults, type AuthVaults } from '../auth/gateway-auth.js';
import type { Config } from '../config.js';
import type { TokenProvider } from '../ghl/ghl-api.js';
import { inProcessRefreshLock, PgAdvisoryRefreshLock } from '../ghl/oauth-refresh-lock.js';
import { handleInstallEvent, handleUninstallEvent } from '../ghl/oauth-installs.js';
import { createOAuthComponents, type OAuthComponents } from '../ghl/oauth-setup.js';
import { createHardening, hardeningSettings } from '../graphql/hardening/hardening.js';
import { GATEWAY_FIELD_ROLES } from '../graphql/hardening/field-roles.js';
import { roleGuardPlugin } from '../graphql/hardening/role-guard-plugin.js';
import { createOAuthRouter } from '../http/oauth-routes.js';
import type { Store } from '../store/open-store.js';
import type { Redis } from 'ioredis';
import { RedisNonceStore } from '../auth/oauth-state.js';
import { resolveRoofrCredentials, type RoofrCredentials } from '../auth/stored-roofr-credentials.js';
import type { Lifecycle } from './lifecycle.js';

interface CallerContextRequest {
  requestId?: string;
  locationId: string;
  caller: CallerIdentity;
}

export interface HttpSecurity<Context extends object> {
  mode: ClientAuthMode;
  /** The start-up sentence about client auth (already logged), for the terminal. */
  notice: string;
  /** GET /oauth/install when OAuth installs are configured, and whether any location is installed. */
  oauth: { installUrl: string; installed(): Promise<boolean> } | null;
  /** Per request: who calls, for which location; throws a coded GraphQLError (401/403/400) otherwise. */
  contextRequest: (req: RequestLike) => Promise<CallerContextRequest>;
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<Context>[];
  introspection: boolean;
  bodyLimit: string;
  /** Mount before the error handler: /oauth/install and /oauth/callback when OAuth is configured. */
  routers: Router[];
}

interface GatewaySecurity {
  vaults: AuthVaults | null;
  /** ROOFR_API_KEY, ROOFR_WEBHOOK_SECRET, ROOFR_ZAPIER_HOOK_URL: the environment's, else the vault's. */
  roofrCredentials: RoofrCredentials;
  oauth: OAuthComponents | null;
  /** The OAuth token provider when GHL_CLIENT_ID is set; null: PIT or demo token. */
  tokenProvider: TokenProvider | null;
  /** INSTALL / UNINSTALL webhook handling for the sync engine; null without OAuth. */
  installs: { install(body: unknown): Promise<unknown>; uninstall(body: unknown): Promise<unknown> } | null;
  finish<Context extends object>(options: {
    demoLocationId: string | undefined;
    callerOf: (context: Context) => CallerIdentity | null | undefined;
    /** Where the operation deadline's AbortSignal goes (e.g. context.callOptions.signal). */
    onOperationStart?: OperationStart<Context>;
  }): Promise<HttpSecurity<Context>>;
}

/**
 * The client of the OAuth install nonces: fails fast (no offline queue), so a callback while
 * Redis is down is answered "try again" at once instead of hanging; the nonce is then unspent.
 * It connects at start, not lazily: without an offline queue, a lazy client's first command
 * would fail for want of a connection it had not yet tried to open.
 */
async function nonceRedis(url: string, timeoutMs: number): Promise<Redis> {
  // Imported here: a process without Redis never loads ioredis.
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(timeoutMs, 1_000),
    commandTimeout: timeoutMs,
  });
  // Reconnects are ioredis's business; a failed command reaches the callback as an error.
  client.on('error', () => undefined);
  // Start-up waits for the connection a little (bounded): a callback arriving right after start
  // is then checked, not answered "reload". Redis down at start delays nothing beyond the bound.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    once(client, 'ready').catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
  return client;
}

export async function openSecurity(
  config: Config,
  store: Store,
  logger: Logger,
  lifecycle: Lifecycle,
): Promise<GatewaySecurity> {
  const vaults = await openAuthVaults(config, store);
  const roofrCredentials = await resolveRoofrCredentials(config, vaults?.secrets ?? null);
  if (vaults !== null && vaults.reencrypted > 0)
    logger.info(
      { rows: vaults.reencrypted, keyId: vaults.keyRing.primaryKeyId },
      're-encrypted stored tokens and secrets with the primary key',
    );
  const oauthLog = logger.child({ component: 'oauth' });
  const oauth =
    vaults === null
      ? null
      : createOAuthComponents(config, vaults.tokens, {
          log: oauthLog,
          lock:
            store.dialect === 'postgres'
              ? // A quarter of the pool at most: the work under each lock needs connections of its own.
                new PgAdvisoryRefreshLock(store.db, { maxHolders: Math.floor(config.DATABASE_POOL_SIZE / 4) })
              : inProcessRefreshLock,
          ...(config.REDIS_URL === undefined || config.GHL_CLIENT_ID === undefined
            ? {}
            : {
                nonces: new RedisNonceStore(
                  await lifecycle.start(
                    'OAuth install nonces (Redis)',
                    () => nonceRedis(config.REDIS_URL ?? '', config.DEPENDENCY_TIMEOUT_MS),
                    (client) => {
                      client.disconnect();
                    },
                  ),
                ),
              }),
        });

  return {
    vaults,
    oauth,
    roofrCredentials,
    tokenProvider: oauth?.provider ?? null,
    installs:
      oauth === null || vaults === null
        ? null
        : {
            install: (body) => handleInstallEvent({ vault: vaults.tokens, oauth: oauth.client }, body),
            uninstall: (body) => handleUninstallEvent({ vault: vaults.tokens, oauth: oauth.client }, body),
          },
    async finish({ demoLocationId, callerOf, onOperationStart }) {
      const installs =
        oauth === null
          ? null
          : { installUrl: oauth.installUrl, installed: async () => (await store.tokens.countActive()) > 0 };
      const clientAuth = await createClientAuth(config, store, demoLocationId, {
        // Until a location is installed, a caller without credentials learns where to install.
        ...(installs === null
          ? {}
          : {
              anonymousRefusal: async () =>
                (await installs.installed())
                  ? null
                  : {
                      message: `No HighLevel location is installed yet: open ${installs.installUrl} to install the app, then call with an API key (\`${createKeyHint(undefined)}\`)`,
                      extensions: { installUrl: installs.installUrl },
                    },
            }),
      });
      if (clientAuth.mode !== 'required') logger.warn(clientAuth.notice);
      else logger.info(clientAuth.notice);
      const hardening = createHardening(hardeningSettings(config), onOperationStart ? { onOperationStart } : {});
      return {
        mode: clientAuth.mode,
        notice: clientAuth.notice,
        oauth: installs,
        async contextRequest(req) {
          const caller = await clientAuth.authenticate(req);
          if (caller instanceof AuthError) throw new GraphQLError(caller.message, { extensions: caller.extensions });
          const requestId = callerRequestId(req.headers);
          return { ...(requestId === undefined ? {} : { requestId }), locationId: caller.locationId, caller };
        },
        validationRules: hardening.validationRules,
        plugins: [
          ...hardening.plugins,
          roleGuardPlugin({ callerOf: (context) => callerOf(context) ?? undefined, fieldRoles: GATEWAY_FIELD_ROLES }),
        ],
        introspection: hardening.introspection,
        bodyLimit: hardening.bodyLimit,
        routers:
          oauth === null || vaults === null
            ? []
            : [
                createOAuthRouter({
                  consent: oauth.consent,
                  userType: oauth.userType,
                  state: oauth.state,
                  oauth: oauth.client,
                  vault: vaults.tokens,
                  log: oauthLog,
                }),
              ],
      };
    },
  };
}
