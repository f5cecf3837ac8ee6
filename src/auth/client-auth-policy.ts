/**
 * Whether anonymous callers are allowed, decided once at start-up by the composition root.
 * Anonymous access with every role belongs to demo mode on the simulators only: as soon as
 * HighLevel credentials are configured (a Private Integration Token or OAuth), callers need an
 * API key or a JWT unless CLIENT_AUTH=anonymous-read explicitly lets them read one location.
 * Production refuses to start unless callers can actually authenticate.
 */
import type { Config } from '../config.js';
import { hasRealCredentials } from './config-checks.js';
import { isJwtConfigured, type JwtSettings } from './jwt-verifier.js';

export type ClientAuthMode = 'demo' | 'required' | 'anonymous-read';

/** How an operator makes a key, said wherever a caller or the start-up log needs one. */
export function createKeyHint(locationId: string | undefined): string {
  return `npm run auth -- api-key create --name app --locations ${locationId ?? '<location id>'} --roles read`;
}

export class ClientAuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientAuthConfigError';
  }
}

export function jwtSettings(config: Config): JwtSettings {
  return {
    ...(config.JWT_SECRET !== undefined ? { secret: config.JWT_SECRET } : {}),
    ...(config.JWT_JWKS_URL !== undefined ? { jwksUrl: config.JWT_JWKS_URL } : {}),
    ...(config.JWT_ISSUER !== undefined ? { issuer: config.JWT_ISSUER } : {}),
    ...(config.JWT_AUDIENCE !== undefined ? { audience: config.JWT_AUDIENCE } : {}),
    maxLifetimeMs: config.JWT_MAX_LIFETIME_MS,
    clockSkewMs: config.JWT_CLOCK_SKEW_MS,
  };
}

function resolveClientAuthMode(config: Config): ClientAuthMode {
  if (config.CLIENT_AUTH !== undefined) return config.CLIENT_AUTH;
  return config.NODE_ENV === 'production' || isJwtConfigured(jwtSettings(config)) || hasRealCredentials(config)
    ? 'required'
    : 'demo';
}

/**
 * Throws when production has no way for a client to authenticate; otherwise returns the mode
 * and the sentence to log at start-up. `activeApiKeys` is the count of unrevoked keys in the store.
 */
export function checkClientAuth(
  config: Config,
  activeApiKeys: number,
  demoLocationId?: string,
): { mode: ClientAuthMode; notice: string } {
  const mode = resolveClientAuthMode(config);
  const jwt = isJwtConfigured(jwtSettings(config));
  if (config.NODE_ENV === 'production') {
    if (mode === 'demo') throw new ClientAuthConfigError('NODE_ENV=production needs CLIENT_AUTH=required');
    if (!jwt && activeApiKeys === 0) {
      throw new ClientAuthConfigError(
        `NODE_ENV=production and no client auth configured: set JWT_SECRET or JWT_JWKS_URL, or create an API key with \`${createKeyHint(demoLocationId)}\``,
      );
    }
  }
  if (mode === 'demo') {
    return {
      mode,
      notice: `Client auth is in DEMO mode: requests without credentials act as "demo" with every role on location ${demoLocationId ?? '(demo location)'}. Set CLIENT_AUTH=required to refuse them.`,
    };
  }
  const ways = [jwt ? 'JWT' : null, 'API keys'].filter((way) => way !== null).join(' or ');
  const keys = `${activeApiKeys} active API key${activeApiKeys === 1 ? '' : 's'}`;
  const howTo = activeApiKeys === 0 && !jwt ? `; create one with \`${createKeyHint(demoLocationId)}\`` : '';
  if (mode === 'anonymous-read') {
    return {
      mode,
      notice: `Client auth: ${ways} (${keys}${howTo}); requests without credentials may READ location ${demoLocationId ?? '(none)'} (CLIENT_AUTH=anonymous-read)`,
    };
  }
  return { mode, notice: `Client auth required: ${ways} (${keys}${howTo})` };
}
