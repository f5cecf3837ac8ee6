import { describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
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

  it('when more documents are stored than 30 MiB of heap holds, then the least recently used are dropped', async () => {
    const store = createDocumentStore();
    const perDocument = query(0).length * 90;
    const fits = Math.floor((30 * 1024 * 1024) / perDocument);
    for (let index = 0; index < fits + 100; index += 1) await store.set(`doc-${index}`, parse(query(index)));
    expect(await store.get('doc-0')).toBeUndefined();
    expect(await store.get(`doc-${fits + 99}`)).toBeDefined();
  });
});
