/**
 * The frontend client against the demo gateway (started in this process, over real HTTP): its
 * typed operations run by document text and answer typed data with extensions; a coded error
 * comes back as a GatewayError with its code; and the trusted-documents manifest codegen wrote
 * holds every operation under the sha256 of its text, the hash each document carries.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../../src/config.js';
import { startGateway, type Gateway } from '../../../src/gateway.js';
import { createGatewayClient, GatewayError, type GatewayClient } from '../src/client.js';
import { ContactDetailsQuery, ContactsPageQuery, CreateLeadMutation } from '../src/operations.js';

const manifest = JSON.parse(
  readFileSync(new URL('../src/gql/persisted-documents.json', import.meta.url), 'utf8'),
) as Record<string, string>;

describe('typed frontend client', () => {
  let gateway: Gateway;
  let client: GatewayClient;
  beforeAll(async () => {
    gateway = await startGateway(
      parseConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        GHL_SIM_PORT: '0',
        DEMO_CONTACTS: '12',
        LOG_LEVEL: 'silent',
        DATABASE_URL: 'sqlite::memory:',
        ROOFR_SIM_PORT: '0',
      }),
    );
    client = createGatewayClient({ url: gateway.graphqlUrl });
  });
  afterAll(async () => gateway?.close());

  it('when a page of contacts and then one contact are asked for, then typed data comes back with the extensions', async () => {
    const page = await client.execute(ContactsPageQuery, { first: 5 });
    expect(page.data.contacts?.totalCount).toBe(12);
    const first = page.data.contacts?.edges[0]?.node;
    expect(first?.id).toEqual(expect.any(String));
    expect(page.extensions['upstream']).toMatchObject({ calls: expect.any(Number) });

    const details = await client.execute(ContactDetailsQuery, { id: first?.id ?? '' });
    expect(details.data.contact).toMatchObject({ id: first?.id, name: first?.name });
    expect(Array.isArray(details.data.contact?.tasks)).toBe(true);
  });

  it('when a lead is created, then the mutation answers the stored contact with its phone in E.164', async () => {
    const created = await client.execute(CreateLeadMutation, {
      input: { firstName: 'Dana', lastName: 'Reyes', phone: '(512) 555-0142', tags: ['lead'] },
    });
    expect(created.data.createContact.contact).toMatchObject({ name: 'Dana Reyes', phone: '+15125550142' });
    expect(created.data.createContact.roofrSync.status).toEqual(expect.any(String));
  });

  it('when a contact does not exist, then the client rejects with a GatewayError coded NOT_FOUND', async () => {
    const missing = client.execute(ContactDetailsQuery, { id: 'doesNotExist000000001' });
    await expect(missing).rejects.toBeInstanceOf(GatewayError);
    await expect(missing).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('when the manifest is read, then it holds each operation under the sha256 of its text, the hash the document carries', async () => {
    const operations = [ContactsPageQuery, ContactDetailsQuery, CreateLeadMutation];
    expect(Object.keys(manifest)).toHaveLength(operations.length);
    for (const [hash, text] of Object.entries(manifest)) {
      expect(createHash('sha256').update(text).digest('hex')).toBe(hash);
    }
    for (const operation of operations) {
      const hash = operation.__meta__?.['hash'];
      expect(typeof hash).toBe('string');
      const name = /(?:query|mutation) (\w+)/.exec(operation.toString())?.[1];
      expect(manifest[String(hash)]).toMatch(new RegExp(`^(query|mutation) ${name}\\b`));
    }
    // The manifest's text is a runnable document: the gateway answers it like the typed one.
    const byManifest = createGatewayClient({ url: gateway.graphqlUrl });
    const viaText = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: manifest[String(ContactsPageQuery.__meta__?.['hash'])], variables: { first: 2 } }),
    });
    const typed = await byManifest.execute(ContactsPageQuery, { first: 2 });
    expect(((await viaText.json()) as { data: unknown }).data).toEqual(typed.data);
  });

  it('when the client sends persisted operations, then the request carries only the document hash', async () => {
    const sent: unknown[] = [];
    const recording = createGatewayClient({
      url: 'http://gateway.invalid/graphql',
      send: 'persisted',
      fetch: async (_url, init) => {
        sent.push(JSON.parse(String(init?.body)));
        return new Response(JSON.stringify({ data: { contacts: null } }), {
          headers: { 'content-type': 'application/json' },
        });
      },
    });
    await recording.execute(ContactsPageQuery, { first: 1 });
    const hash = String(ContactsPageQuery.__meta__?.['hash']);
    expect(sent).toEqual([
      {
        documentId: `sha256:${hash}`,
        variables: { first: 1 },
        extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
      },
    ]);
  });
});
