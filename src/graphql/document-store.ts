/**
 * Apollo's store of parsed and validated documents, bounded by what the documents really hold,
 * in two tiers.
 *
 * Apollo's default store caps 30 MiB measured as each document's JSON, but a parsed document
 * keeps every token of its text besides its syntax tree: on the heap it weighs ~4× its JSON
 * (measured: a 189-character query, 4.2 kB of JSON, 17 kB on the heap, ~90 bytes per character
 * of source). With frontends sending many distinct documents, that store was most of the
 * gateway's live heap and, with V8 growing the heap to a multiple of what is live, of its peak
 * RSS (bench/results/profile-notes.md, "Memory"). Sizing by the source length is also O(1),
 * where the default stringifies every document it stores.
 *
 * Bounded honestly, the parsed tier holds a quarter of the documents Apollo's default holds, and
 * a document that fell out of it was validated again on its next use: with frontends varying
 * their selections (bench:peers (e), ~10,000 distinct documents) 57% of requests were validated
 * against Apollo's 22%, and validation is most of what a new document costs (~0.5 ms; parsing
 * it is ~0.03 ms). So behind the parsed tier a second one keeps only the text of documents
 * already validated under the same key (Apollo's key is the schema's hash and the query's
 * sha256, so the text can only ever validate the same way): ~0.5 kB a document instead of
 * ~12 kB. A hit there is parsed again, not validated, and moves up to the parsed tier.
 */
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { parse, type DocumentNode } from 'graphql';

/** Heap bytes a parsed document holds per character of its source (tokens, AST, the text itself). */
const HEAP_BYTES_PER_SOURCE_CHAR = 90;

/** Apollo's own cap, now counting heap bytes. */
const PARSED_TIER_MAX_BYTES = 30 * 1024 * 1024;

/** Texts of validated documents: ~17,000 of the size frontends send. */
const VALIDATED_TEXT_TIER_MAX_BYTES = 8 * 1024 * 1024;

/** A map entry's own weight besides its key and text (entry, string headers, LRU links). */
const TEXT_ENTRY_OVERHEAD_BYTES = 120;

export function documentHeapBytes(document: DocumentNode): number {
  const source = document.loc?.source.body;
  // A document parsed without locations holds no tokens: its JSON is a fair measure.
  return source === undefined ? JSON.stringify(document).length : source.length * HEAP_BYTES_PER_SOURCE_CHAR;
}

class TwoTierDocumentStore implements KeyValueCache<DocumentNode> {
  private readonly parsed = new InMemoryLRUCache<DocumentNode>({
    maxSize: PARSED_TIER_MAX_BYTES,
    sizeCalculation: documentHeapBytes,
  });
  private readonly validatedTexts = new InMemoryLRUCache<string>({
    maxSize: VALIDATED_TEXT_TIER_MAX_BYTES,
    sizeCalculation: (text, key) => key.length + text.length + TEXT_ENTRY_OVERHEAD_BYTES,
  });

  async get(key: string): Promise<DocumentNode | undefined> {
    const document = await this.parsed.get(key);
    if (document !== undefined) return document;
    const text = await this.validatedTexts.get(key);
    if (text === undefined) return undefined;
    // Parsed as Apollo parses (no parse options are configured), so the tree is the one it validated.
    const reparsed = parse(text);
    await this.parsed.set(key, reparsed);
    return reparsed;
  }

  async set(key: string, document: DocumentNode): Promise<void> {
    await this.parsed.set(key, document);
    const text = document.loc?.source.body;
    if (text !== undefined) await this.validatedTexts.set(key, text);
  }

  async delete(key: string): Promise<void> {
    await Promise.all([this.parsed.delete(key), this.validatedTexts.delete(key)]);
  }
}

export function createDocumentStore(): KeyValueCache<DocumentNode> {
  return new TwoTierDocumentStore();
}
