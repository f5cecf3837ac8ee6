/**
 * The GraphQL playground: GraphiQL 5 (docs explorer, history, explorer plugin, autocompletion)
 * served by this gateway from assets built out of npm packages (graphiql-assets.ts), no CDN, so
 * it works on a machine without internet access. Apollo's landing page loads Sandbox from a CDN
 * and is disabled.
 *
 * - GET /playground, and GET /graphql from a browser, answer the page; its settings (endpoint,
 *   example query, headers template, introspection) travel as JSON in the page, never as script.
 * - Off in production unless PLAYGROUND=true (the security rule: no tool surface by default);
 *   then /playground answers 404 saying so, and a browser on /graphql gets Apollo's answer.
 * - Where introspection is off the page still loads and says why the docs are empty.
 * - The Content-Security-Policy pins every script, worker, style and request to this origin.
 */
import { Router, type Request, type Response } from 'express';
import type { GraphiqlAssets } from './graphiql-assets.js';

export const EXAMPLE_QUERY = `# Ctrl+Enter runs the query. extensions.upstream shows what it cost HighLevel.
query Example {
  contacts(first: 5) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        name
        email
        tags
        tasks(completed: false) { id title dueDate }
        notes { id body }
        appointments { id title startTime }
      }
    }
  }
}
`;

/** What the headers editor starts with when callers need credentials (JSON with comments). */
const CREDENTIALS_HEADERS_TEMPLATE = `{
  // This gateway needs credentials: uncomment one line and paste yours.
  // "x-api-key": "gk_…"
  // "Authorization": "Bearer <JWT>"
}
`;

// Monaco and React set inline styles, hence 'unsafe-inline' for styles only; fonts are inlined.
const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PlaygroundOptions {
  /** Where queries go, e.g. /graphql. */
  endpoint: string;
  /** Whether the server answers introspection; when not, the page says why the docs are empty. */
  introspection: boolean;
  /** Callers need credentials (CLIENT_AUTH=required): the headers editor starts with a template. */
  credentialsRequired: boolean;
  /** The built GraphiQL assets; null when they were never built (the page says how). */
  assets: GraphiqlAssets | null;
  exampleQuery?: string;
}

const TITLE = 'HighLevel × Roofr gateway';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON inside a <script> element: `<` escaped so no value can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function playgroundHtml(options: PlaygroundOptions): string {
  const assetBase = options.assets === null ? null : `/playground/assets/${options.assets.buildId}`;
  const config = {
    endpoint: options.endpoint,
    assetBase,
    title: TITLE,
    exampleQuery: options.exampleQuery ?? EXAMPLE_QUERY,
    introspection: options.introspection,
    headers: options.credentialsRequired ? CREDENTIALS_HEADERS_TEMPLATE : null,
  };
  const notices: string[] = [];
  if (!options.introspection)
    notices.push(
      'Introspection is off on this gateway (GRAPHQL_INTROSPECTION, off by default in production), so the docs explorer and autocompletion have no schema. Queries still run; the schema is in the repository under schema/.',
    );
  if (assetBase === null)
    notices.push(
      'GraphiQL has not been built on this machine: run <code>npm run build</code> (or <code>npm start</code>, which builds it), then reload.',
    );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(TITLE)} · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/playground/playground.css">
${assetBase === null ? '' : `<link rel="stylesheet" href="${assetBase}/graphiql.css">\n<script defer src="${assetBase}/graphiql.js"></script>`}
<script id="playground-config" type="application/json">${scriptJson(config)}</script>
</head>
<body>
${notices.map((notice) => `<p class="playground-notice" role="status">${notice}</p>`).join('\n')}
<div id="graphiql">${assetBase === null ? '' : '<p class="playground-loading">Loading GraphiQL…</p>'}</div>
</body>
</html>
`;
}

const PLAYGROUND_CSS = `
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font: 14px/1.4 system-ui, sans-serif; }
#graphiql { flex: 1; min-height: 0; }
.playground-notice { margin: 0; padding: 8px 16px; background: #fff3bf; color: #5c3c00; border-bottom: 1px solid #f0c36d; }
.playground-loading { padding: 16px; color: #666; }
`;

function sendPage(res: Response, options: PlaygroundOptions): void {
  res
    .set('content-security-policy', PLAYGROUND_CSP)
    .set('x-content-type-options', 'nosniff')
    .set('cache-control', 'no-store')
    .type('html')
    .send(playgroundHtml(options));
}

/** A browser navigating to /graphql wants the page; API clients send JSON or a `query`. */
function wantsPlayground(req: Request): boolean {
  return (
    req.query.query === undefined &&
    req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html'
  );
}

/** The page, its stylesheet and the GraphiQL assets. */
export function createPlaygroundRouter(options: PlaygroundOptions): Router {
  const router = Router();
  router.get('/playground', (_req, res) => sendPage(res, options));
  router.get('/playground/playground.css', (_req, res) => {
    res.type('text/css').set('cache-control', 'no-cache').send(PLAYGROUND_CSS);
  });
  router.get('/playground/assets/:buildId/:file', (req, res) => {
    const asset =
      options.assets !== null && req.params.buildId === options.assets.buildId
        ? options.assets.get(req.params.file)
        : undefined;
    if (asset === undefined) {
      res.status(404).type('text/plain').send('No such playground asset (the gateway may have been rebuilt: reload)');
      return;
    }
    res.set('content-type', asset.contentType).set('cache-control', 'public, max-age=31536000, immutable');
    res.set('x-content-type-options', 'nosniff').vary('accept-encoding');
    if (req.acceptsEncodings('gzip') === 'gzip') res.set('content-encoding', 'gzip').send(asset.gzipped);
    else res.send(asset.body);
  });
  router.get('/graphql', (req, res, next) => {
    if (wantsPlayground(req)) sendPage(res, options);
    else next();
  });
  return router;
}

/** With the playground off: /playground says so (404); /graphql is left to the API. */
export function createPlaygroundOffRouter(): Router {
  const router = Router();
  router.get(['/playground', '/playground/*path'], (_req, res) => {
    res
      .status(404)
      .type('text/plain')
      .send(
        'The GraphQL playground is off on this gateway (off by default in production). Set PLAYGROUND=true to serve it.',
      );
  });
  return router;
}
