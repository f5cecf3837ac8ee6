/**
 * A local HTTP receiver for the gateway's outbound webhooks (notifications, Slack, Zapier hooks):
 * records every request with its raw body and headers, and answers what the test scripts
 * (e.g. 503 twice, then 200; or 410 Gone).
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  /** The status this request was answered with. */
  answeredWith: number;
}

export interface HookReceiver {
  url: string;
  received: ReceivedHook[];
  /** Requests to `path` (exact). */
  at(path: string): ReceivedHook[];
  /** Answers the next `count` requests to `path` with `status`. */
  answerNext(path: string, count: number, status: number): void;
  /** Waits until `predicate` holds for the received list (polls; bounded by `timeoutMs`). */
  waitFor(predicate: (received: ReceivedHook[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startHookReceiver(): Promise<HookReceiver> {
  const received: ReceivedHook[] = [];
  const scripted = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const status = scripted.get(path)?.shift() ?? 200;
      let json: unknown = null;
      try {
        json = JSON.parse(body) as unknown;
      } catch {
        json = null;
      }
      received.push({ path, headers: req.headers, body, json, answeredWith: status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status < 300 }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    at: (path) => received.filter((hook) => hook.path === path),
    answerNext(path, count, status) {
      scripted.set(path, [...(scripted.get(path) ?? []), ...Array.from({ length: count }, () => status)]);
    },
    async waitFor(predicate, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > until)
          throw new Error(`the receiver did not get what the test waited for (got ${received.length} requests)`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
