/**
 * A process loads only the backends its configuration uses: BullMQ, ioredis, pg, nodemailer, jose
 * and the simulators weigh tens of MB of memory each in every replica otherwise (issue 17, peak
 * RSS). The gateway runs as a real process (loaded-modules-process.ts) that reports the modules it
 * loaded after answering a query over HTTP.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function modulesLoadedWith(env: Record<string, string>): Promise<{ answered: boolean; loaded: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/loaded-modules-process.ts'], {
    cwd: ROOT,
    // Only what is given: the suite's own REDIS_URL or DATABASE_URL must not leak in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the gateway process exited with ${code ?? 'a signal'}:\n${stderr}`);
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as { answered: boolean; loaded: string[] };
}

const packageOf = (url: string): string | null => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? null;

describe('modules a gateway process loads', () => {
  it('when it serves HighLevel with SQLite, the memory cache, no Redis, SMTP or JWT, then BullMQ, ioredis, pg, nodemailer, jose and the simulators are never loaded', async () => {
    const { answered, loaded } = await modulesLoadedWith({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      // Never called: the query asks only for __typename.
      GHL_API_BASE_URL: 'http://127.0.0.1:9',
      GHL_PRIVATE_INTEGRATION_TOKEN: 'pit-test',
      GHL_LOCATION_ID: 'loc-test',
      CLIENT_AUTH: 'anonymous-read',
      DATABASE_URL: 'sqlite::memory:',
      ROOFR_ADAPTER: 'zapier',
      ROOFR_ZAPIER_HOOK_URL: 'http://127.0.0.1:9/hooks/roofr',
    });

    expect(answered).toBe(true);
    const packages = new Set(loaded.map(packageOf).filter((name): name is string => name !== null));
    // The configured ones are seen, so the checks below cannot pass by seeing nothing.
    expect([...packages]).toEqual(expect.arrayContaining(['better-sqlite3', '@apollo/server', 'kysely']));
    for (const unused of ['bullmq', 'ioredis', 'pg', 'nodemailer', 'jose']) expect(packages.has(unused)).toBe(false);
    expect(loaded.filter((url) => url.includes('/src/simulators/'))).toEqual([]);
  });
});
