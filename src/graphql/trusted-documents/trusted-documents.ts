/**
 * The trusted documents this gateway knows: the manifests read at start (TRUSTED_DOCUMENTS) and
 * the documents registered through the CLI into the state database, which every replica shares.
 * Lookups by id (what clients send) or by the text's sha256 (a client sending the text itself).
 *
 * Store lookups are remembered per process, a found document for a minute and a miss for a few
 * seconds: a document registered on any replica is served everywhere within seconds, a removed
 * one stops within a minute, and a client repeating an unknown id costs one query per few
 * seconds, not one per request. The memory is bounded (LRU). A store that cannot be read makes
 * lookups throw TrustedDocumentsUnavailableError: the caller answers 503, not "not trusted".
 */
import { BoundedLru } from '../../cache/bounded-lru.js';
import { documentSha256, type TrustedDocument } from './manifest.js';

/** The registered documents as the store holds them (src/store/trusted-documents-repo.ts). */
export interface TrustedDocumentStore {
  get(id: string): Promise<TrustedDocument | null>;
  findBySha256(sha256: string): Promise<TrustedDocument | null>;
}

export class TrustedDocumentsUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('The trusted documents store could not be read', options);
    this.name = 'TrustedDocumentsUnavailableError';
  }
}

interface TrustedDocumentsOptions {
  foundTtlMs?: number;
  missTtlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class TrustedDocuments {
  private readonly byId = new Map<string, TrustedDocument>();
  private readonly bySha = new Map<string, TrustedDocument>();
  private readonly remembered: BoundedLru<TrustedDocument | null>;
  private readonly foundTtlMs: number;
  private readonly missTtlMs: number;

  constructor(
    files: readonly TrustedDocument[],
    private readonly store: TrustedDocumentStore | null,
    options: TrustedDocumentsOptions = {},
  ) {
    for (const document of files) {
      this.byId.set(document.id, document);
      this.bySha.set(document.sha256, document);
    }
    this.foundTtlMs = options.foundTtlMs ?? 60_000;
    this.missTtlMs = options.missTtlMs ?? 3_000;
    this.remembered = new BoundedLru({
      maxEntries: options.maxEntries ?? 10_000,
      maxBytes: 64 * 1024 * 1024,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Documents read from manifest files at start. */
  get fileCount(): number {
    return this.byId.size;
  }

  /**
   * The document a client names: a manifest id, or (GraphQL over HTTP's persisted documents)
   * `sha256:<hex>` of its text.
   */
  async get(id: string): Promise<TrustedDocument | null> {
    const prefixed = /^sha256:([0-9a-f]{64})$/.exec(id);
    if (prefixed?.[1] !== undefined) return this.withSha256(prefixed[1]);
    const document = this.byId.get(id) ?? (await this.fromStore(`id:${id}`, (store) => store.get(id)));
    if (document !== null) return document;
    // An Apollo client sends sha256(text) as its hash; the manifest may have named it otherwise.
    return SHA256_HEX.test(id) ? this.withSha256(id) : null;
  }

  /** The trusted document with exactly this text, if there is one. */
  byText(text: string): Promise<TrustedDocument | null> {
    return this.withSha256(documentSha256(text));
  }

  private async withSha256(sha256: string): Promise<TrustedDocument | null> {
    return this.bySha.get(sha256) ?? this.fromStore(`sha:${sha256}`, (store) => store.findBySha256(sha256));
  }

  private async fromStore(
    key: string,
    read: (store: TrustedDocumentStore) => Promise<TrustedDocument | null>,
  ): Promise<TrustedDocument | null> {
    if (this.store === null) return null;
    const known = this.remembered.get(key);
    if (known !== undefined) return known;
    let document: TrustedDocument | null;
    try {
      document = await read(this.store);
    } catch (error) {
      throw new TrustedDocumentsUnavailableError({ cause: error });
    }
    this.remembered.set(
      key,
      document,
      key.length + (document?.body.length ?? 0),
      document === null ? this.missTtlMs : this.foundTtlMs,
    );
    return document;
  }
}
