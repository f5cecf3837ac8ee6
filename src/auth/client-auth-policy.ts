/**
 * Whether anonymous callers are allowed, decided once at start-up by the composition root:
 * demo mode keeps the gateway usable without a key (and says so loudly); production refuses
 * to start unless callers can actually authenticate.
 */
import type { Config } from '../config.js';
import { isJwtConfigured, type JwtSettings } from './jwt-verifier.js';

export type ClientAuthMode = 'demo' | 'required';

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
  };
}

export function resolveClientAuthMode(config: Config): ClientAuthMode {
  if (config.CLIENT_AUTH !== undefined) return config.CLIENT_AUTH;
  return config.NODE_ENV === 'production' || isJwtConfigured(jwtSettings(config)) ? 'required' : 'demo';
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
    if (mode !== 'required') throw new ClientAuthConfigError('NODE_ENV=production needs CLIENT_AUTH=required');
    if (!jwt && activeApiKeys === 0) {
      throw new ClientAuthConfigError(
        'NODE_ENV=production and no client auth configured: set JWT_SECRET or JWT_JWKS_URL, or create an API key with `npm run auth -- api-key create --name N --locations L --roles read`',
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
  return {
    mode,
    notice: `Client auth required: ${ways} (${activeApiKeys} active API key${activeApiKeys === 1 ? '' : 's'})`,
  };
}
