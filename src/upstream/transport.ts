/**
 * The one HTTP transport of every upstream (HighLevel, Roofr, the Zapier hook): one exchange,
 * connect to the last byte of the body, bounded in time (`timeoutMs`, one attempt) and in size
 * (`maxBodyBytes`: an upstream cannot make us buffer without end), aborted by the caller's
 * signal. Redirects are not followed: a 3xx is an answer like any other status.
 *
 * undici's `request` over a keep-alive Agent: measured against got (what the HighLevel client
 * used) and node:http (what the Roofr transport used) in bench/upstream, it spends the least
 * client CPU per request (bench/results/upstream-transport.json). Retries, pacing and error
 * classification are not here: the request loop (request-loop.ts) owns them.
 */
import { Agent, type Dispatcher } from 'undici';

export interface TransportRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  /** Sent as is; the caller sets content-type. */
  body?: string;
  /** This attempt, connect to the last byte of the body. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string;
}

/** The attempt did not finish within its timeout. */
export class TransportTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
    this.name = 'TransportTimeoutError';
  }
}

/** The answer's body passed `maxBodyBytes`; reading stopped there. */
export class TransportBodyTooLargeError extends Error {
  constructor(readonly maxBodyBytes: number) {
    super(`the answer's body is larger than ${maxBodyBytes} bytes`);
    this.name = 'TransportBodyTooLargeError';
  }
}

/** Socket errors (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET…) carry a code; null when none. */
export function networkCodeOf(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string')
    return error.code;
  return null;
}

/** Failures where the request certainly never reached the server, so even a create may be sent again. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function neverSent(error: unknown): boolean {
  const code = networkCodeOf(error);
  return code !== null && NOT_SENT_CODES.has(code);
}

export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Closes kept-alive connections (they never hold the process open). */
  close(): Promise<void>;
}

interface UndiciTransportOptions {
  /** Largest body read before the attempt fails (TransportBodyTooLargeError). */
  maxBodyBytes: number;
  /** Connections per origin; default 64. */
  connections?: number;
}

async function readBody(body: Dispatcher.ResponseData['body'], maxBodyBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) {
      body.destroy();
      throw new TransportBodyTooLargeError(maxBodyBytes);
    }
    chunks.push(buffer);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

export function createUndiciTransport(options: UndiciTransportOptions): Transport {
  // A free socket is closed before a typical server idle timeout (5 s) would close it under a
  // request about to reuse it; undici also honours the server's own keep-alive hint.
  const agent = new Agent({ keepAliveTimeout: 4_000, connections: options.connections ?? 64 });

  async function send(request: TransportRequest): Promise<TransportResponse> {
    const controller = new AbortController();
    const timeout = new TransportTimeoutError(request.timeoutMs);
    const timer = setTimeout(() => controller.abort(timeout), request.timeoutMs);
    const outer = request.signal;
    const onOuterAbort = (): void => controller.abort(outer?.reason);
    if (outer?.aborted) onOuterAbort();
    else outer?.addEventListener('abort', onOuterAbort, { once: true });
    try {
      const response = await agent.request({
        origin: request.url.origin,
        path: `${request.url.pathname}${request.url.search}`,
        method: request.method as Dispatcher.HttpMethod,
        headers:
          request.body === undefined
            ? request.headers
            : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: controller.signal,
      });
      const body = await readBody(response.body, options.maxBodyBytes);
      return { status: response.statusCode, headers: response.headers, body };
    } catch (error) {
      // undici rejects with its own AbortError; the reason says what actually happened.
      if (controller.signal.aborted) throw controller.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }

  return {
    send,
    close: () => agent.close(),
  };
}
