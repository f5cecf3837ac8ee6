// Renders docs/images/dashboard.png: what ops/grafana/gateway.json shows, drawn without Grafana.
// `npx tsx scripts/render-dashboard.ts` starts a demo gateway in this process, drives traffic for
// about a minute (queries, mutations, a sync, a Roofr outage that leaves dead letters and
// notifications), scrapes /metrics every second, evaluates each panel's PromQL over those scrapes
// with the small evaluator below (sum/max/min by, rate/increase/delta, histogram_quantile, a
// ratio: what the dashboard uses), draws the panels with Chart.js into a static HTML page and
// screenshots it with headless Chromium (/usr/bin/chromium, playwright-core). Time is compressed:
// a [5m] or [15m] window is evaluated over the last ten scrapes.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { parseConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';

const root = new URL('../', import.meta.url);
const WINDOW_SCRAPES = 10;
const SCRAPES = 60;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
type Scrape = Sample[];
type Series = { label: string; points: Array<number | null> };

function parseExposition(text: string): Scrape {
  const samples: Scrape = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] ?? ''] = pair[2] ?? '';
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

interface Selector {
  name: string;
  matchers: Array<{ key: string; op: string; value: string }>;
}

function parseSelector(text: string): Selector {
  const match = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})?$/.exec(text.trim());
  if (match === null) throw new Error(`unsupported selector ${text}`);
  const matchers = [...(match[2] ?? '').matchAll(/(\w+)\s*(=~|!=|=)\s*"([^"]*)"/g)].map((m) => ({
    key: m[1] ?? '',
    op: m[2] ?? '=',
    value: m[3] ?? '',
  }));
  return { name: match[1] ?? '', matchers };
}

function selects(selector: Selector, sample: Sample): boolean {
  if (sample.name !== selector.name) return false;
  return selector.matchers.every(({ key, op, value }) => {
    const actual = sample.labels[key] ?? '';
    if (op === '=') return actual === value;
    if (op === '!=') return actual !== value;
    return new RegExp(`^(?:${value})$`).test(actual);
  });
}

const keyOf = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());

/** One instant vector per scrape index: label set → value. */
type Vector = Map<string, { labels: Record<string, string>; value: number }>;

function evaluate(expr: string, scrapes: Scrape[], at: number): Vector {
  expr = expr.replace(/\s+/g, ' ').trim();
  const quantile = /^histogram_quantile\(([\d.]+), (.*)\)$/.exec(expr);
  if (quantile !== null) {
    const buckets = evaluate(quantile[2] ?? '', scrapes, at);
    const groups = new Map<string, { labels: Record<string, string>; buckets: Array<[number, number]> }>();
    for (const { labels, value } of buckets.values()) {
      const { le, ...rest } = labels;
      const group = groups.get(keyOf(rest)) ?? { labels: rest, buckets: [] };
      group.buckets.push([le === '+Inf' ? Infinity : Number(le), value]);
      groups.set(keyOf(rest), group);
    }
    const out: Vector = new Map();
    const q = Number(quantile[1]);
    for (const [key, group] of groups) {
      const sorted = group.buckets.sort((a, b) => a[0] - b[0]);
      const total = sorted[sorted.length - 1]?.[1] ?? 0;
      if (total <= 0) continue;
      let previous: [number, number] = [0, 0];
      for (const bucket of sorted) {
        if (bucket[1] >= q * total) {
          const upper = bucket[0] === Infinity ? previous[0] : bucket[0];
          const within = bucket[1] - previous[1];
          const value =
            within <= 0 ? upper : previous[0] + ((upper - previous[0]) * (q * total - previous[1])) / within;
          out.set(key, { labels: group.labels, value });
          break;
        }
        previous = bucket;
      }
    }
    return out;
  }
  const parts = splitTop(expr, ' / ');
  if (parts.length === 2) {
    const [a, b] = parts.map((part) => evaluate(part, scrapes, at)) as [Vector, Vector];
    const out: Vector = new Map();
    for (const [key, left] of a) {
      const right = b.get(key);
      if (right !== undefined && right.value !== 0)
        out.set(key, { labels: left.labels, value: left.value / right.value });
    }
    return out;
  }
  const aggregation = /^(sum|max|min)(?: by \(([^)]*)\))? ?\((.*)\)$/.exec(expr);
  if (aggregation !== null) {
    const by = (aggregation[2] ?? '')
      .split(',')
      .map((label) => label.trim())
      .filter((label) => label !== '');
    const inner = evaluate(aggregation[3] ?? '', scrapes, at);
    const out: Vector = new Map();
    for (const { labels, value } of inner.values()) {
      const kept = Object.fromEntries(by.map((label) => [label, labels[label] ?? '']));
      const key = keyOf(kept);
      const current = out.get(key);
      const op = aggregation[1];
      const merged =
        current === undefined
          ? value
          : op === 'sum'
            ? current.value + value
            : op === 'max'
              ? Math.max(current.value, value)
              : Math.min(current.value, value);
      out.set(key, { labels: kept, value: merged });
    }
    return out;
  }
  const fn = /^(rate|increase|delta)\((.*)\[\w+\]\)$/.exec(expr);
  if (fn !== null) {
    const selector = parseSelector(fn[2] ?? '');
    const from = Math.max(0, at - WINDOW_SCRAPES);
    const now = instant(selector, scrapes[at] ?? []);
    const before = instant(selector, scrapes[from] ?? []);
    const seconds = Math.max(1, at - from);
    const out: Vector = new Map();
    for (const [key, sample] of now) {
      const change = sample.value - (before.get(key)?.value ?? 0);
      out.set(key, { labels: sample.labels, value: fn[1] === 'rate' ? change / seconds : change });
    }
    return out;
  }
  return instant(parseSelector(expr), scrapes[at] ?? []);
}

function instant(selector: Selector, scrape: Scrape): Vector {
  const out: Vector = new Map();
  for (const sample of scrape)
    if (selects(selector, sample)) out.set(keyOf(sample.labels), { labels: sample.labels, value: sample.value });
  return out;
}

function splitTop(expr: string, separator: string): string[] {
  let depth = 0;
  for (let index = 0; index < expr.length; index += 1) {
    const char = expr[index];
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (depth === 0 && expr.startsWith(separator, index))
      return [expr.slice(0, index), expr.slice(index + separator.length)];
  }
  return [expr];
}

function legend(format: string, labels: Record<string, string>): string {
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_match, label: string) => labels[label] ?? '');
}

interface Panel {
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ expr: string; legendFormat: string }>;
}

async function post(gateway: Gateway, query: string, headers: Record<string, string> = {}): Promise<void> {
  await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  }).then((response) => response.arrayBuffer());
}

async function main(): Promise<void> {
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('{}'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const gateway = await startGateway(
    parseConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      GHL_SIM_PORT: '0',
      DEMO_CONTACTS: '120',
      DATABASE_URL: 'sqlite::memory:',
      SYNC_SCHEDULE: 'off',
      SYNC_PAGE_SIZE: '20',
      OUTBOX_POLL_MS: '300',
      NOTIFY_QUIET_MS: '5000',
      NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${port}/ops`,
      NOTIFY_WEBHOOK_SECRET: 'render-dashboard-secret',
    }),
  );
  const roofr = gateway.writePath.roofrSimulator;
  const scrapes: Scrape[] = [];
  const ids = gateway.simulator?.data.listContactIds(gateway.locationId) ?? [];
  for (let tick = 0; tick < SCRAPES; tick += 1) {
    // A story: steady reads, a full sync, Roofr refusing the key for a while, then back.
    if (tick === 5) await post(gateway, 'mutation { startSync(mode: FULL) { id } }');
    if (tick === 20) roofr?.faults.set({ errorRate: 1, errorStatus: 401 });
    if (tick === 38) roofr?.faults.set({ errorRate: 1, errorStatus: 422 });
    if (tick === 44) roofr?.faults.clear();
    const reads = Array.from({ length: 8 }, (_, index) =>
      post(gateway, `{ contact(id: "${ids[(tick * 8 + index) % ids.length] ?? ''}") { id name tasks { title } } }`),
    );
    reads.push(post(gateway, '{ contacts(first: 10) { edges { node { id } } } }'));
    if (tick % 4 === 0) reads.push(post(gateway, '{ contact(id: "missing") { id } }'));
    if (tick % 3 === 0)
      reads.push(
        post(
          gateway,
          `mutation { createContact(input: { firstName: "Render", lastName: "T${tick}", email: "render${tick}@example.test" }) { contact { id } } }`,
        ),
      );
    await Promise.all(reads);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    scrapes.push(parseExposition(await (await fetch(`${gateway.url}/metrics`)).text()));
  }
  await gateway.close();
  receiver.close();

  const dashboard = JSON.parse(readFileSync(new URL('ops/grafana/gateway.json', root), 'utf8')) as {
    title: string;
    panels: Panel[];
  };
  const rendered = dashboard.panels.map((panel) => {
    if (panel.type === 'row') return { ...panel, series: [] as Series[] };
    const series: Series[] = [];
    for (const target of panel.targets ?? []) {
      const byKey = new Map<string, Series>();
      scrapes.forEach((_scrape, at) => {
        for (const [key, { labels, value }] of evaluate(target.expr, scrapes, at)) {
          const entry = byKey.get(key) ?? {
            label: legend(target.legendFormat, labels),
            points: scrapes.map(() => null),
          };
          entry.points[at] = Number.isFinite(value) ? value : null;
          byKey.set(key, entry);
        }
      });
      series.push(...byKey.values());
    }
    return { ...panel, series };
  });

  const chartJs = readFileSync(new URL('node_modules/chart.js/dist/chart.umd.js', root), 'utf8');
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
  body{margin:0;background:#111217;color:#ccccdc;font:12px Inter,Helvetica,Arial,sans-serif}
  h1{font-size:16px;margin:10px 12px;font-weight:500} .sub{color:#8e8e9e;margin:-6px 12px 6px}
  .grid{display:grid;grid-template-columns:repeat(24,1fr);grid-auto-rows:26px;gap:6px;padding:0 8px 8px}
  .panel{background:#181b1f;border:1px solid #2a2d33;border-radius:3px;display:flex;flex-direction:column;padding:4px 8px}
  .panel h2{font-size:12px;font-weight:500;margin:2px 0 4px} .row{font-size:13px;color:#fff;padding:6px 4px}
  .panel canvas{flex:1;min-height:0}</style><script>${chartJs}</script></head><body>
  <h1>${dashboard.title}</h1><div class="sub">ops/grafana/gateway.json over ${SCRAPES} scrapes of a demo gateway's /metrics (one per second; windows compressed to ten scrapes)</div>
  <div class="grid">${rendered
    .map((panel, index) =>
      panel.type === 'row'
        ? `<div class="row" style="grid-column:1/25;grid-row:${panel.gridPos.y * 1 + 1}/span 1">${panel.title}</div>`
        : `<div class="panel" style="grid-column:${panel.gridPos.x + 1}/span ${panel.gridPos.w};grid-row:${panel.gridPos.y + 1}/span ${panel.gridPos.h - 1}"><h2>${panel.title}</h2><canvas id="c${index}"></canvas></div>`,
    )
    .join('')}</div>
  <script>
  const panels = ${JSON.stringify(rendered.map((panel) => ({ type: panel.type, series: panel.series })))};
  const colors = ['#73bf69','#f2cc0c','#8ab8ff','#ff780a','#f2495c','#5794f2','#b877d9','#fade2a','#ff9830','#37872d','#c4162a','#1f60c4'];
  Chart.defaults.color = '#8e8e9e'; Chart.defaults.borderColor = '#2a2d33'; Chart.defaults.font.size = 10;
  panels.forEach((panel, index) => {
    if (panel.type === 'row') return;
    new Chart(document.getElementById('c' + index), {
      type: 'line',
      data: { labels: ${JSON.stringify(scrapes.map((_scrape, index) => `${index}s`))},
        datasets: panel.series.slice(0, 12).map((s, i) => ({ label: s.label, data: s.points, borderColor: colors[i % colors.length],
          backgroundColor: colors[i % colors.length] + '33', pointRadius: 0, borderWidth: 1.5, spanGaps: true, fill: false })) },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 8, boxHeight: 8, font: { size: 9 } } } },
        scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: true, ticks: { maxTicksLimit: 5 } } } },
    });
  });
  document.body.dataset.ready = 'yes';
  </script></body></html>`;
  mkdirSync(new URL('docs/images/', root), { recursive: true });
  // The page inlines Chart.js; it is a build step, not a file of the repo.
  const htmlPath = pathToFileURL(join(mkdtempSync(join(tmpdir(), 'dashboard-')), 'dashboard.html'));
  writeFileSync(htmlPath, html);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1250 } });
  await page.goto(htmlPath.href);
  await page.waitForSelector('body[data-ready="yes"]');
  await page.screenshot({ path: new URL('docs/images/dashboard.png', root).pathname, fullPage: true });
  await browser.close();
  console.log('docs/images/dashboard.png written');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
