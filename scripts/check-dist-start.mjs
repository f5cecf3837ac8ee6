// CI has no Docker engine: start dist/main.js the way the image's CMD does, wait for
// /healthz, then SIGTERM it and require a clean exit. Demo mode (no credentials) so it
// needs nothing but localhost.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const [port, simPort, roofrSimPort] = [await freePort(), await freePort(), await freePort()];
const child = spawn(process.execPath, ['dist/main.js'], {
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

const deadline = Date.now() + 60_000;
let healthy = false;
while (Date.now() < deadline && exited === null) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    if (response.ok) { healthy = true; break; }
  } catch { /* not listening yet */ }
  await new Promise((r) => setTimeout(r, 250));
}
if (!healthy) {
  child.kill('SIGKILL');
  console.error(`dist/main.js did not become healthy on port ${port}`, exited ?? '');
  process.exit(1);
}
const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ contacts(first: 1) { totalCount edges { node { id } } } }' }),
});
const body = await response.json();
if (!body.data?.contacts?.edges?.length) {
  child.kill('SIGKILL');
  console.error('dist/main.js answered a query without data:', JSON.stringify(body).slice(0, 500));
  process.exit(1);
}
child.kill('SIGTERM');
const code = await new Promise((resolve) => {
  if (exited) return resolve(exited.code);
  child.on('exit', (c) => resolve(c));
});
if (code !== 0) {
  console.error(`dist/main.js exited with ${code} after SIGTERM`);
  process.exit(1);
}
console.log(`dist/main.js started, answered a query and stopped cleanly (port ${port})`);
