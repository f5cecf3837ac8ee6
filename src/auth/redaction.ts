/**
 * What pino must never print: tokens, refresh tokens, client secrets, API keys, webhook
 * signatures, cookies, OAuth codes. Paths cover the shapes our code logs (top level, one and
 * two levels down, request headers); the logger factory uses `redaction` so no caller has to
 * remember. URLs are strings and cannot be redacted by path: never log the OAuth callback's
 * URL (it carries ?code=), log its route instead.
 */
import type { LoggerOptions } from 'pino';

const SECRET_FIELDS = [
  'token',
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'clientSecret',
  'apiKey',
  'api_key',
  'secret',
  'password',
  'authorization',
  'signature',
  'cookie',
  'ciphertext',
];

const SECRET_HEADERS = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-wh-signature',
  'x-ghl-signature',
  'x-roofr-signature',
  'x-hub-signature-256',
];

function headerPaths(prefix: string): string[] {
  return SECRET_HEADERS.map((name) => `${prefix}["${name}"]`);
}

export const REDACT_PATHS: string[] = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  ...SECRET_FIELDS.map((field) => `*.*.${field}`),
  ...headerPaths('headers'),
  ...headerPaths('req.headers'),
  ...headerPaths('request.headers'),
  ...headerPaths('res.headers'),
  ...headerPaths('options.headers'),
  // got errors carry the request options; their form is a refresh or a code exchange.
  'options.form',
  'form',
  '*.form',
  // The OAuth callback's one-time code ("code" alone would hide error codes everywhere).
  'query.code',
  'req.query.code',
  'options.body',
  'err.options',
  'error.options',
];

export const REDACT_CENSOR = '[redacted]';

export const redaction: NonNullable<LoggerOptions['redact']> = { paths: REDACT_PATHS, censor: REDACT_CENSOR };
