/**
 * GHL's error answers: `{statusCode, message, error?}`, with `message` an array of strings on
 * 422. Route handlers throw these; the server turns them into responses.
 */
import type { Json } from './views.js';

export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${status}`);
    this.name = 'SimHttpError';
  }
}

export function badRequest(message: string, extra: Json = {}): SimHttpError {
  return new SimHttpError(400, { statusCode: 400, message, ...extra });
}

/** Observed: an unknown (or other location's) contact answers 400, not 404 (docs/ghl-facts.md, unverified). */
export function contactNotFound(contactId: string): SimHttpError {
  return badRequest(`Contact with id ${contactId} not found`);
}

/** Unverified wording: modelled on the contact message. */
export function taskNotFound(taskId: string): SimHttpError {
  return badRequest(`Task with id ${taskId} not found`);
}

/** Unverified wording: modelled on the contact message. */
export function noteNotFound(noteId: string): SimHttpError {
  return badRequest(`Note with id ${noteId} not found`);
}

export function unauthorized(message: string): SimHttpError {
  return new SimHttpError(401, { statusCode: 401, message, error: 'Unauthorized' });
}

export function forbidden(message: string): SimHttpError {
  return new SimHttpError(403, { statusCode: 403, message, error: 'Forbidden' });
}

export function unprocessable(messages: string[]): SimHttpError {
  return new SimHttpError(422, { statusCode: 422, message: messages, error: 'Unprocessable Entity' });
}

/** NestJS's answer for a path no route serves. */
export function routeNotFound(method: string, path: string): SimHttpError {
  return new SimHttpError(404, { statusCode: 404, message: `Cannot ${method} ${path}`, error: 'Not Found' });
}

export const MESSAGES = {
  versionMissing: 'version header was not found.',
  versionInvalid: 'version header is invalid',
  scope: 'The token is not authorized for this scope.',
  /** Unknown, revoked or malformed bearer token (spec's UnauthorizedDTO example). */
  invalidToken: 'Invalid token: access token is invalid',
  /** Expired access token (commonly reported wording; unverified). */
  expiredToken: 'Invalid JWT',
  /** A token of one location naming another location (unverified wording). */
  locationAccess: 'The token does not have access to this location.',
  duplicate: 'This location does not allow duplicated contacts.',
  pageLimitExceeded: 'Pagination limit exceeded. Please use searchAfter to fetch more records.',
  tooManyRequests: 'Too Many Requests',
} as const;
