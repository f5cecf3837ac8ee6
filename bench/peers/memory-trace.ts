/**
 * BENCH_MEMORY_TRACE=<dir>: a peer process (this gateway, the Apollo peer) appends its
 * process.memoryUsage() every 250 ms to <dir>/<peer>-<pid>.jsonl (MB, with the time since start),
 * so a peak RSS can be split into V8 heap, external and ArrayBuffer memory and what lies outside
 * both (code, malloc). Off unless the variable is set; the timer never keeps the process alive.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const MB = 1024 * 1024;

export function traceMemory(peer: string): void {
  const dir = process.env.BENCH_MEMORY_TRACE;
  if (dir === undefined || dir === '') return;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${peer}-${process.pid}.jsonl`);
  const started = Date.now();
  const sample = (): void => {
    const usage = process.memoryUsage();
    const row = {
      t: Math.round((Date.now() - started) / 100) / 10,
      rss: Math.round(usage.rss / MB),
      heapTotal: Math.round(usage.heapTotal / MB),
      heapUsed: Math.round(usage.heapUsed / MB),
      external: Math.round(usage.external / MB),
      arrayBuffers: Math.round(usage.arrayBuffers / MB),
    };
    appendFileSync(file, `${JSON.stringify(row)}\n`);
  };
  sample();
  setInterval(sample, 250).unref();
}
