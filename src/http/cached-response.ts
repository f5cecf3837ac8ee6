/**
 * Answers POST /graphql from the whole-response cache (src/cache/response-cache.ts) before
 * Apollo runs, when an identical request (same caller, location, operation text, variables)
 * was answered from fresh cached values and none of them changed since. Everything else goes on
 * to Apollo with the request's key, so its response can be kept (response-cache-plugin.ts).
 *
 * Runs after the request id and the JSON body parser, and after the caller is authenticated:
 * a refused caller falls through to Apollo, which answers the refusal as usual. Only JSON POSTs
 * whose client accepts application/json are answered here (Apollo's CSRF rules and content
 * negotiation stay in charge of everything else).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { responseKey, type ResponseCache } from '../cache/response-cache.js';
import type { ContextRequest } from '../graphql/context.js';

export interface CachedResponseOptions {
  cache: ResponseCache;
  /** Extensions of a reused answer besides `responseCache` (e.g. the location's remaining rate budget). */
  hitExtensions: (locationId: string | undefined) => Record<string, unknown>;
}

const keys = new WeakMap<Request, string>();

/** The request's key in the response cache, once the middleware computed it. */
export function responseKeyOf(req: Request): string | undefined {
  return keys.get(req);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The GraphQL request in a JSON body, when it is one this cache can key (a query text, object variables). */
function graphqlRequestOf(body: unknown): { query: string; operationName: string | null; variables: Record<string, unknown> | null } | null {
  if (!isRecord(body) || typeof body.query !== 'string') return null;
  const { operationName, variables } = body;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (variables != null && !isRecord(variables)) return null;
  return { query: body.query, operationName: operationName ?? null, variables: variables ?? null };
}

export function cachedResponseMiddleware(options: CachedResponseOptions, contextRequestOf: (req: Request) => Promise<ContextRequest>): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const request = req.method === 'POST' && req.accepts('application/json') === 'application/json' ? graphqlRequestOf(req.body) : null;
    if (request === null) return next();
    let context: ContextRequest;
    try {
      context = await contextRequestOf(req);
    } catch {
      return next();
    }
    const { caller } = context;
    const key = responseKey({
      locationId: context.locationId ?? '',
      caller: caller === undefined ? null : { subject: caller.subject, kind: caller.kind, roles: caller.roles },
      ...request,
    });
    keys.set(req, key);
    const hit = await options.cache.lookup(key);
    if (hit === null) return next();
    const extensions = { ...options.hitExtensions(context.locationId), responseCache: { hit: true, ageMs: hit.ageMs } };
    res.status(200).set('content-type', 'application/json; charset=utf-8').end(`{"data":${hit.dataJson},"extensions":${JSON.stringify(extensions)}}`);
  };
}
