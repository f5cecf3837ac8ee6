/**
 * Contract: every simulated operation's answers validate against the response schema the GHL
 * OpenAPI files (test/fixtures/ghl/apps/*.json, copied from HighLevel's public API docs) declare
 * for that operation and status.
 * The schemas are loose (additionalProperties unset), so this checks declared fields' types and
 * that each status we answer is one the spec declares.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { startGhlSimulator } from '../../src/simulators/ghl/index.js';
import type { GhlSimulator } from '../../src/simulators/ghl/index.js';
import { callSim } from '../support/ghl-sim-http.js';
import type { SimResponse } from '../support/ghl-sim-http.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const specRoot = path.join(repoRoot, 'test/fixtures/ghl');

type SpecName = 'contacts' | 'locations' | 'oauth' | 'opportunities';
type JsonObject = Record<string, unknown>;
const BASE = 'https://ghl-spec.local/';
const specId = (name: SpecName): string => `${BASE}apps/${name}.json`;

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function loadJson(relative: string): JsonObject {
  return JSON.parse(readFileSync(path.join(specRoot, relative), 'utf8')) as JsonObject;
}

/**
 * Spec defects the simulator deliberately departs from, each with the schema used instead.
 * The test also asserts the defect is still in the spec, so a fixed spec retires the override.
 */
const SPEC_DEFECTS: Record<string, { stillPresent(spec: JsonObject): boolean; schema: JsonObject }> = {
  // LocationTaskListSuccessfulResponseDto declares `tasks` as an array of arrays; GHL answers task objects.
  'locations POST /locations/{locationId}/tasks/search 200': {
    stillPresent: (spec) => {
      const dto = asObject(asObject(asObject(spec.components)?.schemas)?.LocationTaskListSuccessfulResponseDto);
      return asObject(asObject(asObject(dto?.properties)?.tasks)?.items)?.type === 'array';
    },
    schema: {
      type: 'object',
      required: ['tasks'],
      properties: { tasks: { type: 'array', items: { $ref: `${specId('contacts')}#/components/schemas/TaskSchema` } } },
    },
  },
  // POST /contacts/search declares no response schema at all: its items are checked against the contact list item.
  'contacts POST /contacts/search 200': {
    stillPresent: (spec) =>
      operation(spec, 'POST', '/contacts/search')?.responses !== undefined &&
      responseSchema(spec, 'POST', '/contacts/search', 200) === undefined,
    schema: {
      type: 'object',
      required: ['contacts', 'total'],
      properties: {
        total: { type: 'number' },
        contacts: {
          type: 'array',
          items: {
            allOf: [
              { $ref: `${specId('contacts')}#/components/schemas/ContactsSearchSchema` },
              {
                type: 'object',
                required: ['searchAfter'],
                properties: { searchAfter: { type: 'array', items: { type: ['string', 'number'] } } },
              },
            ],
          },
        },
      },
    },
  },
};

function operation(spec: JsonObject, method: string, template: string): JsonObject | undefined {
  return asObject(asObject(asObject(spec.paths)?.[template])?.[method.toLowerCase()]);
}

function responseSchema(spec: JsonObject, method: string, template: string, status: number): JsonObject | undefined {
  const response = asObject(asObject(operation(spec, method, template)?.responses)?.[String(status)]);
  return asObject(asObject(asObject(asObject(response?.content)?.['application/json'])?.schema));
}

describe('GHL simulator: responses validate against the OpenAPI specs', () => {
  const specs = {} as Record<SpecName, JsonObject>;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  formats.default(ajv);
  let sim: GhlSimulator;
  let companyToken = '';

  beforeAll(async () => {
    for (const name of ['contacts', 'locations', 'oauth', 'opportunities'] as const) {
      specs[name] = loadJson(`apps/${name}.json`);
      ajv.addSchema(specs[name], specId(name));
    }
    ajv.addSchema(loadJson('common/common-schemas.json'), `${BASE}common/common-schemas.json`);
    sim = await startGhlSimulator({
      seed: 21,
      contacts: 40,
      rateLimit: { max: 100_000 },
      oauthClients: [{ clientId: 'c', clientSecret: 's' }],
    });
    const code = sim.oauth.authorize({
      clientId: 'c',
      companyId: sim.companyId,
      scopes: ['oauth.write', 'contacts.readonly'],
    });
    const company = await callSim<{ access_token: string }>(sim, 'POST', '/oauth/token', {
      token: null,
      version: null,
      form: { client_id: 'c', client_secret: 's', grant_type: 'authorization_code', code },
    });
    companyToken = company.body.access_token;
  });

  afterAll(async () => {
    await sim?.close();
  });

  function validatorFor(spec: SpecName, method: string, template: string, status: number): ValidateFunction {
    const key = `${spec} ${method} ${template} ${status}`;
    expect(operation(specs[spec], method, template)).toBeDefined();
    const declared = asObject(operation(specs[spec], method, template)?.responses)?.[String(status)];
    if (declared === undefined) throw new Error(`${key}: the spec declares no ${status} answer for this operation`);
    const defect = SPEC_DEFECTS[key];
    if (defect) {
      expect(defect.stillPresent(specs[spec])).toBe(true);
      return ajv.compile(defect.schema);
    }
    const schema = responseSchema(specs[spec], method, template, status);
    if (schema === undefined) throw new Error(`${key}: no response schema declared`);
    const ref = typeof schema.$ref === 'string' ? schema.$ref : undefined;
    if (ref === undefined) throw new Error(`${key}: inline response schemas are not expected in these specs`);
    return ajv.compile({ $ref: ref.startsWith('#') ? `${specId(spec)}${ref}` : new URL(ref, specId(spec)).href });
  }

  function expectValid(spec: SpecName, method: string, template: string, response: SimResponse<unknown>): void {
    const validate = validatorFor(spec, method, template, response.status);
    const valid = validate(response.body);
    if (!valid)
      throw new Error(
        `${method} ${template} ${response.status} broke the spec: ${ajv.errorsText(validate.errors)}\n${response.text.slice(0, 500)}`,
      );
  }

  const ids = () => sim.data.listContactIds();
  const contactWithChildren = (kind: 'tasksOf' | 'notesOf' | 'appointmentsOf'): string =>
    ids().find((id) => sim.data[kind](id).length > 0) ?? '';

  test('when contacts are read, listed and searched, then each answer matches its operation schema', async () => {
    const id = ids()[0] ?? '';
    expectValid('contacts', 'GET', '/contacts/{contactId}', await callSim(sim, 'GET', `/contacts/${id}`));
    expectValid(
      'contacts',
      'GET',
      '/contacts/{contactId}',
      await callSim(sim, 'GET', '/contacts/unknown00000000000000'),
    );
    expectValid(
      'contacts',
      'GET',
      '/contacts/{contactId}',
      await callSim(sim, 'GET', `/contacts/${id}`, { version: null }),
    );
    expectValid(
      'contacts',
      'GET',
      '/contacts/',
      await callSim(sim, 'GET', `/contacts/?locationId=${sim.locationId}&limit=50`),
    );
    expectValid(
      'contacts',
      'GET',
      '/contacts/',
      await callSim(sim, 'GET', `/contacts/?locationId=${sim.locationId}&limit=500`),
    );
    const businessId = sim.data.location().businessIds[0] ?? '';
    expectValid(
      'contacts',
      'GET',
      '/contacts/business/{businessId}',
      await callSim(sim, 'GET', `/contacts/business/${businessId}?locationId=${sim.locationId}`),
    );
    expectValid(
      'contacts',
      'POST',
      '/contacts/search',
      await callSim(sim, 'POST', '/contacts/search', { body: { locationId: sim.locationId, pageLimit: 50 } }),
    );
  });

  test("when a contact's opportunities are searched, then the answer matches the operation schema", async () => {
    const id = ids()[0] ?? '';
    expectValid(
      'opportunities',
      'GET',
      '/opportunities/search',
      await callSim(sim, 'GET', `/opportunities/search?location_id=${sim.locationId}&contact_id=${id}&limit=100`),
    );
    expectValid(
      'opportunities',
      'GET',
      '/opportunities/search',
      await callSim(sim, 'GET', `/opportunities/search?location_id=${sim.locationId}&status=open&limit=5&page=2`),
    );
  });

  test('when contacts are written, then 201/200/400/422 answers match their schemas', async () => {
    const created = await callSim<{ contact: { id: string } }>(sim, 'POST', '/contacts/', {
      body: {
        locationId: sim.locationId,
        firstName: 'Con',
        lastName: 'Tract',
        email: 'contract@example.com',
        phone: '+12145550199',
        tags: ['lead'],
        customFields: [{ key: 'roof_type', field_value: 'Tile' }],
      },
    });
    expectValid('contacts', 'POST', '/contacts/', created);
    expectValid(
      'contacts',
      'POST',
      '/contacts/',
      await callSim(sim, 'POST', '/contacts/', { body: { locationId: sim.locationId, email: 'contract@example.com' } }),
    );
    expectValid(
      'contacts',
      'POST',
      '/contacts/',
      await callSim(sim, 'POST', '/contacts/', { body: { locationId: sim.locationId, bogus: 1 } }),
    );
    expectValid(
      'contacts',
      'POST',
      '/contacts/upsert',
      await callSim(sim, 'POST', '/contacts/upsert', {
        body: { locationId: sim.locationId, email: 'contract@example.com', city: 'Waco' },
      }),
    );
    const id = created.body.contact.id;
    expectValid(
      'contacts',
      'PUT',
      '/contacts/{contactId}',
      await callSim(sim, 'PUT', `/contacts/${id}`, { body: { lastName: 'Tracts' } }),
    );
    expectValid(
      'contacts',
      'PUT',
      '/contacts/{contactId}',
      await callSim(sim, 'PUT', `/contacts/${id}`, { body: { tags: 'not-a-list' } }),
    );
    expectValid(
      'contacts',
      'POST',
      '/contacts/{contactId}/tags',
      await callSim(sim, 'POST', `/contacts/${id}/tags`, { body: { tags: ['hail'] } }),
    );
    expectValid(
      'contacts',
      'POST',
      '/contacts/{contactId}/tags',
      await callSim(sim, 'POST', `/contacts/${id}/tags`, { body: {} }),
    );
    expectValid(
      'contacts',
      'DELETE',
      '/contacts/{contactId}/tags',
      await callSim(sim, 'DELETE', `/contacts/${id}/tags`, { body: { tags: ['hail'] } }),
    );
    expectValid('contacts', 'DELETE', '/contacts/{contactId}', await callSim(sim, 'DELETE', `/contacts/${id}`));
    expectValid('contacts', 'DELETE', '/contacts/{contactId}', await callSim(sim, 'DELETE', `/contacts/${id}`));
  });

  test('when tasks are read and written, then every answer matches its schema', async () => {
    const contactId = contactWithChildren('tasksOf');
    expectValid(
      'contacts',
      'GET',
      '/contacts/{contactId}/tasks',
      await callSim(sim, 'GET', `/contacts/${contactId}/tasks`),
    );
    const created = await callSim<{ task: { id: string } }>(sim, 'POST', `/contacts/${contactId}/tasks`, {
      body: { title: 'T', body: 'B', dueDate: '2026-12-01T00:00:00Z', completed: false },
    });
    expectValid('contacts', 'POST', '/contacts/{contactId}/tasks', created);
    expectValid(
      'contacts',
      'POST',
      '/contacts/{contactId}/tasks',
      await callSim(sim, 'POST', `/contacts/${contactId}/tasks`, { body: { title: 3 } }),
    );
    const taskPath = `/contacts/${contactId}/tasks/${created.body.task.id}`;
    expectValid('contacts', 'GET', '/contacts/{contactId}/tasks/{taskId}', await callSim(sim, 'GET', taskPath));
    expectValid(
      'contacts',
      'PUT',
      '/contacts/{contactId}/tasks/{taskId}',
      await callSim(sim, 'PUT', taskPath, { body: { title: 'T2' } }),
    );
    expectValid(
      'contacts',
      'PUT',
      '/contacts/{contactId}/tasks/{taskId}/completed',
      await callSim(sim, 'PUT', `${taskPath}/completed`, { body: { completed: true } }),
    );
    expectValid(
      'contacts',
      'PUT',
      '/contacts/{contactId}/tasks/{taskId}/completed',
      await callSim(sim, 'PUT', `${taskPath}/completed`, { body: {} }),
    );
    expectValid('contacts', 'DELETE', '/contacts/{contactId}/tasks/{taskId}', await callSim(sim, 'DELETE', taskPath));
    expectValid('contacts', 'GET', '/contacts/{contactId}/tasks/{taskId}', await callSim(sim, 'GET', taskPath));
    expectValid(
      'locations',
      'POST',
      '/locations/{locationId}/tasks/search',
      await callSim(sim, 'POST', `/locations/${sim.locationId}/tasks/search`, {
        body: { contactId: ids().slice(0, 10) },
      }),
    );
    expectValid(
      'locations',
      'POST',
      '/locations/{locationId}/tasks/search',
      await callSim(sim, 'POST', `/locations/${sim.locationId}/tasks/search`, { body: { limit: 'ten' } }),
    );
  });

  test('when notes and appointments are read and written, then every answer matches its schema', async () => {
    const contactId = contactWithChildren('notesOf');
    expectValid(
      'contacts',
      'GET',
      '/contacts/{contactId}/notes',
      await callSim(sim, 'GET', `/contacts/${contactId}/notes`),
    );
    const created = await callSim<{ note: { id: string } }>(sim, 'POST', `/contacts/${contactId}/notes`, {
      body: { body: 'N', title: 'Title', color: '#FFAA00', pinned: true },
    });
    expectValid('contacts', 'POST', '/contacts/{contactId}/notes', created);
    expectValid(
      'contacts',
      'POST',
      '/contacts/{contactId}/notes',
      await callSim(sim, 'POST', `/contacts/${contactId}/notes`, { body: {} }),
    );
    const notePath = `/contacts/${contactId}/notes/${created.body.note.id}`;
    expectValid('contacts', 'GET', '/contacts/{contactId}/notes/{id}', await callSim(sim, 'GET', notePath));
    expectValid(
      'contacts',
      'PUT',
      '/contacts/{contactId}/notes/{id}',
      await callSim(sim, 'PUT', notePath, { body: { body: 'N2' } }),
    );
    expectValid('contacts', 'DELETE', '/contacts/{contactId}/notes/{id}', await callSim(sim, 'DELETE', notePath));
    expectValid('contacts', 'GET', '/contacts/{contactId}/notes/{id}', await callSim(sim, 'GET', notePath));
    const withAppointments = contactWithChildren('appointmentsOf');
    expectValid(
      'contacts',
      'GET',
      '/contacts/{contactId}/appointments',
      await callSim(sim, 'GET', `/contacts/${withAppointments}/appointments`),
    );
  });

  test('when OAuth endpoints answer, then tokens and errors match the oauth spec', async () => {
    const code = sim.oauth.authorize({ clientId: 'c', locationId: sim.locationId, scopes: ['contacts.readonly'] });
    const form = { client_id: 'c', client_secret: 's' };
    expectValid(
      'oauth',
      'POST',
      '/oauth/token',
      await callSim(sim, 'POST', '/oauth/token', {
        token: null,
        version: null,
        form: { ...form, grant_type: 'authorization_code', code },
      }),
    );
    expectValid(
      'oauth',
      'POST',
      '/oauth/token',
      await callSim(sim, 'POST', '/oauth/token', {
        token: null,
        version: null,
        form: { ...form, grant_type: 'refresh_token', refresh_token: 'nope' },
      }),
    );
    expectValid(
      'oauth',
      'POST',
      '/oauth/token',
      await callSim(sim, 'POST', '/oauth/token', {
        token: null,
        version: null,
        form: { ...form, client_secret: 'wrong', grant_type: 'refresh_token' },
      }),
    );
    expectValid(
      'oauth',
      'POST',
      '/oauth/token',
      await callSim(sim, 'POST', '/oauth/token', { token: null, version: null, form: { client_id: 'c' } }),
    );
    expectValid(
      'oauth',
      'POST',
      '/oauth/locationToken',
      await callSim(sim, 'POST', '/oauth/locationToken', {
        token: companyToken,
        form: { companyId: sim.companyId, locationId: sim.locationId },
      }),
    );
  });
});
