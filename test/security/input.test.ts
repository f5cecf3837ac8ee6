/**
 * Input checked before anything leaves (issue 14, part 3), over real HTTP. Custom field values
 * have the shapes HighLevel's custom field types take, bounded in size and depth, or answer
 * BAD_USER_INPUT naming the field, with no request to HighLevel. A date-time that is not one
 * says which field and which form is expected, as a literal or a variable. Bodies refused on any
 * route (too large, bad encoding, an unknown route or method) answer JSON with a code, never
 * Express's HTML page with a stack trace.
 */
import { codeOf, gql, startSecurityWorld, type SecurityWorld } from './security-harness.js';

const CREATE =
  'mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id customFields { id value } } } }';

interface FieldError {
  field: string;
  message: string;
}

function fieldsOf(answer: { body: { errors?: Array<{ extensions?: Record<string, unknown> }> } }): FieldError[] {
  return (answer.body.errors?.[0]?.extensions?.['fields'] as FieldError[] | undefined) ?? [];
}

describe('input checked before HighLevel is called', () => {
  let world: SecurityWorld;
  let writer: string;
  let url: string;

  beforeAll(async () => {
    world = await startSecurityWorld();
    writer = await world.apiKey({ roles: ['read', 'write'] });
    url = (await world.start()).graphqlUrl;
  });

  afterAll(async () => {
    await world.close();
  });

  it('when a custom field value is 90,000 characters, 20,000 levels deep, or of a type no HighLevel field takes, then BAD_USER_INPUT names the field and HighLevel is not called', async () => {
    const before = world.sim.log.total();
    const huge = await gql(
      url,
      CREATE,
      { input: { email: 'huge@example.com', customFields: [{ id: 'cf1', value: 'x'.repeat(90_000) }] } },
      { 'x-api-key': writer },
    );
    expect(codeOf(huge)).toBe('BAD_USER_INPUT');
    expect(fieldsOf(huge).map((entry) => entry.field)).toEqual(['input.customFields[0].value']);
    expect(fieldsOf(huge)[0]?.message).toMatch(/10,000 characters/);

    // Sent as raw JSON text: JSON.stringify of such a value is what the gateway must never attempt.
    // 20,000 lists in lists, and 20,000 objects in objects (empty keys keep it under the body limit).
    for (const [value, reason] of [
      [`${'['.repeat(20_000)}"x"${']'.repeat(20_000)}`, /not lists or objects/],
      [`${'{"":'.repeat(20_000)}"x"${'}'.repeat(20_000)}`, /levels deep/],
    ] as const) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': writer },
        body: `{"query":${JSON.stringify(CREATE)},"variables":{"input":{"email":"deep@example.com","customFields":[{"id":"cf1","value":${value}}]}}}`,
      });
      const deep = {
        body: (await response.json()) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> },
      };
      expect(deep.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(fieldsOf(deep).map((entry) => entry.field)).toEqual(['input.customFields[0].value']);
      expect(fieldsOf(deep)[0]?.message).toMatch(reason);
    }

    const wrongType = await gql(
      url,
      CREATE,
      {
        input: {
          email: 'types@example.com',
          customFields: [
            { id: 'cf1', value: true },
            { id: 'cf2', value: [{ nested: 'object in a list' }] },
            { id: 'cf3', value: Array.from({ length: 101 }, (_, index) => `option ${index}`) },
          ],
        },
      },
      { 'x-api-key': writer },
    );
    expect(codeOf(wrongType)).toBe('BAD_USER_INPUT');
    expect(fieldsOf(wrongType).map((entry) => entry.field)).toEqual([
      'input.customFields[0].value',
      'input.customFields[1].value',
      'input.customFields[2].value',
    ]);
    expect(world.sim.log.total()).toBe(before);
  });

  it("when custom field values have the shapes HighLevel's field types take, then they reach HighLevel as sent", async () => {
    const [text, numeric, options, textboxList] = world.sim.data.location().customFields.map((field) => field.id);
    const values = [
      { id: text ?? '', value: 'Tile' },
      { id: numeric ?? '', value: 12.5 },
      { id: options ?? '', value: ['Gutters', 'Skylights'] },
      { id: textboxList ?? '', value: { first: 'Allstate', second: 'policy 42' } },
    ];
    const created = await gql(
      url,
      CREATE,
      { input: { email: 'shapes@example.com', customFields: values } },
      {
        'x-api-key': writer,
      },
    );
    expect(created.body.errors).toBeUndefined();
    const id = (created.body.data?.createContact as { contact: { id: string } }).contact.id;
    const stored = world.sim.data.getContact(id)?.['customFields'] as Array<{ id: string; value: unknown }>;
    expect(stored).toEqual(expect.arrayContaining(values.map((value) => ({ id: value.id, value: value.value }))));
  });

  it('when a due date is not a date-time with an offset, as a literal or a variable, then the error names input.dueDate and the expected form, and HighLevel is not called', async () => {
    const before = world.sim.log.total();
    for (const dueDate of ['2026-12-01', '2026-12-01T10:00:00', 'next tuesday']) {
      const literal = await gql(
        url,
        `mutation { createTask(contactId: "abc", input: { title: "Call back", dueDate: ${JSON.stringify(dueDate)} }) { task { id } } }`,
        {},
        { 'x-api-key': writer },
      );
      const error = literal.body.errors?.[0];
      expect(error?.message).toContain('input.dueDate');
      expect(error?.message).toMatch(/ISO-8601 date-time with an offset, e\.g\. 2026-01-31T09:30:00Z/);
      expect(error?.extensions?.['fields']).toEqual([
        { field: 'input.dueDate', message: expect.stringContaining('ISO-8601') },
      ]);

      const variable = await gql(
        url,
        'mutation($input: CreateTaskInput!) { createTask(contactId: "abc", input: $input) { task { id } } }',
        { input: { title: 'Call back', dueDate } },
        { 'x-api-key': writer },
      );
      expect(codeOf(variable)).toBe('BAD_USER_INPUT');
      expect(variable.body.errors?.[0]?.message).toContain('input.dueDate');
      expect(variable.body.errors?.[0]?.message).toMatch(/ISO-8601 date-time with an offset/);
    }
    expect(world.sim.log.total()).toBe(before);
  });
});

describe('request bodies refused on every route', () => {
  let world: SecurityWorld;
  let base: string;

  beforeAll(async () => {
    world = await startSecurityWorld({ contacts: 1 });
    base = (await world.start({ ROOFR_WEBHOOK_SECRET: 'security-suite-roofr-webhook-secret' })).url;
  });

  afterAll(async () => {
    await world.close();
  });

  it('when a webhook or OAuth request is too large, wrongly encoded or sent where no route takes it, then the answer is JSON 4xx with a code and no stack trace', async () => {
    const probes: Array<[string, string, RequestInit, number, string]> = [
      ['webhook too large', '/webhooks/ghl', { method: 'POST', body: 'x'.repeat(2_000_000) }, 413, 'REQUEST_TOO_LARGE'],
      [
        'webhook not gzip',
        '/webhooks/ghl',
        { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: 'not gzip at all' },
        400,
        'BAD_REQUEST',
      ],
      [
        'webhook broken brotli',
        '/webhooks/roofr',
        { method: 'POST', headers: { 'content-encoding': 'br' }, body: '{}' },
        400,
        'BAD_REQUEST',
      ],
      [
        'webhook unknown encoding',
        '/webhooks/roofr',
        { method: 'POST', headers: { 'content-encoding': 'x-klingon' }, body: '{}' },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      ['OAuth callback POSTed', '/oauth/callback', { method: 'POST', body: '{"code":"x"}' }, 404, 'NOT_FOUND'],
      ['webhook GET', '/webhooks/ghl', { method: 'GET' }, 404, 'NOT_FOUND'],
      ['unknown path', '/nope', { method: 'GET' }, 404, 'NOT_FOUND'],
      [
        'GraphQL not gzip',
        '/graphql',
        { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: 'not gzip' },
        400,
        'BAD_REQUEST',
      ],
    ];
    for (const [what, path, init, status, code] of probes) {
      const response = await fetch(`${base}${path}`, {
        ...init,
        headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
      });
      const text = await response.text();
      expect({ what, status: response.status, type: response.headers.get('content-type') }).toEqual({
        what,
        status,
        type: 'application/json; charset=utf-8',
      });
      const body = JSON.parse(text) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect({ what, code: body.errors[0]?.extensions.code }).toEqual({ what, code });
      for (const leak of ['    at ', 'node:internal', process.cwd(), '<pre>']) expect(text).not.toContain(leak);
    }
  });

  it('when a GraphQL body is malformed or too large, then it is still the coded JSON 400 it was', async () => {
    for (const [body, code] of [
      ['{"query": ', 'BAD_REQUEST'],
      [JSON.stringify({ query: `{ __typename } # ${'x'.repeat(200_000)}` }), 'REQUEST_TOO_LARGE'],
    ]) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(answer.errors[0]?.extensions.code).toBe(code);
    }
  });
});
