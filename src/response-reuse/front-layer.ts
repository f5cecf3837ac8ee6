/**
 * Answers POST /graphql from the whole-response cache (src/cache/response-cache.ts) before
 * Express and Apollo run, when an identical request (same caller, location, operation text,
 * variables) was answered from fresh cached values and none of them changed since.
 *
 * It sits on the HTTP server in front of the Express app, because for a reused answer routing,
 * body parsing and the middleware chain are most of the cost: bench/response-cache measures
 * ~5× the requests/s of serving the same reuse from Apollo's responseForOperation
 * (reuse-plugin.ts, which serves every request this layer does not take). It therefore takes only requests
 * it can handle exactly as the app would: POST /graphql, `content-type: application/json`
 * (utf-8), a `content-length` within GRAPHQL_BODY_LIMIT and no content-encoding, a client that
 * accepts application/json. Everything else is handed to the app untouched. A request it did
 * take but cannot answer (a miss, a refused caller) is handed over with its body already parsed
 * into `req.body` (body-parser then skips it), so Apollo executes it and the response can be
 * kept under the same key (reuse-plugin.ts). A body that is not JSON is refused here with the
 * app's own 400.
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
import { ensureRequestId } from '../http/request-id.js';
import type { OperationRecorder } from '../observability/graphql-metrics-plugin.js';

export interface FastPathOptions {
  cache: ResponseCache;
  /** Extensions of a reused answer besides `responseCache` (e.g. the location's remaining rate budget). */
  hitExtensions: (locationId: string | undefined) => Record<string, unknown>;
  /** The app's own caller authentication, memoized per request (src/http/context-request.ts). */
  contextRequestOf: (req: IncomingMessage) => Promise<ContextRequest>;
  /** GRAPHQL_BODY_LIMIT in bytes. */
  bodyLimitBytes: number;
  /** Answers a body that is not JSON the way the app does. */
  rejectMalformedBody: (res: ServerResponse) => void;
  /** Records each answer given here like any operation Apollo answers (metrics, one log line). */
  operations?: OperationRecorder;
  /**
   * The document text this request runs, for its key, or null when only the pipeline may answer
   * it (src/graphql/trusted-documents/document-request.ts). Default: the body's `query`.
   */
  documentOf?: (body: unknown, caller: ContextRequest['caller']) => Promise<string | null>;
}

const GRAPHQL_PATH = '/graphql';

/** GRAPHQL_BODY_LIMIT ("100kb", "1mb", "512b") in bytes, as body-parser counts them (1 kb = 1024 b). */
export function bodyLimitBytes(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (match === null) throw new Error(`GRAPHQL_BODY_LIMIT must look like 100kb (got "${limit}")`);
  const unit = (match[2] ?? 'b').toLowerCase();
  return Number(match[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
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

/** Whether the request is one the fast path handles exactly as the app would; cheap, reads headers only. */
function takes(req: IncomingMessage, limit: number): boolean {
  if (req.method !== 'POST' || req.url !== GRAPHQL_PATH) return false;
  const { headers } = req;
  const type = headers['content-type'];
  if (type !== 'application/json' && type?.toLowerCase().replace(/\s+/g, '') !== 'application/json;charset=utf-8')
    return false;
  if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
  const length = Number(headers['content-length']);
  return Number.isInteger(length) && length > 0 && length <= limit && acceptsPlainJson(headers.accept);
}

function readBody(req: IncomingMessage, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    });
    req.on('end', () =>
      received === length
        ? resolve(Buffer.concat(chunks, received).toString('utf8'))
        : reject(new Error('body shorter than content-length')),
    );
    req.on('error', reject);
  });
}

/**
 * Returns the server's request handler: `handOver(req, res)` is the Express app, called for
 * every request the fast path does not answer itself.
 */
export function frontLayer(
  options: FastPathOptions,
  handOver: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const serve = async (
    req: IncomingMessage,
    res: ServerResponse,
    handOver: (req: IncomingMessage, res: ServerResponse) => void,
  ): Promise<void> => {
    const started = performance.now();
    const length = Number(req.headers['content-length']);
    let text: string;
    try {
      text = await readBody(req, length);
    } catch {
      // The client went away or lied about the length: nothing to answer.
      res.destroy();
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      options.rejectMalformedBody(res);
      return;
    }
    // body-parser (strict) takes only objects and arrays; anything else is malformed there too.
    if (typeof body !== 'object' || body === null) return options.rejectMalformedBody(res);
    // From here on the app sees the parsed body (body-parser skips a request already read).
    (req as IncomingMessage & { body?: unknown }).body = body;
    const requestId = ensureRequestId(req);
    const request = graphqlRequestOf(body);
    if (request === null) return handOver(req, res);
    let context: ContextRequest;
    try {
      context = await options.contextRequestOf(req);
    } catch {
      // The app answers the refusal (401/403/400) as usual.
      return handOver(req, res);
    }
    const { caller } = context;
    const query = options.documentOf === undefined ? request.query : await options.documentOf(body, caller);
    if (query === null) return handOver(req, res);
    const key = responseKey({
      locationId: context.locationId ?? '',
      caller: caller === undefined ? null : { subject: caller.subject, kind: caller.kind, roles: caller.roles },
      ...request,
      query,
    });
    const hit = await options.cache.lookup(key);
    if (hit === null) return handOver(req, res);
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
      durationMs: performance.now() - started,
      errors: [],
      requestId,
      servedBy: 'response-cache',
    });
  };
  return (req, res) => {
    if (!takes(req, options.bodyLimitBytes)) return handOver(req, res);
    let handedOver = false;
    const handOverOnce = (request: IncomingMessage, response: ServerResponse): void => {
      handedOver = true;
      handOver(request, response);
    };
    serve(req, res, handOverOnce).catch(() => {
      // A failure of the cache itself must not fail the request: the app executes it.
      if (!handedOver && !res.headersSent) handOverOnce(req, res);
    });
  };
}
