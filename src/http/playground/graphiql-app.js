/**
 * The browser side of /playground: GraphiQL 5 with the docs explorer, history and the explorer
 * plugin, bundled by scripts/build-graphiql.ts (no CDN: every byte comes from this gateway, so it
 * works offline). Settings come from the page (#playground-config, written by
 * src/http/playground.ts): endpoint, example query, headers template, whether introspection is on.
 *
 * The fetcher returns the whole JSON body, so `extensions` (upstream calls, rate limit,
 * responseCache, stale) shows with every result. With introspection off, GraphiQL is given no
 * schema (it would only get an error); the page says why the docs are empty.
 */
import './monaco-environment.js';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL, HISTORY_PLUGIN } from 'graphiql';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';

const config = JSON.parse(document.getElementById('playground-config').textContent);

async function fetcher(params, options) {
  const response = await fetch(config.endpoint, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      ...options?.headers,
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return {
      errors: [
        { message: `HTTP ${response.status}: the answer was not JSON`, extensions: { body: text.slice(0, 500) } },
      ],
    };
  }
}

const props = {
  fetcher,
  plugins: [HISTORY_PLUGIN, explorerPlugin({ showAttribution: false })],
  defaultQuery: config.exampleQuery,
  defaultEditorToolsVisibility: config.headers ? 'headers' : true,
  isHeadersEditorEnabled: true,
  // Headers may hold an API key: not written to localStorage unless the user opts in (settings).
  shouldPersistHeaders: false,
  showPersistHeadersSettings: true,
  ...(config.headers ? { defaultHeaders: config.headers } : {}),
  ...(config.introspection ? {} : { schema: null }),
};

createRoot(document.getElementById('graphiql')).render(
  createElement(GraphiQL, props, createElement(GraphiQL.Logo, null, config.title)),
);
