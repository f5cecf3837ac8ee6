/**
 * `npm run simulate` as a real process: it prints the URL, demo token and location, serves the
 * API, and stops on SIGTERM.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function waitForLines(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (pattern.test(output)) resolve(output);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code) =>
      reject(new Error(`simulator exited (${String(code)}) before printing its URL:\n${output}`)),
    );
  });
}

test('when the CLI starts, then it prints URL, token and location and serves contacts until SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulators/cli.ts', 'ghl'], {
    cwd: repoRoot,
    env: { ...process.env, GHL_SIM_PORT: '0', SIM_CONTACTS: '25', SIM_SEED: '4', NODE_OPTIONS: '' },
  });
  try {
    const output = await waitForLines(child, /GHL_LOCATION_ID=\S+\n/);
    const url = /GHL_API_BASE_URL=(\S+)/.exec(output)?.[1] ?? '';
    const token = /GHL_PRIVATE_INTEGRATION_TOKEN=(\S+)/.exec(output)?.[1] ?? '';
    const locationId = /GHL_LOCATION_ID=(\S+)/.exec(output)?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${url}/contacts/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, version: '2021-07-28', 'content-type': 'application/json' },
      body: JSON.stringify({ locationId, pageLimit: 10 }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { total: number }).total).toBe(25);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});
