/**
 * Answers POST /graphql from the whole-response cache (src/cache/response-cache.ts) before
 * Apollo runs, when an identical request (same caller, location, operation text, variables) was
 * answered from fresh cached values and none of them changed since.
 *
 * It is the reuse step of the HTTP server's front door (src/http/graphql-front-door.ts), which
 * reads and parses the body: for a reused answer, Apollo's pipeline would be most of the cost
 * (bench/response-cache measures ~5× the requests/s of serving the same reuse from Apollo's
 * responseForOperation in reuse-plugin.ts, which serves every reuse this step does not). A
 * request it cannot answer (a miss, a refused caller, a client that does not accept
 * application/json) executes, and its response can be kept under the same key (reuse-plugin.ts).
 *
 * The caller is authenticated by the same `contextRequestOf` the app uses (memoized per
 * request): a reused answer is only ever given to the caller it was computed for. Which text a
 * request runs is decided by `documentOf` (trusted documents: a documentId becomes its text, a
 * trusted-only caller's text must be trusted), the decision the pipeline takes as well. Each
 * answer given here is recorded like any other operation (`operations`: metrics and one log line
 * with the operation's name, duration and request id).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { responseKey, type ResponseCache } from '../cache/response-cache.js';
import type { ContextRequest } from '../graphql/context.js';
import type { TakenRequest } from '../http/graphql-front-door.js';
import type { OperationRecorder } from '../observability/graphql-metrics-plugin.js';

export interface FastPathOptions {
  cache: ResponseCache;
  /** Extensions of a reused answer besides `responseCache` (e.g. the location's remaining rate budget). */
  hitExtensions: (locationId: string | undefined) => Record<string, unknown>;
  /** The app's own caller authentication, memoized per request (src/http/context-request.ts). */
  contextRequestOf: (req: IncomingMessage) => Promise<ContextRequest>;
  /** Records each answer given here like any operation Apollo answers (metrics, one log line). */
  operations?: OperationRecorder;
  /**
   * The document text this request runs, for its key, or null when only the pipeline may answer
   * it (src/graphql/trusted-documents/document-request.ts). Default: the body's `query`.
   */
  documentOf?: (body: unknown, caller: ContextRequest['caller']) => Promise<string | null>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The GraphQL request in a JSON body, when it is one this cache can key (object variables); its text is decided later. */
function graphqlRequestOf(
  body: unknown,
): { query: string | null; operationName: string | null; variables: Record<string, unknown> | null } | null {
  if (!isRecord(body)) return null;
  const { query, operationName, variables } = body;
  if (query != null && typeof query !== 'string') return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (variables != null && !isRecord(variables)) return null;
  return { query: query ?? null, operationName: operationName ?? null, variables: variables ?? null };
}

/** Whether the app would answer this client with application/json (not graphql-response+json). */
function acceptsPlainJson(accept: string | undefined): boolean {
  if (accept === undefined || accept === '' || accept === '*/*') return true;
  return (
    !accept.includes('application/graphql-response+json') &&
    (accept.includes('application/json') || accept.includes('*/*'))
  );
}

/**
 * The front door's reuse step (src/http/graphql-front-door.ts): answers the request from the
 * whole-response cache and resolves true, or resolves false and the request executes.
 */
export function reusedAnswers(
  options: FastPathOptions,
): (req: IncomingMessage, res: ServerResponse, taken: TakenRequest) => Promise<boolean> {
  return async (req, res, { body, requestId, startedAt }) => {
    if (!acceptsPlainJson(req.headers.accept)) return false;
    const request = graphqlRequestOf(body);
    if (request === null) return false;
    let context: ContextRequest;
    try {
      context = await options.contextRequestOf(req);
    } catch {
      // The pipeline answers the refusal (401/403/400) as usual.
      return false;
    }
    const { caller } = context;
    const query = options.documentOf === undefined ? request.query : await options.documentOf(body, caller);
    if (query === null) return false;
    const key = responseKey({
      locationId: context.locationId ?? '',
      caller: caller === undefined ? null : { subject: caller.subject, kind: caller.kind, roles: caller.roles },
      ...request,
      query,
    });
    const hit = await options.cache.lookup(key);
    if (hit === null) return false;
    const extensions = { ...options.hitExtensions(context.locationId), responseCache: { hit: true, ageMs: hit.ageMs } };
    const payload = `{"data":${hit.dataJson},"extensions":${JSON.stringify(extensions)}}`;
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      'x-request-id': requestId,
    });
    res.end(payload);
    options.operations?.record({
      operationName: hit.operationName ?? request.operationName,
      type: 'query',
      durationMs: performance.now() - startedAt,
      errors: [],
      requestId,
      servedBy: 'response-cache',
    });
    return true;
  };
}
