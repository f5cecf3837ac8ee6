/**
 * The playground (GraphiQL 5) in a real headless Chromium with every request that is not to the
 * gateway blocked: the page, its scripts, styles and Monaco's workers all come from the gateway.
 * Autocompletion, the docs explorer and the explorer plugin work from introspection, the example
 * query is the first tab and runs (its `extensions` shown with the data), history records it, and
 * a gateway that needs credentials pre-fills the headers editor. Screenshots go to
 * test/e2e/output/ (ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildGraphiql } from '../../scripts/build-graphiql.js';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';

const CHROMIUM = '/usr/bin/chromium';
const describeIf = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) console.warn(`playground e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const OUTPUT = fileURLToPath(new URL('./output/', import.meta.url));

function demoConfig(extra: Record<string, string> = {}) {
  return parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    GHL_SIM_PORT: '0',
    DEMO_CONTACTS: '20',
    LOG_LEVEL: 'silent',
    DATABASE_URL: 'sqlite::memory:',
    ROOFR_SIM_PORT: '0',
    ...extra,
  });
}

interface OfflinePage {
  page: Page;
  context: BrowserContext;
  /** Requests the page tried to send anywhere but the gateway (all were aborted). */
  blocked: string[];
  pageErrors: string[];
}

async function openOffline(browser: Browser, gateway: Gateway, path: string): Promise<OfflinePage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const blocked: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(`${gateway.url}/`) || url.startsWith('data:')) return route.continue();
    blocked.push(url);
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.goto(`${gateway.url}${path}`, { waitUntil: 'load' });
  await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 20_000 });
  return { page, context, blocked, pageErrors };
}

/** The operation editor's text as Monaco shows it (non-breaking spaces as spaces). */
async function editorText(page: Page): Promise<string> {
  const text = await page.locator('.graphiql-query-editor .view-lines').innerText();
  return text.replace(/\u00a0/g, ' ');
}

describeIf('GraphiQL playground in a browser, offline', () => {
  let gateway: Gateway;
  let browser: Browser;
  beforeAll(async () => {
    await buildGraphiql({ ifStale: true, log: () => undefined });
    mkdirSync(OUTPUT, { recursive: true });
    gateway = await startGateway(demoConfig(), { simulator: { rateLimit: { max: 100_000 } } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('when the page opens, then the example query is the first tab and running it shows data with its extensions, and history records it', async () => {
    const { page, context, blocked, pageErrors } = await openOffline(browser, gateway, '/playground');
    try {
      await page.locator('.graphiql-query-editor .view-lines', { hasText: 'contacts(first: 5)' }).waitFor();
      expect(await editorText(page)).toContain('query Example');

      await page.locator('.graphiql-execute-button').click();
      const response = page.locator('.graphiql-response');
      await response.getByText('"totalCount": 20').waitFor({ timeout: 20_000 });
      expect(await response.innerText()).toContain('"edges"');
      // Monaco renders only the visible lines: go to the end of the result, where extensions are.
      await response.locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      await response.getByText('"extensions"').waitFor();
      const end = await response.innerText();
      expect(end).toContain('"upstream"');
      expect(end).toContain('"rateLimit"');

      await page.getByRole('button', { name: 'Show History' }).click();
      await page.locator('.graphiql-history-item', { hasText: 'Example' }).first().waitFor();
      await page.screenshot({ path: `${OUTPUT}playground.png` });
      expect(blocked).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('when `{ cont` is typed, then autocompletion offers contact and contacts, and the docs explorer shows Contact', async () => {
    const { page, context, blocked, pageErrors } = await openOffline(browser, gateway, '/graphql');
    try {
      // The schema arrives by introspection; the docs explorer lists Query once it has.
      await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
      const docs = page.locator('.graphiql-doc-explorer');
      await docs.getByText('Query', { exact: true }).first().click();
      await docs
        .locator('.graphiql-doc-explorer-field-name', { hasText: /^contact$/ })
        .first()
        .waitFor();
      await docs.getByText('Contact', { exact: true }).first().click();
      await docs.locator('.graphiql-doc-explorer-title', { hasText: 'Contact' }).waitFor();

      await page.locator('.graphiql-query-editor .view-lines').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.type('{ cont', { delay: 30 });
      const suggestions = page.locator('.graphiql-query-editor .suggest-widget');
      await suggestions.getByRole('option', { name: 'contacts', exact: true }).waitFor({ timeout: 15_000 });
      await suggestions.getByRole('option', { name: 'contact', exact: true }).waitFor();
      const offered = await suggestions
        .getByRole('option')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label')));
      expect(offered).toEqual(expect.arrayContaining(['contact', 'contacts']));
      await page.screenshot({ path: `${OUTPUT}playground-completion.png` });

      // The explorer plugin lists the root fields to click a query together.
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Show GraphiQL Explorer' }).click();
      await page.locator('.graphiql-explorer-root').getByText('contactsByBusiness', { exact: true }).first().waitFor();
      expect(blocked).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describeIf('GraphiQL playground of a gateway that needs credentials and answers no introspection', () => {
  let gateway: Gateway;
  let browser: Browser;
  beforeAll(async () => {
    await buildGraphiql({ ifStale: true, log: () => undefined });
    gateway = await startGateway(demoConfig({ CLIENT_AUTH: 'required', GRAPHQL_INTROSPECTION: 'false' }));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-sync'],
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('when the page opens, then it says why the docs are empty and the headers editor holds a commented API key and Authorization line', async () => {
    const { page, context, blocked, pageErrors } = await openOffline(browser, gateway, '/playground');
    try {
      await page.getByText('Introspection is off on this gateway').waitFor();
      const headers = page.locator('.graphiql-editor-tool .graphiql-editor').last();
      await headers.getByText('"x-api-key"').waitFor({ timeout: 10_000 });
      const text = (await headers.innerText()).replace(/\u00a0/g, ' ');
      expect(text).toContain('// "x-api-key": "gk_…"');
      expect(text).toContain('// "Authorization": "Bearer <JWT>"');
      await page.screenshot({ path: `${OUTPUT}playground-credentials.png` });
      expect(blocked).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
