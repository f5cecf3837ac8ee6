import { createHash } from 'node:crypto';
import { decideDocument } from '../../../src/graphql/trusted-documents/document-request.js';
import { ManifestError, parseManifest, type TrustedDocument } from '../../../src/graphql/trusted-documents/manifest.js';
import {
  TrustedDocuments,
  TrustedDocumentsUnavailableError,
  type TrustedDocumentStore,
} from '../../../src/graphql/trusted-documents/trusted-documents.js';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const LIST = 'query List { contacts(first: 2) { totalCount } }';
const ONE = 'query One($id: ID!) { contact(id: $id) { id } }';

/** A store that counts its reads and can be made to fail. */
class CountingStore implements TrustedDocumentStore {
  reads = 0;
  failing = false;
  constructor(private readonly documents: TrustedDocument[]) {}
  async get(id: string): Promise<TrustedDocument | null> {
    return this.read(() => this.documents.find((document) => document.id === id) ?? null);
  }
  async findBySha256(hash: string): Promise<TrustedDocument | null> {
    return this.read(() => this.documents.find((document) => document.sha256 === hash) ?? null);
  }
  private read(find: () => TrustedDocument | null): TrustedDocument | null {
    this.reads += 1;
    if (this.failing) throw new Error('database is gone');
    return find();
  }
}

describe('manifests', () => {
  it('when a manifest is the codegen client-preset map or an Apollo persisted query manifest, then each document keeps its id and gets its sha256 and operation name', () => {
    expect(parseManifest({ [sha256(LIST)]: LIST })).toEqual([
      { id: sha256(LIST), sha256: sha256(LIST), body: LIST, operationName: 'List' },
    ]);
    const apollo = parseManifest({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: 'custom-id-1', name: 'One', type: 'query', body: ONE }],
    });
    expect(apollo).toEqual([{ id: 'custom-id-1', sha256: sha256(ONE), body: ONE, operationName: 'One' }]);
  });

  it('when a manifest is of no known shape, has a document that is not GraphQL, or an id with odd characters, then ManifestError says which', () => {
    expect(() => parseManifest({ format: 'apollo-persisted-query-manifest', version: 2, operations: [] })).toThrow(
      /Apollo persisted query manifest/,
    );
    expect(() => parseManifest(['not', 'a', 'map'])).toThrow(ManifestError);
    expect(() => parseManifest({ abc: '{ contacts(first: ' })).toThrow(/document abc is not GraphQL/);
    expect(() => parseManifest({ abc: 'fragment F on Contact { id }' })).toThrow(/has no operation/);
    expect(() => parseManifest({ 'a b<script>': LIST })).toThrow(/a b<script>: Invalid key/);
  });
});

describe('trusted document lookups', () => {
  it('when a client names a document by manifest id, by sha256:<hex>, by a sha256 its manifest named otherwise, or sends the exact text, then it is found', async () => {
    const [custom] = parseManifest({ 'custom-id': ONE });
    const documents = new TrustedDocuments(parseManifest({ [sha256(LIST)]: LIST }).concat(custom ?? []), null);
    expect((await documents.get(sha256(LIST)))?.body).toBe(LIST);
    expect((await documents.get(`sha256:${sha256(LIST)}`))?.body).toBe(LIST);
    expect((await documents.get(sha256(ONE)))?.id).toBe('custom-id');
    expect((await documents.byText(ONE))?.id).toBe('custom-id');
    expect(await documents.byText(`${ONE} `)).toBeNull();
    expect(await documents.get('unknown')).toBeNull();
  });

  it('when the store is asked again within the minute (found) or the few seconds (missing), then it is not read again; after that it is', async () => {
    let now = 0;
    const store = new CountingStore(parseManifest({ registered: LIST }));
    const documents = new TrustedDocuments([], store, { now: () => now, foundTtlMs: 60_000, missTtlMs: 3_000 });
    expect((await documents.get('registered'))?.body).toBe(LIST);
    expect(await documents.get('missing')).toBeNull();
    const reads = store.reads;
    await documents.get('registered');
    await documents.get('missing');
    expect(store.reads).toBe(reads);
    now += 3_001;
    await documents.get('missing');
    await documents.get('registered');
    expect(store.reads).toBe(reads + 1);
    now += 60_000;
    await documents.get('registered');
    expect(store.reads).toBe(reads + 2);
  });

  it('when the store fails, then lookups throw TrustedDocumentsUnavailableError and the decision is a coded 503, never "not trusted"', async () => {
    const store = new CountingStore([]);
    store.failing = true;
    const documents = new TrustedDocuments([], store);
    await expect(documents.get('x')).rejects.toBeInstanceOf(TrustedDocumentsUnavailableError);
    const decision = await decideDocument({ query: LIST }, 'trusted-only', documents);
    expect(decision.kind === 'refused' && decision.error.extensions).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      http: { status: 503 },
    });
  });
});

describe('the document decision', () => {
  const documents = new TrustedDocuments(parseManifest({ [sha256(LIST)]: LIST }), null);
  const codeOf = async (...args: Parameters<typeof decideDocument>) => {
    const decision = await decideDocument(...args);
    return decision.kind === 'refused' ? decision.error.extensions['code'] : decision.kind;
  };

  it('when each kind of request meets each mode, then trusted documents run, allow-any requests go to Apollo, and trusted-only refuses the rest', async () => {
    const cases: Array<[Parameters<typeof decideDocument>[0], 'allow-any' | 'trusted-only', unknown]> = [
      [{ documentId: sha256(LIST) }, 'trusted-only', 'trusted'],
      [{ documentId: sha256(LIST) }, 'allow-any', 'trusted'],
      [{ documentId: 'nope' }, 'allow-any', 'PERSISTED_QUERY_NOT_FOUND'],
      [{ documentId: sha256(LIST), query: LIST }, 'allow-any', 'BAD_REQUEST'],
      [{ apqHash: sha256(LIST) }, 'trusted-only', 'trusted'],
      [{ apqHash: sha256(ONE) }, 'trusted-only', 'PERSISTED_QUERY_NOT_FOUND'],
      [{ apqHash: sha256(ONE) }, 'allow-any', 'as-sent'],
      [{ apqHash: sha256(ONE), query: ONE }, 'allow-any', 'as-sent'],
      [{ apqHash: sha256(ONE), query: ONE }, 'trusted-only', 'PERSISTED_QUERY_NOT_ALLOWED'],
      [{ query: ONE }, 'allow-any', 'as-sent'],
      [{ query: ONE }, 'trusted-only', 'PERSISTED_QUERY_NOT_ALLOWED'],
      [{ query: LIST }, 'trusted-only', 'trusted'],
      [{}, 'trusted-only', 'PERSISTED_QUERY_NOT_ALLOWED'],
    ];
    for (const [request, mode, expected] of cases)
      expect({ request, mode, outcome: await codeOf(request, mode, documents) }).toEqual({
        request,
        mode,
        outcome: expected,
      });
  });
});
