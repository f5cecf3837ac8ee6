/**
 * The Zapier app against the demo gateway, with the platform's own test helper (appTester):
 * the gateway runs as its own process (demo mode: embedded HighLevel and Roofr simulators),
 * with CLIENT_AUTH=required and an API key made by the gateway's CLI; Zapier's side is this
 * app's code. A local HTTP server stands in for hooks.zapier.com. Nothing leaves localhost.
 * Run from the repository root after `npm ci` there and `npm ci --prefix integrations/zapier`.
 */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { createServer } = require('node:http');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const zapier = require('zapier-platform-core');
const App = require('../index');

const appTester = zapier.createAppTester(App);
const ROOT = resolve(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'zapier-app-'));
const env = {
  ...process.env,
  NODE_ENV: 'test',
  PORT: '0',
  HOST: '127.0.0.1',
  GHL_SIM_PORT: '0',
  DEMO_CONTACTS: '20',
  LOG_LEVEL: 'warn',
  DATABASE_URL: `sqlite://${join(dir, 'gateway.db')}`,
  CLIENT_AUTH: 'required',
  SYNC_SCHEDULE: 'off',
  NOTIFY_POLL_MS: '100',
  ZAPIER_TARGET_HOSTS: '127.0.0.1',
};
let gateway;
let gatewayUrl;
let locationId;
let apiKey;
let catcher;
const caught = [];

function startGateway() {
  return new Promise((resolveStart, reject) => {
    gateway = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the gateway did not start:\n${out}`)), 60_000);
    const read = (chunk) => {
      out += chunk.toString('utf8');
      const match = /GraphQL API:\s+(http:\/\/\S+)\/graphql/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolveStart(match[1]);
      }
    };
    gateway.stdout.on('data', read);
    gateway.stderr.on('data', read);
    gateway.on('exit', (code) => reject(new Error(`the gateway exited (${code}):\n${out}`)));
  });
}

before(async () => {
  gatewayUrl = await startGateway();
  locationId = (await (await fetch(`${gatewayUrl}/healthz`)).json()).locationId;
  const printed = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/auth.ts',
      'api-key',
      'create',
      '--name',
      'zapier',
      '--locations',
      locationId,
      '--roles',
      'read,write,sync-admin',
    ],
    { cwd: ROOT, env, encoding: 'utf8' },
  );
  apiKey = /(gk_\S+)/.exec(printed)[1];
  catcher = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      caught.push({ path: req.url, body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success"}');
    });
  });
  await new Promise((ready) => catcher.listen(0, '127.0.0.1', ready));
});

after(async () => {
  gateway?.kill('SIGTERM');
  await new Promise((done) => (gateway ? gateway.once('exit', done) : done()));
  await new Promise((done) => (catcher ? catcher.close(done) : done()));
  rmSync(dir, { recursive: true, force: true });
});

const authData = () => ({ gatewayUrl, apiKey, locationId });

async function until(check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((done) => setTimeout(done, 50));
  }
}

test('when the key is good, then the auth test names the location; a wrong key is refused', async () => {
  const me = await appTester(App.authentication.test, { authData: authData() });
  assert.equal(me.locationId, locationId);
  assert.equal(me.kind, 'api-key');
  await assert.rejects(
    appTester(App.authentication.test, { authData: { ...authData(), apiKey: 'gk_wrongwrongwrongwrongwrongwrong' } }),
  );
});

test('when a Zap turns on contact_synced and runs Create or Update Contact, then the hook delivers the contact; turning it off unsubscribes', async () => {
  const { address, port } = catcher.address();
  const targetUrl = `http://${address}:${port}/hooks/catch/contact`;
  const subscribeData = await appTester(App.triggers.contact_synced.operation.performSubscribe, {
    authData: authData(),
    targetUrl,
  });
  assert.match(subscribeData.id, /^hook_/);

  const created = await appTester(App.creates.upsert_contact.operation.perform, {
    authData: authData(),
    inputData: { firstName: 'Zapier', lastName: 'Tester', email: 'zapier.tester@example.com', tags: ['zap'] },
  });
  assert.equal(created.email, 'zapier.tester@example.com');
  assert.equal(created.created, true);
  assert.equal(created.roofrSyncStatus, 'SYNCED');

  await until(() => caught.some((hook) => hook.path === '/hooks/catch/contact' && hook.body.contactId === created.id));
  const delivered = caught.find((hook) => hook.body.contactId === created.id).body;
  // What Zapier's perform turns a delivery into, and the editor's samples, carry the same fields.
  const [fromHook] = await appTester(App.triggers.contact_synced.operation.perform, {
    authData: authData(),
    cleanedRequest: delivered,
  });
  assert.equal(fromHook.contactId, created.id);
  const samples = await appTester(App.triggers.contact_synced.operation.performList, { authData: authData() });
  assert.ok(samples.some((item) => item.contactId === created.id));
  assert.deepEqual(Object.keys(samples[0]).sort(), Object.keys(delivered).sort());
  assert.deepEqual(Object.keys(App.triggers.contact_synced.operation.sample).sort(), Object.keys(delivered).sort());

  // The same contact again: updated, not duplicated.
  const updated = await appTester(App.creates.upsert_contact.operation.perform, {
    authData: authData(),
    inputData: { firstName: 'Zapier', lastName: 'Updated', email: 'zapier.tester@example.com' },
  });
  assert.equal(updated.id, created.id);
  assert.equal(updated.created, false);

  const removed = await appTester(App.triggers.contact_synced.operation.performUnsubscribe, {
    authData: authData(),
    subscribeData,
  });
  assert.equal(removed.deleted, true);
  await assert.rejects(
    appTester(App.triggers.contact_synced.operation.performUnsubscribe, { authData: authData(), subscribeData }),
    /no subscription/,
  );
});

test('when the other triggers are set up, then each subscribes and lists samples shaped like its static sample', async () => {
  const { address, port } = catcher.address();
  for (const key of ['sync_run_finished', 'dead_letter', 'notification']) {
    const trigger = App.triggers[key].operation;
    const subscribeData = await appTester(trigger.performSubscribe, {
      authData: authData(),
      targetUrl: `http://${address}:${port}/hooks/catch/${key}`,
    });
    assert.equal(subscribeData.event, key);
    const samples = await appTester(trigger.performList, { authData: authData() });
    assert.ok(Array.isArray(samples));
    for (const item of samples) assert.deepEqual(Object.keys(item).sort(), Object.keys(trigger.sample).sort());
    await appTester(trigger.performUnsubscribe, { authData: authData(), subscribeData });
  }
  // A manual sync run finishing shows in the sync_run_finished samples.
  const started = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ query: 'mutation { startSync(mode: FULL) { id } }' }),
  });
  const runId = (await started.json()).data.startSync.id;
  await until(async () => {
    const samples = await appTester(App.triggers.sync_run_finished.operation.performList, { authData: authData() });
    return samples.some((item) => item.runId === runId);
  }, 60_000);
});

test('when the action is given neither email nor phone, then it fails with a message instead of creating an empty contact', async () => {
  await assert.rejects(
    appTester(App.creates.upsert_contact.operation.perform, {
      authData: authData(),
      inputData: { firstName: 'Nobody' },
    }),
    /email or a phone/,
  );
});
