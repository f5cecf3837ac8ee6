import { describe, expect, it } from '@jest/globals';
import { parse, print } from 'graphql';
import { createDocumentStore, documentHeapBytes } from '../../../src/graphql/document-store.js';

const query = (index: number): string =>
  `query Read${index}($id: ID!) { contact(id: $id) { id firstName tasks { id title } notes { id body } } }`;

describe('document store', () => {
  it('when a document is parsed with locations, then it is sized by its source (it holds every token), above its JSON size', () => {
    const document = parse(query(1));
    expect(documentHeapBytes(document)).toBe(query(1).length * 90);
    expect(documentHeapBytes(document)).toBeGreaterThan(JSON.stringify(document).length);
  });

  it('when a document has no locations, then its JSON size is its size', () => {
    const document = parse(query(1), { noLocation: true });
    expect(documentHeapBytes(document)).toBe(JSON.stringify(document).length);
  });

  it('when more documents are stored than 30 MiB of heap holds, then the least recently used leave the parsed tier and come back parsed from their text', async () => {
    const store = createDocumentStore();
    const perDocument = query(0).length * 90;
    const fits = Math.floor((30 * 1024 * 1024) / perDocument);
    const first = parse(query(0));
    await store.set('doc-0', first);
    for (let index = 1; index < fits + 100; index += 1) await store.set(`doc-${index}`, parse(query(index)));
    const again = await store.get('doc-0');
    // Not the stored tree (it left the parsed tier), but the same document, parsed from its text.
    expect(again).not.toBe(first);
    expect(again === undefined ? null : print(again)).toBe(print(first));
    // Now parsed again, it is the one handed out next time.
    expect(await store.get('doc-0')).toBe(again);
    expect(await store.get(`doc-${fits + 99}`)).toBeDefined();
  });

  it('when more texts are kept than 8 MiB holds, then the least recently used are forgotten and must be validated again', async () => {
    const store = createDocumentStore();
    const padding = 'x'.repeat(4_000);
    const long = (index: number): string => `query Read${index}${padding}($id: ID!) { contact(id: $id) { id } }`;
    // ~4 kB a text: 8 MiB holds about 2,000 of them.
    for (let index = 0; index < 2_600; index += 1) await store.set(`doc-${index}`, parse(long(index)));
    expect(await store.get('doc-0')).toBeUndefined();
    expect(await store.get('doc-2599')).toBeDefined();
  });

  it('when a document has no text (parsed without locations), then it lives in the parsed tier only', async () => {
    const store = createDocumentStore();
    await store.set('doc', parse(query(1), { noLocation: true }));
    expect(await store.get('doc')).toBeDefined();
    await store.delete('doc');
    expect(await store.get('doc')).toBeUndefined();
  });
});
