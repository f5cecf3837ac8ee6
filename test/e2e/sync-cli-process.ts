/**
 * The sync CLIs (`npm run sync`, `npm run verify`) as real processes against the simulators the
 * test started: the environment an operator would set for a private-integration location and the
 * REST adapter, plus the test's own settings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DEMO_TOKEN, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import type { RoofrSimulator } from '../../src/simulators/roofr/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface CliTarget {
  ghlSim: GhlSimulator;
  roofrSim: RoofrSimulator;
  databaseFile: string;
}

export function spawnSyncCli(
  script: 'sync' | 'verify',
  args: string[],
  target: CliTarget,
  env: Record<string, string> = {},
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      GHL_API_BASE_URL: target.ghlSim.url,
      GHL_PRIVATE_INTEGRATION_TOKEN: DEMO_TOKEN,
      GHL_LOCATION_ID: target.ghlSim.locationId,
      GHL_TOKEN_SCOPES: 'contacts.readonly contacts.write locations/tasks.readonly',
      ROOFR_ADAPTER: 'rest',
      ROOFR_API_BASE_URL: target.roofrSim.apiBaseUrl,
      ROOFR_API_KEY: target.roofrSim.apiKey,
      DATABASE_URL: `sqlite://${target.databaseFile}`,
      REDIS_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Waits for the process to exit, with what it printed. */
export async function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
