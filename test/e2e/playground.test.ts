/**
 * The playground in a real headless Chromium with background networking off: the page and its
 * script come from the gateway itself (no CDN), the prefilled example query runs, and its
 * result appears in the results pane.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';

const CHROMIUM = '/usr/bin/chromium';
const describeIf = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) console.warn(`playground e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

describeIf('GraphQL playground in a browser', () => {
  let gateway: Gateway;
  let browser: Browser;
  beforeAll(async () => {
    const config = parseConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      GHL_SIM_PORT: '0',
      DEMO_CONTACTS: '20',
      LOG_LEVEL: 'silent',
      DATABASE_URL: 'sqlite::memory:',
      ROOFR_SIM_PORT: '0',
    });
    gateway = await startGateway(config, { simulator: { rateLimit: { max: 100_000 } } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('when the page is opened and Run is clicked, then the example query result appears and no request leaves the gateway', async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(gateway.url)) foreign.push(request.url());
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(gateway.graphqlUrl, { waitUntil: 'load' });
    expect(await page.inputValue('#query')).toContain('contacts(first: 5)');

    await page.click('#run');
    await page.locator('#result', { hasText: '"totalCount"' }).waitFor({ timeout: 10_000 });

    const shown = JSON.parse((await page.textContent('#result')) ?? '{}') as {
      data: { contacts: { totalCount: number; edges: unknown[] } };
      extensions: { upstream: { calls: number } };
    };
    expect(shown.data.contacts.totalCount).toBe(20);
    expect(shown.data.contacts.edges).toHaveLength(5);
    expect(shown.extensions.upstream.calls).toBeGreaterThan(0);
    expect(await page.textContent('#status')).toContain('HTTP 200');
    // The root-field list is filled by introspection from the same page.
    await page.waitForSelector('#fields li', { state: 'attached', timeout: 10_000 });
    expect(await page.locator('#fields li').allTextContents()).toContain('contact(id)');
    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('when a query with an error is typed and run with Ctrl+Enter, then the error is shown', async () => {
    const page = await browser.newPage();
    await page.goto(`${gateway.url}/playground`);
    await page.fill('#query', '{ contact(id: "doesNotExist000000001") { id } }');
    await page.press('#query', 'Control+Enter');
    await page.locator('#result', { hasText: 'NOT_FOUND' }).waitFor({ timeout: 10_000 });
    expect(await page.getAttribute('#result', 'class')).toBe('error');
  });
});
