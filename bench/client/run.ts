/**
 * Client benchmark: does the rate budget use the allowed rate without ever meeting a 429?
 * Against the simulator (own process) limited to 100 requests / 1,000 ms: page through 10,000
 * contacts (POST /contacts/search, 500 a page), then fetch the tasks and notes of 1,000 contacts
 * one call each (2,000 calls). Everything runs in the interactive lane, which may use the whole
 * window (the background lane stops at 1 − GHL_INTERACTIVE_SHARE of it).
 *
 * Run: `npx tsx bench/client/run.ts` (or call `run()`). Prints and writes
 * bench/results/client.json. Targets: achieved / allowed rate ≥ 0.9, 429s = 0, peak RSS < 200 MB.
 * Not a test: timings vary by machine.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { GhlClient } from '../../src/ghl/client.js';
import { StaticTokenProvider } from '../../src/ghl/token-provider.js';
import { nextMessage } from '../support/child-messages.js';

const here = dirname(fileURLToPath(import.meta.url));
const MAX = 100;
const INTERVAL_MS = 1000;
const CONTACTS = 10_000;
const FETCH_CONTACTS = 1000;

interface Ready {
  type: 'ready';
  url: string;
  locationId: string;
  token: string;
}

interface Stats {
  type: 'stats';
  total: number;
  rateLimited: number;
  ok: number;
}

export interface ClientBenchResult {
  at: string;
  rateLimit: { max: number; intervalMs: number };
  requests: number;
  elapsedMs: number;
  requestsPerSecond: number;
  allowedPerSecond: number;
  rateRatio: number;
  rateLimited429: number;
  peakRssMb: number;
  contactsPaged: number;
  contactsFetched: number;
  targets: { rateRatio: number; rateLimited429: number; peakRssMb: number };
  pass: boolean;
}

export async function run(options: { write?: boolean; log?: (line: string) => void } = {}): Promise<ClientBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const child = fork(join(here, 'simulator-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      BENCH_SIM_CONTACTS: String(CONTACTS),
      BENCH_SIM_MAX: String(MAX),
      BENCH_SIM_INTERVAL_MS: String(INTERVAL_MS),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await nextMessage<Ready>(child, 'ready');
    log(`simulator ready at ${ready.url} (${CONTACTS} contacts, ${MAX} requests / ${INTERVAL_MS} ms)`);
    const client = new GhlClient({
      baseUrl: ready.url,
      tokenProvider: new StaticTokenProvider(ready.token, ready.locationId, null),
      timeoutMs: 15_000,
      maxRetries: 4,
      concurrencyPerLocation: 8,
      dailyReserve: 1000,
      interactiveShare: 0.3,
    });

    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);

    let requests = 0;
    const observer = { onRequest: () => void (requests += 1) };
    const started = performance.now();
    // Pipelined like a sync job: contacts are handed to the fetch workers as pages arrive, so the
    // round trips of the (partly sequential) search walk do not leave the window idle.
    let paged = 0;
    let fetched = 0;
    let progressAt = performance.now();
    const toFetch: string[] = [];
    let queuedForFetch = 0;
    let pagingDone = false;
    let idle: Array<() => void> = [];
    const notify = (): void => {
      for (const resume of idle) resume();
      idle = [];
    };
    const paging = (async () => {
      try {
        for await (const hit of client.iterateSearch(ready.locationId, { pageLimit: 500 }, { observer })) {
          paged += 1;
          if (queuedForFetch < FETCH_CONTACTS) {
            queuedForFetch += 1;
            toFetch.push(hit.contact.id);
            notify();
          }
        }
        log(`paged ${paged} contacts in ${Math.round(performance.now() - started)} ms`);
      } finally {
        pagingDone = true;
        notify();
      }
    })();
    const worker = async (): Promise<void> => {
      for (;;) {
        const contactId = toFetch.shift();
        if (contactId === undefined) {
          if (pagingDone) return;
          await new Promise<void>((resolve) => idle.push(resolve));
          continue;
        }
        await Promise.all([
          client.listTasks(ready.locationId, contactId, { observer }),
          client.listNotes(ready.locationId, contactId, { observer }),
        ]);
        fetched += 1;
        if (performance.now() - progressAt > 5000) {
          progressAt = performance.now();
          log(`  tasks and notes of ${fetched} / ${FETCH_CONTACTS} contacts (${requests} requests)`);
        }
      }
    };
    await Promise.all([paging, ...Array.from({ length: 16 }, () => worker())]);
    const elapsedMs = performance.now() - started;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    child.send('stats');
    const stats = await nextMessage<Stats>(child, 'stats');
    const requestsPerSecond = (requests * 1000) / elapsedMs;
    const allowedPerSecond = (MAX * 1000) / INTERVAL_MS;
    const targets = { rateRatio: 0.9, rateLimited429: 0, peakRssMb: 200 };
    const result: ClientBenchResult = {
      at: new Date().toISOString(),
      rateLimit: { max: MAX, intervalMs: INTERVAL_MS },
      requests,
      elapsedMs: Math.round(elapsedMs),
      requestsPerSecond: Math.round(requestsPerSecond * 100) / 100,
      allowedPerSecond,
      rateRatio: Math.round((requestsPerSecond / allowedPerSecond) * 1000) / 1000,
      rateLimited429: stats.rateLimited,
      peakRssMb: Math.round((peakRss / 1024 / 1024) * 10) / 10,
      contactsPaged: paged,
      contactsFetched: fetched,
      targets,
      pass: false,
    };
    result.pass =
      result.rateRatio >= targets.rateRatio &&
      result.rateLimited429 <= targets.rateLimited429 &&
      result.peakRssMb < targets.peakRssMb;
    log(
      `${requests} requests in ${result.elapsedMs} ms: ${result.requestsPerSecond} req/s of ${allowedPerSecond} allowed ` +
        `(ratio ${result.rateRatio}, target ≥ ${targets.rateRatio}); 429s: ${result.rateLimited429} (target 0); ` +
        `peak RSS ${result.peakRssMb} MB (target < ${targets.peakRssMb}); ${result.pass ? 'PASS' : 'FAIL'}`,
    );
    if (options.write !== false) {
      mkdirSync('bench/results', { recursive: true });
      writeFileSync('bench/results/client.json', `${JSON.stringify(result, null, 2)}\n`);
      log('wrote bench/results/client.json');
    }
    return result;
  } finally {
    child.send('close');
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await run();
  process.exitCode = result.pass ? 0 : 1;
}
