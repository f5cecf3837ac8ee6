/**
 * Cross-variable rules of the auth settings, run by `parseConfig` so every problem is listed
 * with the others at start-up. Key material is never echoed, only the variable's name.
 */
import type { Config } from '../config.js';
import { hasRealCredentials } from './client-auth-policy.js';
import { KeyRingError, parseKeyRing } from './key-ring.js';

export function authConfigProblems(config: Config): string[] {
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
