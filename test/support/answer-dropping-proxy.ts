/**
 * An HTTP proxy in front of an upstream (the GHL simulator) that can lose answers: for the next
 * matching request it forwards the request, waits until the upstream answered (so the write is
 * stored), then never answers the client. That is the failure a create timeout stands for and
 * the one that makes a blind retry duplicate. Everything else passes through unchanged.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnswerDroppingProxy {
  url: string;
  /** The next `count` requests with this method and exact path reach upstream but get no answer. */
  dropNextAnswers(method: string, path: string, count?: number): void;
  /** Answers dropped so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

export async function startAnswerDroppingProxy(upstreamUrl: string): Promise<AnswerDroppingProxy> {
  const upstream = new URL(upstreamUrl);
  const rules: Array<{ method: string; path: string; remaining: number }> = [];
  let dropped = 0;

  function shouldDrop(req: IncomingMessage): boolean {
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    const rule = rules.find(
      (candidate) => candidate.remaining > 0 && candidate.method === req.method && candidate.path === path,
    );
    if (!rule) return false;
    rule.remaining -= 1;
    return true;
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const drop = shouldDrop(req);
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        if (drop) {
          // Read the answer (the upstream finished its work) and keep the client waiting.
          answer.resume();
          answer.on('end', () => {
            dropped += 1;
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dropNextAnswers(method, path, count = 1) {
      rules.push({ method: method.toUpperCase(), path, remaining: count });
    },
    get dropped() {
      return dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
