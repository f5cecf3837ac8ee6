/**
 * The benchmarks' HTTP client: a JSON POST over a keep-alive node:http Agent. fetch (undici)
 * costs ~1.5 ms of client CPU per request on this machine, more than a cached query costs a
 * gateway, so a fetch-driven benchmark would measure its own client rather than the server.
 */
import { request, type Agent } from 'node:http';

interface PostAnswer {
  status: number;
  text: string;
}

/** POSTs `body` (JSON text); rejects on a connection error, or when `timeoutMs` passes without an answer. */
export function postJson(agent: Agent, url: string, body: string, timeoutMs?: number): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    if (timeoutMs !== undefined) {
      outgoing.setTimeout(timeoutMs, () =>
        outgoing.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' })),
      );
    }
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
