/**
 * Webhooks: every write publishes GHL's event, stamped with timestamp and webhookId, signed with
 * RSA-SHA256 (x-wh-signature) and Ed25519 (x-ghl-signature) over the raw body, verifiable with
 * node:crypto and the published public keys. Delivery failures are logged, never thrown.
 */
import { verify } from 'node:crypto';
import { startGhlSimulator } from '../../src/simulators/ghl/index.js';
import type { GhlSimulator } from '../../src/simulators/ghl/index.js';
import { callSim } from '../support/ghl-sim-http.js';
import { startWebhookReceiver } from '../support/ghl-sim-webhook-receiver.js';
import type { ReceivedWebhook, WebhookReceiver } from '../support/ghl-sim-webhook-receiver.js';

let sim: GhlSimulator;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  sim = await startGhlSimulator({ seed: 5, contacts: 10, webhookUrl: receiver.url, rateLimit: { max: 10_000 } });
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

function signatureValid(hook: ReceivedWebhook): { rsa: boolean; ed25519: boolean } {
  const keys = sim.webhooks.publicKeys;
  return {
    rsa: verify('sha256', hook.raw, keys.rsaPem, Buffer.from(String(hook.headers['x-wh-signature']), 'base64')),
    ed25519: verify(null, hook.raw, keys.ed25519Pem, Buffer.from(String(hook.headers['x-ghl-signature']), 'base64')),
  };
}

test('when a contact is created, then a signed ContactCreate with timestamp and webhookId arrives', async () => {
  const created = await callSim<{ contact: { id: string } }>(sim, 'POST', '/contacts/', {
    body: { locationId: sim.locationId, firstName: 'Hook', email: 'hook@example.com' },
  });
  expect(created.status).toBe(201);
  await sim.webhooks.idle();
  const hook = receiver.ofType('ContactCreate').find((candidate) => candidate.json.id === created.body.contact.id);
  expect(hook).toBeDefined();
  if (!hook) return;
  expect(hook.json).toMatchObject({
    type: 'ContactCreate',
    locationId: sim.locationId,
    firstName: 'Hook',
    email: 'hook@example.com',
  });
  expect(Date.parse(String(hook.json.timestamp))).not.toBeNaN();
  expect(hook.json.webhookId).toMatch(/^[0-9a-f-]{36}$/);
  expect(signatureValid(hook)).toEqual({ rsa: true, ed25519: true });
});

test('when a body is tampered with, then neither signature verifies', async () => {
  await sim.webhooks.emit({ type: 'ContactDelete', locationId: sim.locationId, id: 'x' });
  const hook = receiver.ofType('ContactDelete').at(-1);
  expect(hook).toBeDefined();
  if (!hook) return;
  const tampered = { ...hook, raw: Buffer.from(hook.raw.toString('utf8').replace('"x"', '"y"')) };
  expect(signatureValid(tampered)).toEqual({ rsa: false, ed25519: false });
});

test('when tags, tasks, notes and deletes are written, then the matching events arrive', async () => {
  const contactId = sim.data.listContactIds()[0] ?? '';
  await callSim(sim, 'POST', `/contacts/${contactId}/tags`, { body: { tags: ['storm-damage'] } });
  const task = await callSim<{ task: { id: string } }>(sim, 'POST', `/contacts/${contactId}/tasks`, {
    body: { title: 'Call', dueDate: '2026-12-24T09:00:00Z' },
  });
  await callSim(sim, 'PUT', `/contacts/${contactId}/tasks/${task.body.task.id}/completed`, {
    body: { completed: true },
  });
  await callSim(sim, 'DELETE', `/contacts/${contactId}/tasks/${task.body.task.id}`);
  const note = await callSim<{ note: { id: string } }>(sim, 'POST', `/contacts/${contactId}/notes`, {
    body: { body: 'n1' },
  });
  await callSim(sim, 'PUT', `/contacts/${contactId}/notes/${note.body.note.id}`, { body: { body: 'n2' } });
  await callSim(sim, 'DELETE', `/contacts/${contactId}/notes/${note.body.note.id}`);
  await callSim(sim, 'PUT', `/contacts/${contactId}`, {
    body: { city: 'Tulsa', dnd: !(sim.data.getContact(contactId)?.dnd ?? false) },
  });
  await callSim(sim, 'DELETE', `/contacts/${contactId}`);
  await sim.webhooks.idle();
  const about = (type: string, id: string) =>
    receiver.ofType(type).filter((hook) => hook.json.id === id || hook.json.contactId === id);
  expect(about('ContactTagUpdate', contactId)[0]?.json.tags).toContain('storm-damage');
  expect(about('TaskCreate', contactId)[0]?.json).toMatchObject({ id: task.body.task.id, title: 'Call', contactId });
  expect(about('TaskComplete', contactId)[0]?.json.id).toBe(task.body.task.id);
  expect(about('TaskDelete', contactId)[0]?.json.id).toBe(task.body.task.id);
  expect(about('NoteCreate', contactId)[0]?.json.body).toBe('n1');
  expect(about('NoteUpdate', contactId)[0]?.json.body).toBe('n2');
  expect(about('NoteDelete', contactId)).toHaveLength(1);
  expect(about('ContactUpdate', contactId)[0]?.json.city).toBe('Tulsa');
  expect(about('ContactDndUpdate', contactId)).toHaveLength(1);
  expect(about('ContactDelete', contactId)).toHaveLength(1);
});

test('when an arbitrary event (INSTALL) is emitted over /__admin, then it arrives signed', async () => {
  const response = await fetch(`${sim.url}/__admin/webhooks/emit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      event: { type: 'INSTALL', appId: 'app1', locationId: sim.locationId, companyId: sim.companyId },
    }),
  });
  expect(response.status).toBe(200);
  const hook = receiver.ofType('INSTALL').at(-1);
  expect(hook?.json).toMatchObject({ type: 'INSTALL', appId: 'app1' });
  if (hook) expect(signatureValid(hook)).toEqual({ rsa: true, ed25519: true });
});

test('when the public keys are read over /__admin/webhook-keys, then they equal the programmatic ones', async () => {
  const keys = (await (await fetch(`${sim.url}/__admin/webhook-keys`)).json()) as Record<string, unknown>;
  expect(keys).toEqual({ ...sim.webhooks.publicKeys });
  expect(sim.webhooks.publicKeys.rsaPem).toContain('BEGIN PUBLIC KEY');
});

test('when the target is unreachable, then the write still succeeds and the failure is logged', async () => {
  const closed = await startWebhookReceiver();
  const deadUrl = closed.url;
  await closed.close();
  sim.webhooks.setTarget(deadUrl);
  const created = await callSim(sim, 'POST', '/contacts/', {
    body: { locationId: sim.locationId, firstName: 'NoHook' },
  });
  expect(created.status).toBe(201);
  await sim.webhooks.idle();
  const failure = sim.log.entries.filter((entry) => entry.kind === 'webhook').at(-1);
  expect(failure).toMatchObject({ kind: 'webhook', operation: 'WEBHOOK ContactCreate', status: null });
  expect(failure?.error).toBeTruthy();
  sim.webhooks.setTarget(receiver.url);
});
