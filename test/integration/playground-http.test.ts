/**
 * The playground's HTTP surface over real HTTP: off in production unless PLAYGROUND=true (and
 * then /playground says how to turn it on, and a browser on /graphql gets the API, not the page),
 * the page's settings and Content-Security-Policy, and its GraphiQL assets served from this
 * gateway as UTF-8, gzipped on request and cacheable for good under their build id.
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { gunzipSync } from 'node:zlib';
import { buildGraphiql } from '../../scripts/build-graphiql.js';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';

const JWT_SECRET = 'playground-test-secret-0123456789abcdef';

async function start(extra: Record<string, string>): Promise<Gateway> {
  return startGateway(
    parseConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      GHL_SIM_PORT: '0',
      DEMO_CONTACTS: '5',
      LOG_LEVEL: 'silent',
      DATABASE_URL: 'sqlite::memory:',
      ROOFR_SIM_PORT: '0',
      ...extra,
    }),
  );
}

interface PageConfig {
  endpoint: string;
  assetBase: string | null;
  introspection: boolean;
  headers: string | null;
  exampleQuery: string;
}

function pageConfig(html: string): PageConfig {
  const match = /<script id="playground-config" type="application\/json">(.*?)<\/script>/s.exec(html);
  if (match?.[1] === undefined) throw new Error('the page carries no settings');
  return JSON.parse(match[1]) as PageConfig;
}

describe('playground over HTTP', () => {
  let gateway: Gateway | undefined;
  beforeAll(async () => {
    await buildGraphiql({ ifStale: true, log: () => undefined });
  }, 180_000);
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it('when NODE_ENV=production and PLAYGROUND is unset, then /playground answers 404 saying how to enable it and a browser on /graphql does not get the page', async () => {
    gateway = await start({ NODE_ENV: 'production', JWT_SECRET });
    const page = await fetch(`${gateway.url}/playground`);
    expect(page.status).toBe(404);
    expect(await page.text()).toMatch(/PLAYGROUND=true/);
    const browser = await fetch(gateway.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(browser.headers.get('content-type')).not.toMatch(/text\/html/);
    expect(await browser.text()).not.toContain('playground-config');
  });

  it('when NODE_ENV=production and PLAYGROUND=true, then the page loads, says introspection is off and pre-fills the credentials template', async () => {
    gateway = await start({ NODE_ENV: 'production', JWT_SECRET, PLAYGROUND: 'true' });
    const response = await fetch(`${gateway.url}/playground`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Introspection is off on this gateway');
    const config = pageConfig(html);
    expect(config).toMatchObject({ endpoint: '/graphql', introspection: false });
    expect(config.headers).toContain('// "x-api-key": "gk_…"');
    expect(config.headers).toContain('// "Authorization": "Bearer <JWT>"');
  });

  it('when PLAYGROUND=false outside production, then the playground is off', async () => {
    gateway = await start({ PLAYGROUND: 'false' });
    expect((await fetch(`${gateway.url}/playground`)).status).toBe(404);
  });

  it('when a browser opens /graphql in demo mode, then it gets the page with a same-origin CSP, introspection on and no credentials template', async () => {
    gateway = await start({});
    const response = await fetch(gateway.graphqlUrl, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("worker-src 'self'");
    const html = await response.text();
    expect(html).not.toContain('Introspection is off');
    const config = pageConfig(html);
    expect(config).toMatchObject({ introspection: true, headers: null });
    expect(config.exampleQuery).toContain('contacts(first: 5)');
    // An API client on the same URL still gets GraphQL.
    const api = await fetch(`${gateway.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await api.json()).toMatchObject({ data: { __typename: 'Query' } });
  });

  it('when the GraphiQL assets are requested, then each comes from the gateway as UTF-8, gzipped on request and immutable under its build id', async () => {
    gateway = await start({});
    const { assetBase } = pageConfig(await (await fetch(`${gateway.url}/playground`)).text());
    expect(assetBase).toMatch(/^\/playground\/assets\/[\w-]+$/);
    for (const file of ['graphiql.js', 'graphiql.css', 'editor.worker.js', 'json.worker.js', 'graphql.worker.js']) {
      const plain = await fetch(`${gateway.url}${assetBase}/${file}`, { headers: { 'accept-encoding': 'identity' } });
      expect(plain.status).toBe(200);
      expect(plain.headers.get('content-type')).toMatch(/^text\/(javascript|css); charset=utf-8$/);
      expect(plain.headers.get('cache-control')).toContain('immutable');
      const body = Buffer.from(await plain.arrayBuffer());
      expect(body.length).toBeGreaterThan(10_000);
      // Node's fetch would decode gzip itself: ask over a raw request instead.
      const gzipped = await new Promise<Buffer>((resolve, reject) => {
        import('node:http').then(({ get }) =>
          get(`${gateway?.url}${assetBase}/${file}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
            expect(res.headers['content-encoding']).toBe('gzip');
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve(Buffer.concat(chunks)));
          }).on('error', reject),
        );
      });
      expect(gunzipSync(gzipped).equals(body)).toBe(true);
    }
    expect((await fetch(`${gateway.url}${assetBase}/package.json`)).status).toBe(404);
    expect((await fetch(`${gateway.url}/playground/assets/old-build/graphiql.js`)).status).toBe(404);
  });
});
