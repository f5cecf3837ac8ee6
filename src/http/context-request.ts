/**
 * Who calls and for which location, resolved once per HTTP request however many parts of the
 * gateway ask (the cached-response fast path, then Apollo's context when the request executes).
 */
import type { IncomingMessage } from 'node:http';
import type { RequestLike } from '../auth/authenticate-request.js';
import type { ContextRequest } from '../graphql/context.js';

export type ContextRequestOf = (req: IncomingMessage) => Promise<ContextRequest>;

export function memoizeContextRequest(
  resolve: (req: RequestLike) => ContextRequest | Promise<ContextRequest>,
): ContextRequestOf {
  const resolved = new WeakMap<IncomingMessage, Promise<ContextRequest>>();
  return (req) => {
    let pending = resolved.get(req);
    if (pending === undefined) {
      pending = (async () => resolve(req))();
      resolved.set(req, pending);
    }
    return pending;
  };
}
