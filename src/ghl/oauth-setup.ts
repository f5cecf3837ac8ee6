/**
 * Builds the OAuth pieces from config for the composition root: the /oauth/token client, the
 * refreshing TokenProvider and the consent settings the install route needs. null when OAuth
 * is not configured (Private Integration Token or demo mode).
 */
import type { Config } from '../config.js';
import type { TokenVault } from '../auth/token-vault.js';
import { OAuthStateSigner, type NonceStore } from '../auth/oauth-state.js';
import { OAuthClient } from './oauth-client.js';
import { requestedScopes, type ConsentSettings } from './oauth-consent.js';
import type { RefreshLock } from './oauth-refresh-lock.js';
import { OAuthTokenProvider, type OAuthEventLog } from './oauth-token-provider.js';

export interface OAuthComponents {
  client: OAuthClient;
  provider: OAuthTokenProvider;
  consent: ConsentSettings;
  state: OAuthStateSigner;
  userType: 'Location' | 'Company';
  /** The gateway's GET /oauth/install, next to the registered callback. */
  installUrl: string;
}

export function installUrlFor(redirectUri: string): string {
  const url = new URL(redirectUri);
  url.pathname = url.pathname.replace(/\/oauth\/callback\/?$/, '/oauth/install');
  url.search = '';
  return url.toString();
}

export function createOAuthComponents(
  config: Config,
  vault: TokenVault,
  options: {
    log?: OAuthEventLog;
    lock?: RefreshLock;
    /** Where install links' nonces are spent (default: this process's memory, right for one replica). */
    nonces?: NonceStore;
  } = {},
): OAuthComponents | null {
  if (
    config.GHL_CLIENT_ID === undefined ||
    config.GHL_CLIENT_SECRET === undefined ||
    config.GHL_REDIRECT_URI === undefined
  )
    return null;
  const client = new OAuthClient({
    baseUrl: config.GHL_API_BASE_URL,
    clientId: config.GHL_CLIENT_ID,
    clientSecret: config.GHL_CLIENT_SECRET,
    redirectUri: config.GHL_REDIRECT_URI,
    timeoutMs: config.GHL_REQUEST_TIMEOUT_MS,
  });
  const installUrl = installUrlFor(config.GHL_REDIRECT_URI);
  const provider = new OAuthTokenProvider({
    vault,
    oauth: client,
    refreshMarginMs: config.TOKEN_REFRESH_MARGIN_MS,
    installUrl,
    ...(options.log ? { log: options.log } : {}),
    ...(options.lock ? { lock: options.lock } : {}),
  });
  return {
    client,
    provider,
    consent: {
      consentUrl: config.GHL_OAUTH_CONSENT_URL,
      clientId: config.GHL_CLIENT_ID,
      redirectUri: config.GHL_REDIRECT_URI,
      scopes: requestedScopes(config.GHL_SCOPES),
    },
    state: new OAuthStateSigner(config.OAUTH_STATE_SECRET, config.OAUTH_STATE_TTL_MS, options.nonces),
    userType: config.GHL_OAUTH_USER_TYPE,
    installUrl,
  };
}
