/**
 * The HTTP server's first handler: POST /graphql with a plain JSON body is read, parsed and given
 * its request id here, answered from the whole-response cache when it can be
 * (src/response-reuse/front-layer.ts), and otherwise executed by Apollo directly
 * (apollo-direct.ts). Every other request goes to the Express app untouched.
 *
 * Why not Express for these: routing through the app's routers, body-parser, Apollo's Express
 * integration and the ETag Express computes for every answer cost a warm query about an eighth
 * of its CPU (bench/results/profile-notes.md), and none of them does anything for a JSON POST
 * that this file does not do itself. The app still serves the rest of /graphql exactly as
 * before: GET (persisted queries), other content types, compressed or chunked bodies,
 * `/graphql?…`. The same Apollo server answers both ways, with the same context and request id.
 *
 * It takes only requests it can handle exactly as the app would: `content-type:
 * application/json` (utf-8), a `content-length` within GRAPHQL_BODY_LIMIT and no
 * content-encoding or transfer-encoding. A body that is not JSON is refused here with the app's
 * own 400.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ensureRequestId } from './request-id.js';

type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What a taken request carries from here on: its parsed body, id and when it arrived. */
export interface TakenRequest {
  body: object;
  requestId: string;
  /** performance.now() when the request was taken, for the duration recorded. */
  startedAt: number;
}

interface FrontDoorOptions {
  /** GRAPHQL_BODY_LIMIT in bytes. */
  bodyLimitBytes: number;
  /** Answers a body that is not JSON the way the app does. */
  rejectMalformedBody: (res: ServerResponse) => void;
  /** Answers the request without executing it (a reused whole response) and returns true, or returns false. */
  reuse?: (req: IncomingMessage, res: ServerResponse, taken: TakenRequest) => Promise<boolean>;
  /** Executes the request (Apollo directly) and writes the answer; never rejects. */
  execute: (req: IncomingMessage, res: ServerResponse, taken: TakenRequest) => Promise<void>;
}

const GRAPHQL_PATH = '/graphql';

/** GRAPHQL_BODY_LIMIT ("100kb", "1mb", "512b") in bytes, as body-parser counts them (1 kb = 1024 b). */
export function bodyLimitBytes(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (match === null) throw new Error(`GRAPHQL_BODY_LIMIT must look like 100kb (got "${limit}")`);
  const unit = (match[2] ?? 'b').toLowerCase();
  return Number(match[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}

/** Whether the request is one this door handles exactly as the app would; cheap, reads headers only. */
function takes(req: IncomingMessage, limit: number): boolean {
  if (req.method !== 'POST' || req.url !== GRAPHQL_PATH) return false;
  const { headers } = req;
  const type = headers['content-type'];
  if (type !== 'application/json' && type?.toLowerCase().replace(/\s+/g, '') !== 'application/json;charset=utf-8')
    return false;
  if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
  const length = Number(headers['content-length']);
  return Number.isInteger(length) && length > 0 && length <= limit;
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

/** The server's request handler: POST /graphql JSON here, everything else to `app`. */
export function graphqlFrontDoor(options: FrontDoorOptions, app: HttpHandler): HttpHandler {
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedAt = performance.now();
    let text: string;
    try {
      text = await readBody(req, Number(req.headers['content-length']));
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
    const taken: TakenRequest = { body, requestId: ensureRequestId(req), startedAt };
    if (options.reuse !== undefined) {
      let reused = false;
      try {
        reused = await options.reuse(req, res, taken);
      } catch {
        // A failure of the whole-response cache must not fail the request: it executes.
        if (res.headersSent) return;
      }
      if (reused) return;
    }
    await options.execute(req, res, taken);
  };
  return (req, res) => {
    if (!takes(req, options.bodyLimitBytes)) return app(req, res);
    void serve(req, res);
  };
}
