/**
 * The last word on every request no route answered and every error no route handled, mounted
 * after all routers (webhooks, OAuth, the app): JSON in the shape /graphql answers errors with
 * (`errors[0].extensions.code`), a 4xx saying what to fix, and never Express's default page,
 * which is HTML with the stack trace and absolute paths outside production.
 * Body errors come from the body parsers (webhooks read raw bodies): too large → 413, an encoding
 * or charset the parser does not take → 415, a body that cannot be decoded or read → 400.
 * Anything else is a 500 whose cause goes to the log only.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

interface Refusal {
  status: number;
  code: string;
  message: string;
}

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null && name in error
    ? (error as Record<string, unknown>)[name]
    : undefined;
}

/** What to answer for an error a body parser (or another middleware) passed on; null: not the client's fault. */
function refusalOf(error: unknown): Refusal | null {
  const status = field(error, 'status') ?? field(error, 'statusCode');
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  switch (field(error, 'type')) {
    case 'entity.too.large':
      return { status: 413, code: 'REQUEST_TOO_LARGE', message: 'The request body is larger than this route takes' };
    case 'encoding.unsupported':
      return {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'The Content-Encoding is not one this route takes (identity, gzip, deflate, br)',
      };
    case 'charset.unsupported':
      return {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'The charset is not one this route takes (utf-8)',
      };
    case 'request.aborted':
    case 'request.size.invalid':
      return { status: 400, code: 'BAD_REQUEST', message: 'The request body was cut short of its Content-Length' };
    case 'entity.parse.failed':
      return { status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid JSON' };
    default:
      // zlib's errors (a body that says gzip or br and is not) carry only a status.
      return {
        status: 400,
        code: 'BAD_REQUEST',
        message: 'The request body could not be read: check its Content-Encoding and Content-Type',
      };
  }
}

function send(res: Response, status: number, code: string, message: string): void {
  res
    .status(status)
    .set('cache-control', 'no-store')
    .json({ errors: [{ message, extensions: { code } }] });
}

/** Mount after every router: a request nothing answered. */
export function notFoundResponse(req: Request, res: Response): void {
  send(res, 404, 'NOT_FOUND', `No route answers ${req.method} ${req.path}`);
}

/** Mount last: errors the routers passed on. */
export function errorResponses(logger?: Pick<Logger, 'error'>) {
  return (error: unknown, _req: Request, res: Response, next: NextFunction): void => {
    // Too late for an answer of our own: let Express close the connection.
    if (res.headersSent) return next(error);
    const refusal = refusalOf(error);
    if (refusal !== null) return send(res, refusal.status, refusal.code, refusal.message);
    logger?.error({ err: error }, 'unhandled HTTP error');
    send(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  };
}
