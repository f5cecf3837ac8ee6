/**
 * The gateway's HTTP surface: POST/GET /graphql (Apollo Server on Express 5), the playground
 * (GET /graphql from a browser, or /playground; playground.ts), GET /healthz and /readyz, and
 * GET /metrics.
 * Builds a fresh GraphQL context for every request. Does not listen: src/gateway.ts does.
 */
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { ContextFactory, ContextRequest, GraphQLContext } from '../graphql/context.js';
import type { ServerResponse } from 'node:http';
import type { RequestLike } from '../auth/authenticate-request.js';
import { memoizeContextRequest, type ContextRequestOf } from './context-request.js';
import { callerRequestId, ensureRequestId } from './request-id.js';
import { createHealthRouter, type HealthRoutesOptions } from './health-routes.js';
import { createPlaygroundOffRouter, createPlaygroundRouter, type PlaygroundOptions } from './playground.js';

interface HttpAppOptions {
  /** Already started (`await server.start()`): expressMiddleware requires it. */
  server: ApolloServer<GraphQLContext>;
  createContext: ContextFactory;
  /**
   * Per-request context inputs from the HTTP request (e.g. the caller's location once client
   * auth exists). Default: only the x-request-id header.
   */
  contextRequest?: (req: RequestLike) => ContextRequest | Promise<ContextRequest>;
  /** `contextRequest` memoized per request, when something in front of the app shares it (the cached-response fast path). */
  contextRequestOf?: ContextRequestOf;
  /** express.json limit of /graphql bodies (GRAPHQL_BODY_LIMIT). */
  bodyLimit?: string;
  logger?: Logger;
  /** Extra health facts (e.g. demo mode); /healthz answers 200 while the process serves. */
  health?: () => Record<string, unknown>;
  /** The /readyz checks (src/http/health-routes.ts); none: /readyz answers 200 while serving. */
  readiness?: Pick<HealthRoutesOptions, 'checks' | 'draining'>;
  /** GET /metrics (src/http/metrics-route.ts). */
  metricsRouter?: Router;
  /** The playground's settings; null or unset: off (/playground answers 404 saying how to turn it on). */
  playground?: PlaygroundOptions | null;
}

/** Every /graphql request gets a request id (request-id.ts), echoed in the response header. */
function assignRequestId(req: Request, res: Response, next: NextFunction): void {
  res.set('x-request-id', ensureRequestId(req));
  next();
}

function requestIdOnly(req: RequestLike): ContextRequest {
  const requestId = callerRequestId(req.headers);
  return requestId === undefined ? {} : { requestId };
}

const MALFORMED_BODY = JSON.stringify({
  errors: [{ message: 'Bad request: the body must be valid JSON', extensions: { code: 'BAD_REQUEST' } }],
});

/** The answer to a /graphql body that is not JSON (here and in the cached-response fast path). */
export function rejectMalformedJson(res: ServerResponse): void {
  res.writeHead(400, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(MALFORMED_BODY),
  });
  res.end(MALFORMED_BODY);
}

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');

  app.use(
    createHealthRouter({
      checks: options.readiness?.checks ?? {},
      ...(options.readiness?.draining ? { draining: options.readiness.draining } : {}),
      ...(options.health ? { facts: options.health } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    }),
  );
  if (options.metricsRouter) app.use(options.metricsRouter);

  app.use(options.playground ? createPlaygroundRouter(options.playground) : createPlaygroundOffRouter());

  // The caller is authenticated once per request, whether the fast path or Apollo asks first.
  const contextRequestOf = options.contextRequestOf ?? memoizeContextRequest(options.contextRequest ?? requestIdOnly);
  app.use(
    '/graphql',
    assignRequestId,
    express.json({ limit: options.bodyLimit ?? '100kb' }),
    expressMiddleware(options.server, {
      context: async ({ req }) => options.createContext(await contextRequestOf(req)),
    }),
  );

  // Express's default handler would print a stack trace outside production; answer plainly.
  // Every rejection of the request itself (too large, malformed JSON) is a 400 with a code
  // saying what to fix, so clients handle one status for "my request was refused".
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status =
      typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
        ? error.status
        : 500;
    if (status >= 500) {
      options.logger?.error({ err: error }, 'unhandled HTTP error');
      res
        .status(500)
        .json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      return;
    }
    const tooLarge =
      typeof error === 'object' && error !== null && 'type' in error && error.type === 'entity.too.large';
    if (!tooLarge) return rejectMalformedJson(res);
    res.status(400).json({
      errors: [
        {
          message: `Request body larger than the limit (${options.bodyLimit ?? '100kb'}, GRAPHQL_BODY_LIMIT)`,
          extensions: { code: 'REQUEST_TOO_LARGE' },
        },
      ],
    });
  });

  return app;
}
