/**
 * The request id of a /graphql request: the caller's x-request-id when it is well formed, else a
 * fresh one. Written back onto the request, so whoever reads the header later (the context,
 * the fast path, log lines, calls to HighLevel) sees the same id. One definition of "well formed".
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The caller's x-request-id when it is well formed; undefined otherwise. */
export function callerRequestId(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : undefined;
}

/** The request's id, assigning a fresh one (into its headers) when the caller sent none usable. */
export function ensureRequestId(req: { headers: IncomingHttpHeaders }): string {
  const requestId = callerRequestId(req.headers) ?? randomUUID();
  req.headers['x-request-id'] = requestId;
  return requestId;
}
