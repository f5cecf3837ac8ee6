/**
 * Executes a request the front door took (graphql-front-door.ts) with Apollo Server directly:
 * what Apollo's Express integration does, less Express. The context is built by the same
 * factory the app uses, from the same memoized caller, so both ways answer alike. The answer is
 * written with its length and without an ETag (a POST's answer is never revalidated).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Logger } from 'pino';
import type { TakenRequest } from './graphql-front-door.js';

const INTERNAL_ERROR = JSON.stringify({
  errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
});

function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

export function apolloDirect<Context extends BaseContext>(options: {
  /** Already started. */
  server: ApolloServer<Context>;
  context: (req: IncomingMessage) => Promise<Context>;
  logger?: Logger;
}): (req: IncomingMessage, res: ServerResponse, taken: TakenRequest) => Promise<void> {
  const { server } = options;
  return async (req, res, taken) => {
    try {
      const answer = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: 'POST', headers: headerMapOf(req), search: '', body: taken.body },
        context: () => options.context(req),
      });
      res.statusCode = answer.status ?? 200;
      for (const [key, value] of answer.headers) res.setHeader(key, value);
      res.setHeader('x-request-id', taken.requestId);
      if (answer.body.kind === 'complete') {
        res.setHeader('content-length', Buffer.byteLength(answer.body.string));
        res.end(answer.body.string);
        return;
      }
      // Incremental delivery (@defer): chunks as Apollo yields them.
      for await (const chunk of answer.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (error) {
      // Apollo answers its own failures; this is a fault of ours, answered as the app's error handler does.
      options.logger?.error({ err: error, requestId: taken.requestId }, 'unhandled HTTP error');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(INTERNAL_ERROR),
        'x-request-id': taken.requestId,
      });
      res.end(INTERNAL_ERROR);
    }
  };
}
