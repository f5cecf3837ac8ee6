/**
 * The node:http exchange the Roofr transport used before the upstream layer (kept here only as
 * a candidate of the transport benchmark): one request/response over keep-alive agents, a
 * text body, a total timeout, an abort.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

interface ExchangeRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  /** Sent as is; the caller sets content-type. */
  body?: string;
  /** The whole exchange, connect to last byte of the body. */
  timeoutMs: number;
  signal?: AbortSignal;
}

interface ExchangeResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The exchange did not finish within its timeout. */
class ExchangeTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
    this.name = 'ExchangeTimeoutError';
  }
}

interface HttpExchange {
  send(request: ExchangeRequest): Promise<ExchangeResponse>;
  /** Closes idle kept-alive sockets. */
  close(): void;
}

export function createHttpExchange(): HttpExchange {
  // A free socket is closed before a typical server idle timeout (5 s) would close it under a
  // request about to reuse it.
  const agents = {
    http: new http.Agent({ keepAlive: true, timeout: 4_000 }),
    https: new https.Agent({ keepAlive: true, timeout: 4_000 }),
  };

  function send(request: ExchangeRequest): Promise<ExchangeResponse> {
    return new Promise((resolve, reject) => {
      const secure = request.url.protocol === 'https:';
      const headers: Record<string, string | number> = { ...request.headers };
      if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
      const outgoing = (secure ? https : http).request(request.url, {
        method: request.method,
        headers,
        agent: secure ? agents.https : agents.http,
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      });
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const timer = setTimeout(() => {
        const error = new ExchangeTimeoutError(request.timeoutMs);
        settle(() => reject(error));
        outgoing.destroy(error);
      }, request.timeoutMs);
      outgoing.on('error', (error) => settle(() => reject(error)));
      outgoing.on('response', (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', (error) => settle(() => reject(error)));
        // Closed before its end (the server or a proxy dropped it): reported like a reset.
        incoming.on('close', () =>
          settle(() =>
            reject(
              Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' }),
            ),
          ),
        );
        incoming.on('end', () =>
          settle(() =>
            resolve({
              statusCode: incoming.statusCode ?? 0,
              headers: incoming.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          ),
        );
      });
      outgoing.end(request.body);
    });
  }

  return {
    send,
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
