/**
 * README's OAuth path, followed as written (issue 14, part 1) against the HighLevel simulator's
 * OAuth endpoints: `npm run auth -- key generate`, start with the four OAuth variables and
 * nothing installed, open /oauth/install, approve, `npm run auth -- api-key create`, query with
 * the key. Real processes (npm, the gateway), real HTTP. The commands are read from README's
 * "With OAuth" block, so README and this test cannot drift apart.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_OAUTH_CLIENT, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';
import { spawnGateway, type GatewayProcess } from '../support/gateway-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Runs one README command line (`npm run auth -- …`) in the repository with `env`; resolves with stdout. */
function run(commandLine: string, env: Record<string, string>): Promise<string> {
  const args = commandLine.split(/\s+/);
  return new Promise((resolve, reject) => {
    const child = spawn(args[0] ?? 'npm', args.slice(1), {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${commandLine} exited ${code}:\n${stdout}\n${stderr}`)),
    );
  });
}

/** README's fenced sh block under "### With OAuth". */
async function readmeOAuthBlock(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^### With OAuth/m)[1] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README has no ```sh block under "### With OAuth"');
  return block;
}

describe("README's OAuth path from a fresh state", () => {
  let sim: GhlSimulator;
  let dir: string;
  let gateway: GatewayProcess | null = null;

  beforeAll(async () => {
    sim = await startGhlSimulator({ contacts: 4, tokens: [], rateLimit: { max: 100_000 } });
    dir = await mkdtemp(join(tmpdir(), 'gw-readme-oauth-'));
  });

  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when followed as written, then the first start comes up with nothing installed, prints the install URL, refuses callers with it, and after the install an API key reads the location', async () => {
    const block = await readmeOAuthBlock();
    const keyGenerate = /^npm run auth -- key generate\b/m.exec(block)?.[0];
    const createKey = /^npm run auth -- api-key create --name app --locations <location id> --roles read$/m.exec(
      block,
    )?.[0];
    expect(keyGenerate).toBeDefined();
    expect(createKey).toBeDefined();
    for (const variable of ['GHL_CLIENT_ID', 'GHL_CLIENT_SECRET', 'GHL_REDIRECT_URI', 'TOKEN_ENCRYPTION_KEY'])
      expect(block).toContain(`${variable}=`);
    expect(block).toMatch(/^npm start\b/m);
    expect(block).toContain('/oauth/install');
    expect(block).toContain("-H 'x-api-key: ");

    // The simulator stands in for HighLevel: its API and its consent page; the state is a fresh file.
    const port = await freePort();
    const simulatorEnv = {
      GHL_API_BASE_URL: sim.url,
      GHL_OAUTH_CONSENT_URL: `${sim.url}/v2/oauth/chooselocation`,
      DATABASE_URL: `sqlite://${join(dir, 'gateway.db')}`,
    };

    const generated = await run(keyGenerate ?? '', {});
    const encryptionKey = /TOKEN_ENCRYPTION_KEY=(\S+)/.exec(generated)?.[1];
    expect(encryptionKey).toMatch(/^k1:/);
    const redirectUri = `http://localhost:${port}/oauth/callback`;
    const installUrl = `http://localhost:${port}/oauth/install`;
    const env = {
      ...simulatorEnv,
      PORT: String(port),
      GHL_CLIENT_ID: DEFAULT_OAUTH_CLIENT.clientId,
      GHL_CLIENT_SECRET: DEFAULT_OAUTH_CLIENT.clientSecret,
      GHL_REDIRECT_URI: redirectUri,
      TOKEN_ENCRYPTION_KEY: encryptionKey ?? '',
    };

    gateway = await spawnGateway(env);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gateway.output()).toContain(`Install:      ${installUrl}  (no HighLevel location installed yet`);
    expect(gateway.output()).toContain('npm run auth -- api-key create');

    const refused = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ contacts(first: 3) { totalCount } }' }),
    });
    expect(refused.status).toBe(401);
    const refusal = (await refused.json()) as {
      errors: Array<{ message: string; extensions: Record<string, unknown> }>;
    };
    expect(refusal.errors[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', installUrl });
    expect(refusal.errors[0]?.message).toContain(installUrl);

    // The browser's part: the install link, HighLevel's consent page, the callback.
    const start = await fetch(installUrl, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const consent = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
    const callback = await fetch(consent.headers.get('location') ?? '', { redirect: 'manual' });
    expect(callback.status).toBe(200);
    expect(await callback.text()).toContain(`Location ${sim.locationId} is connected`);

    const created = await run((createKey ?? '').replace('<location id>', sim.locationId), env);
    const apiKey = /Key \(shown only now[^)]*\): (gk_\S+)/.exec(created)?.[1];
    expect(apiKey).toBeDefined();

    const served = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey ?? '' },
      body: JSON.stringify({ query: '{ contacts(first: 3) { totalCount } }' }),
    });
    const body = (await served.json()) as { data?: { contacts: { totalCount: number } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.contacts.totalCount).toBe(4);
  }, 120_000);
});
