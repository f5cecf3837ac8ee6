/**
 * Cross-variable rules of the auth settings, run by `parseConfig` so every problem is listed
 * with the others at start-up. Key material is never echoed, only the variable's name.
 */
import { KeyRingError, parseKeyRing } from './key-ring.js';

/** The variables these rules read: the auth slice of Config (declared here, so config.ts imports this file and not the reverse). */
interface AuthSettings extends Credentials {
  NODE_ENV: string;
  GHL_CLIENT_SECRET?: string | undefined;
  GHL_REDIRECT_URI?: string | undefined;
  GHL_LOCATION_ID?: string | undefined;
  TOKEN_ENCRYPTION_KEY?: string | undefined;
  JWT_SECRET?: string | undefined;
  JWT_JWKS_URL?: string | undefined;
  CLIENT_AUTH?: string | undefined;
}

interface Credentials {
  GHL_PRIVATE_INTEGRATION_TOKEN?: string | undefined;
  GHL_CLIENT_ID?: string | undefined;
}

/** A Private Integration Token or OAuth app is configured: the gateway reaches a real location, not the simulators. */
export function hasRealCredentials(config: Credentials): boolean {
  return config.GHL_PRIVATE_INTEGRATION_TOKEN !== undefined || config.GHL_CLIENT_ID !== undefined;
}

export function authConfigProblems(config: AuthSettings): string[] {
  const problems: string[] = [];
  const oauth = [config.GHL_CLIENT_ID, config.GHL_CLIENT_SECRET, config.GHL_REDIRECT_URI];
  const setCount = oauth.filter((value) => value !== undefined).length;
  if (setCount !== 0 && setCount !== oauth.length) {
    problems.push('GHL_CLIENT_ID, GHL_CLIENT_SECRET and GHL_REDIRECT_URI: set all three (OAuth installs) or none');
  }
  if (config.GHL_CLIENT_ID !== undefined && config.TOKEN_ENCRYPTION_KEY === undefined) {
    problems.push(
      'TOKEN_ENCRYPTION_KEY: required with GHL_CLIENT_ID, OAuth tokens are only stored encrypted (npm run auth -- key generate)',
    );
  }
  if (config.TOKEN_ENCRYPTION_KEY !== undefined) {
    try {
      parseKeyRing(config.TOKEN_ENCRYPTION_KEY);
    } catch (error) {
      if (!(error instanceof KeyRingError)) throw error;
      problems.push(error.message);
    }
  }
  if (config.JWT_SECRET !== undefined && config.JWT_JWKS_URL !== undefined) {
    problems.push('JWT_SECRET and JWT_JWKS_URL: set one of them, not both');
  }
  if (config.JWT_SECRET !== undefined && config.JWT_SECRET.length < 32) {
    problems.push('JWT_SECRET: use at least 32 characters (HS256 needs a key as long as its hash)');
  }
  if (config.NODE_ENV === 'production' && config.CLIENT_AUTH === 'demo') {
    problems.push('CLIENT_AUTH=demo is refused in production: callers must present an API key or a JWT');
  } else if (config.CLIENT_AUTH === 'demo' && hasRealCredentials(config)) {
    // Every role for anyone who can reach the port belongs to the simulators, never to a real location.
    problems.push(
      'CLIENT_AUTH=demo is only for demo mode on the simulators; with HighLevel credentials use API keys or JWTs, or CLIENT_AUTH=anonymous-read (read role only)',
    );
  }
  if (config.CLIENT_AUTH === 'anonymous-read' && hasRealCredentials(config) && config.GHL_LOCATION_ID === undefined) {
    problems.push(
      'CLIENT_AUTH=anonymous-read needs GHL_LOCATION_ID (the one location anonymous callers may read); with OAuth installs give callers API keys or JWTs instead',
    );
  }
  return problems;
}
