/**
 * Which HTTP transport the upstream layer (src/upstream/) should use: got (what the HighLevel
 * client used), node:http with keep-alive (what the Roofr transport used) and undici's
 * `request`, each configured as a client of ours would be (a per-request timeout, the body read
 * as text), sending the same GETs at the same concurrency to a server in another process.
 * Figures: requests/s and client CPU per request (the server's CPU is not counted), median of
 * `BENCH_REPEATS` rounds, interleaved so machine noise falls on every candidate alike.
 */
import { fork } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import got from 'got';
import { Agent } from 'undici';
import { createHttpExchange } from './node-http-exchange.js';
import { createUndiciTransport } from '../../src/upstream/transport.js';
import { nextMessage } from '../support/child-messages.js';

const here = dirname(fileURLToPath(import.meta.url));
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 16);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

type Send = () => Promise<string>;

interface Candidate {
  name: string;
  make(url: string): { send: Send; close(): Promise<void> | void };
}

const candidates: Candidate[] = [
  {
    name: 'got',
    make(url) {
      const http = got.extend({
        prefixUrl: url,
        timeout: { request: 4000 },
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
        responseType: 'text',
        headers: { accept: 'application/json' },
      });
      return {
        send: async () => (await http('contacts/abc', { headers: { version: '2021-07-28' } })).body,
        close() {},
      };
    },
  },
  {
    name: 'node:http',
    make(url) {
      const exchange = createHttpExchange();
      const target = new URL('/contacts/abc', url);
      return {
        send: async () =>
          (
            await exchange.send({
              url: target,
              method: 'GET',
              headers: { accept: 'application/json', version: '2021-07-28' },
              timeoutMs: 4000,
            })
          ).body,
        close: () => exchange.close(),
      };
    },
  },
  {
    name: 'undici',
    make(url) {
      const dispatcher = new Agent({ keepAliveTimeout: 4000, connections: 64 });
      const target = new URL('/contacts/abc', url);
      return {
        async send() {
          const signal = AbortSignal.timeout(4000);
          const response = await dispatcher.request({
            origin: target.origin,
            path: target.pathname,
            method: 'GET',
            headers: { accept: 'application/json', version: '2021-07-28' },
            signal,
          });
          return response.body.text();
        },
        close: () => dispatcher.close(),
      };
    },
  },
  {
    name: 'upstream transport (undici, as shipped)',
    make(url) {
      const transport = createUndiciTransport({ maxBodyBytes: 1 << 20 });
      const target = new URL('/contacts/abc', url);
      return {
        async send() {
          const response = await transport.send({
            url: target,
            method: 'GET',
            headers: { accept: 'application/json', version: '2021-07-28' },
            timeoutMs: 4000,
          });
          return response.body;
        },
        close: () => transport.close(),
      };
    },
  },
];

async function measure(send: Send): Promise<{ perSecond: number; cpuUsPerRequest: number }> {
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < REQUESTS) {
        next += 1;
        await send();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: REQUESTS / seconds, cpuUsPerRequest: (cpu.user + cpu.system) / REQUESTS };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function run(options: { write?: boolean; log?: (line: string) => void } = {}) {
  const log = options.log ?? console.log;
  const server = fork(join(here, 'echo-server.ts'), { execArgv: ['--import', 'tsx'] });
  const { url } = await nextMessage<{ type: 'ready'; url: string }>(server, 'ready');
  const rounds = new Map<string, Array<{ perSecond: number; cpuUsPerRequest: number }>>();
  try {
    for (let round = 0; round < REPEATS; round += 1) {
      for (const candidate of candidates) {
        const client = candidate.make(url);
        await measure(client.send); // warm-up round: connections, JIT
        const figures = await measure(client.send);
        await client.close();
        rounds.set(candidate.name, [...(rounds.get(candidate.name) ?? []), figures]);
        log(
          `${candidate.name}: ${figures.perSecond.toFixed(0)} req/s, ${figures.cpuUsPerRequest.toFixed(0)} µs CPU/request`,
        );
      }
    }
  } finally {
    server.send('close');
  }
  const results = candidates.map((candidate) => {
    const measured = rounds.get(candidate.name) ?? [];
    return {
      transport: candidate.name,
      requestsPerSecond: Math.round(median(measured.map((figure) => figure.perSecond))),
      clientCpuUsPerRequest: Math.round(median(measured.map((figure) => figure.cpuUsPerRequest))),
    };
  });
  const got = results.find((result) => result.transport === 'got');
  const summary = {
    date: new Date().toISOString(),
    requests: REQUESTS,
    inFlight: IN_FLIGHT,
    repeats: REPEATS,
    node: process.version,
    results: results.map((result) => ({
      ...result,
      cpuVsGot:
        got === undefined ? null : Number((result.clientCpuUsPerRequest / got.clientCpuUsPerRequest).toFixed(2)),
    })),
  };
  for (const result of summary.results)
    log(
      `median ${result.transport}: ${result.requestsPerSecond} req/s, ${result.clientCpuUsPerRequest} µs CPU/request (${result.cpuVsGot}× got)`,
    );
  if (options.write !== false) {
    const out = join(here, '..', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'upstream-transport.json'), `${JSON.stringify(summary, null, 2)}\n`);
  }
  return summary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
