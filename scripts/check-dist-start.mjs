// CI has no Docker engine: start dist/main.js the way the image's CMD does, from a directory laid
// out like the image (only what the Dockerfile's runtime stage copies, so a runtime file the
// image lacks fails here too), wait for /healthz and /readyz, query, read /metrics, load the
// playground and every GraphiQL asset it names (they must be the files `npm run build` wrote
// into dist/graphiql/, which the image copies), then SIGTERM it and require a clean exit. Demo
// mode (no credentials) so it needs nothing but localhost.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** `COPY [--chown=…] src… dest` lines of the runtime stage that copy from the build context. */
function runtimeContextCopies() {
  const lines = readFileSync(join(root, 'Dockerfile'), 'utf8').split('\n');
  const start = lines.findLastIndex((line) => /^FROM\s.+\sAS\s+runtime\b/i.test(line));
  if (start < 0) throw new Error('Dockerfile has no "FROM … AS runtime" stage');
  const copies = [];
  for (const line of lines.slice(start + 1)) {
    if (/^FROM\s/i.test(line)) break;
    if (!/^COPY\s/i.test(line) || /--from=/.test(line)) continue;
    const args = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .filter((arg) => !arg.startsWith('--'));
    const dest = args.pop();
    for (const source of args) copies.push({ source, dest });
  }
  return copies;
}

function fail(message) {
  console.error(message);
  process.exitCode = 1;
}

// The image: /app/{dist,node_modules} from the other stages, plus the context copies.
const app = mkdtempSync(join(tmpdir(), 'gateway-image-'));
cpSync(join(root, 'dist'), join(app, 'dist'), { recursive: true });
symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
for (const { source, dest } of runtimeContextCopies()) {
  if (!existsSync(join(root, source))) throw new Error(`the Dockerfile copies ${source}, which does not exist`);
  const target = dest.endsWith('/') ? join(app, dest, source) : join(app, dest);
  cpSync(join(root, source), target, { recursive: true });
}

const [port, simPort, roofrSimPort] = [await freePort(), await freePort(), await freePort()];
const child = spawn(process.execPath, ['dist/main.js'], {
  cwd: app,
  env: {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(port),
    GHL_SIM_PORT: String(simPort),
    ROOFR_SIM_PORT: String(roofrSimPort),
    DATABASE_URL: 'sqlite::memory:',
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
let exited = null;
child.on('exit', (code, signal) => (exited = { code, signal }));
const base = `http://127.0.0.1:${port}`;

try {
  const deadline = Date.now() + 60_000;
  let healthy = false;
  while (Date.now() < deadline && exited === null) {
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) {
        healthy = true;
        break;
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!healthy) throw new Error(`dist/main.js did not become healthy on port ${port} ${JSON.stringify(exited ?? '')}`);

  const ready = await fetch(`${base}/readyz`);
  if (ready.status !== 200) throw new Error(`/readyz answered ${ready.status}: ${(await ready.text()).slice(0, 500)}`);

  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'check-dist-start' },
    body: JSON.stringify({ query: '{ contacts(first: 1) { totalCount edges { node { id } } } }' }),
  });
  const body = await response.json();
  if (!body.data?.contacts?.edges?.length)
    throw new Error(`dist/main.js answered a query without data: ${JSON.stringify(body).slice(0, 500)}`);
  if (response.headers.get('x-request-id') !== 'check-dist-start')
    throw new Error('the response did not echo x-request-id');

  const metrics = await (await fetch(`${base}/metrics`)).text();
  if (!/gateway_upstream_requests_total\{[^}]*upstream="ghl"/.test(metrics))
    throw new Error(`/metrics shows no upstream requests:\n${metrics.slice(0, 1000)}`);

  // The playground: the page, then each asset it loads, byte for byte what the image holds.
  const page = await fetch(`${base}/playground`);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`/playground answered ${page.status}`);
  const config = JSON.parse(
    /<script id="playground-config" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1] ?? '{}',
  );
  if (typeof config.assetBase !== 'string')
    throw new Error(
      `/playground has no GraphiQL assets (was dist/graphiql/ built and copied?):\n${html.slice(0, 800)}`,
    );
  const manifest = JSON.parse(readFileSync(join(app, 'dist/graphiql/manifest.json'), 'utf8'));
  for (const file of manifest.files) {
    const asset = await fetch(`${base}${config.assetBase}/${file}`);
    const body = Buffer.from(await asset.arrayBuffer());
    if (asset.status !== 200 || !/charset=utf-8/.test(asset.headers.get('content-type') ?? ''))
      throw new Error(`${config.assetBase}/${file} answered ${asset.status} ${asset.headers.get('content-type')}`);
    if (!body.equals(readFileSync(join(app, 'dist/graphiql', file))))
      throw new Error(`${config.assetBase}/${file} is not the file dist/graphiql/${file} of the image`);
  }
} catch (error) {
  child.kill('SIGKILL');
  fail(error instanceof Error ? error.message : String(error));
}

if (process.exitCode !== 1) {
  child.kill('SIGTERM');
  const code = await new Promise((resolveCode) => {
    if (exited) return resolveCode(exited.code);
    child.on('exit', (c) => resolveCode(c));
  });
  if (code !== 0) fail(`dist/main.js exited with ${code} after SIGTERM`);
  else
    console.log(
      `dist/main.js started from an image-like directory, was ready, answered a query, served /metrics and the playground with its GraphiQL assets, and stopped cleanly (port ${port})`,
    );
}
rmSync(app, { recursive: true, force: true });
