/**
 * Apollo's store of parsed and validated documents, bounded by what the documents really hold.
 *
 * Apollo's default store caps 30 MiB measured as each document's JSON, but a parsed document
 * keeps every token of its text besides its syntax tree: on the heap it weighs ~4× its JSON
 * (measured: a 189-character query, 4.2 kB of JSON, 17 kB on the heap, ~90 bytes per character
 * of source). With frontends sending many distinct documents, that store was most of the
 * gateway's live heap and, with V8 growing the heap to a multiple of what is live, of its peak
 * RSS (bench/results/profile-notes.md, "Memory"). Sizing by the source length is also O(1),
 * where the default stringifies every document it stores.
 */
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode } from 'graphql';

/** Heap bytes a parsed document holds per character of its source (tokens, AST, the text itself). */
const HEAP_BYTES_PER_SOURCE_CHAR = 90;

/** Apollo's own cap, now counting heap bytes. */
const DOCUMENT_STORE_MAX_BYTES = 30 * 1024 * 1024;

export function documentHeapBytes(document: DocumentNode): number {
  const source = document.loc?.source.body;
  // A document parsed without locations holds no tokens: its JSON is a fair measure.
  return source === undefined ? JSON.stringify(document).length : source.length * HEAP_BYTES_PER_SOURCE_CHAR;
}

export function createDocumentStore(): InMemoryLRUCache<DocumentNode> {
  return new InMemoryLRUCache<DocumentNode>({
    maxSize: DOCUMENT_STORE_MAX_BYTES,
    sizeCalculation: documentHeapBytes,
  });
}
