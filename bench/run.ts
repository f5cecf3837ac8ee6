/**
 * `npm run bench`: runs every benchmark that has a `bench/<name>/run.ts` exporting `run()`, one
 * after another (they measure time; running them together would skew each other), then prints
 * a summary. `npm run bench -- graphql client` runs only the named ones.
 * Each writes its own bench/results/<name>.json; a failing benchmark does not stop the others.
 * The peer comparison (bench/peers) has its own command, `npm run bench:peers`: it installs
 * GraphQL Mesh and friends into bench/peers and runs for ~15 minutes, so it runs only when named.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// The peers comparison installs its own packages; the fault suite kills processes and runs for
// minutes, and has its own command (npm run chaos).
const RUN_ONLY_WHEN_NAMED = new Set(['peers', 'chaos']);

interface Outcome {
  name: string;
  status: 'ok' | 'failed';
  seconds: number;
  /** The benchmark's own verdict when it reports one (`pass` in its result). */
  pass: boolean | null;
  error?: string;
}

function hasRun(
  module: unknown,
): module is { run: (options?: { write?: boolean; log?: (line: string) => void }) => Promise<unknown> } {
  return typeof module === 'object' && module !== null && 'run' in module && typeof module.run === 'function';
}

export async function runAll(only: readonly string[] = []): Promise<Outcome[]> {
  const names = readdirSync(here, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'results' && existsSync(join(here, entry.name, 'run.ts')))
    .map((entry) => entry.name)
    .filter((name) => (only.length === 0 ? !RUN_ONLY_WHEN_NAMED.has(name) : only.includes(name)))
    .sort();
  if (names.length === 0) {
    console.log(
      only.length > 0 ? `no benchmark named ${only.join(', ')} (bench/<name>/run.ts)` : 'no bench/<name>/run.ts found',
    );
    return [];
  }
  console.log(`benchmarks: ${names.join(', ')}`);
  const outcomes: Outcome[] = [];
  for (const name of names) {
    console.log(`\n=== ${name} ===`);
    const started = performance.now();
    try {
      const module: unknown = await import(pathToFileURL(join(here, name, 'run.ts')).href);
      if (!hasRun(module)) throw new Error(`bench/${name}/run.ts does not export run()`);
      const result = await module.run({ log: (line) => console.log(`[${name}] ${line}`) });
      const pass =
        typeof result === 'object' && result !== null && 'pass' in result && typeof result.pass === 'boolean'
          ? result.pass
          : null;
      outcomes.push({ name, status: 'ok', seconds: (performance.now() - started) / 1000, pass });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      console.error(`[${name}] failed: ${message}`);
      outcomes.push({
        name,
        status: 'failed',
        seconds: (performance.now() - started) / 1000,
        pass: null,
        error: message,
      });
    }
  }
  console.log('\n=== summary ===');
  for (const outcome of outcomes) {
    const verdict =
      outcome.status === 'failed'
        ? `FAILED: ${outcome.error}`
        : outcome.pass === null
          ? 'done'
          : outcome.pass
            ? 'PASS'
            : 'below target';
    console.log(
      `${outcome.name.padEnd(12)} ${outcome.seconds.toFixed(1).padStart(7)} s  ${verdict}  (bench/results/${outcome.name}.json)`,
    );
  }
  return outcomes;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outcomes = await runAll(process.argv.slice(2));
  process.exitCode = outcomes.some((outcome) => outcome.status === 'failed' || outcome.pass === false) ? 1 : 0;
}
