/**
 * `npm start` as a real process: `npx tsx src/main.ts` in demo mode on free ports, wait for the
 * printed URL, query it, then SIGTERM and expect a clean exit that closed the port.
 * The signal goes to the process group, as a terminal or a container runtime delivers it:
 * `npx` runs tsx under `sh -c`, which would not pass a signal sent to npx alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output so far:\n${seen}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const match = seen.match(pattern);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the process exited (${code}) before printing ${pattern}; output:\n${seen}`));
    });
  });
}

/** Resolves once no process of the group is left (tsx and node exit after npx). */
async function waitForGroupExit(pgid: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`process group ${pgid} still alive 10 s after SIGTERM`);
}

describe('npm start as a real process', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    if (child?.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone: the normal case.
    }
  });

  it('when started without credentials, then it prints the playground URL, answers queries, and stops cleanly on SIGTERM', async () => {
    let stderr = '';
    child = spawn('npx', ['tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        GHL_SIM_PORT: '0',
        DEMO_CONTACTS: '30',
        LOG_LEVEL: 'info',
        DATABASE_URL: 'sqlite::memory:',
        ROOFR_SIM_PORT: '0',
        NODE_OPTIONS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });

    const [, graphqlUrl] = await waitForLine(child, /GraphQL API:\s+(http:\/\/127\.0\.0\.1:\d+\/graphql)/, 60_000);
    if (graphqlUrl === undefined) throw new Error('no URL captured');
    const playground = await fetch(graphqlUrl.replace(/\/graphql$/, '/playground'));
    expect(playground.status).toBe(200);

    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ contacts(first: 3) { totalCount edges { node { id tasks { id } } } } }' }),
    });
    const body = (await response.json()) as { data: { contacts: { totalCount: number; edges: unknown[] } } };
    expect(body.data.contacts.totalCount).toBe(30);
    expect(body.data.contacts.edges).toHaveLength(3);

    const exited = once(child, 'exit');
    if (child.pid === undefined) throw new Error('the child has no pid');
    process.kill(-child.pid, 'SIGTERM');
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    // npx itself may die of the signal; what matters is that main.ts stopped on its own terms.
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    await waitForGroupExit(child.pid);
    expect(stdout).toContain('"msg":"stopped"');
    expect(stdout).not.toContain('exiting anyway');
    expect(stderr).toBe('');
    await expect(fetch(graphqlUrl, { method: 'POST' })).rejects.toThrow();
  }, 90_000);
});
