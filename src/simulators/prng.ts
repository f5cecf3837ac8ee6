/**
 * Deterministic randomness for seeded data: the same seed yields the same contacts, ids and
 * children on every run, so tests and benchmarks can name what they expect.
 */

export type Random = () => number;

/** mulberry32: tiny, fast and good enough for fixtures (not for anything secret). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit hash of a string (FNV-1a), to derive independent seeds from names. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick() from an empty list');
  return item;
}

export function intBetween(random: Random, min: number, maxInclusive: number): number {
  return min + Math.floor(random() * (maxInclusive - min + 1));
}

const FIREBASE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
// Char codes filled in place and turned into one string: building ids by concatenation made
// seeding 100,000 contacts spend most of its time collecting intermediate strings.
const FIREBASE_CODES = Array.from(FIREBASE_ALPHABET, (char) => char.charCodeAt(0));
const HEX_CODES = Array.from(HEX, (char) => char.charCodeAt(0));
const idBuffer: number[] = new Array<number>(24).fill(0);

function randomString(random: Random, codes: readonly number[], length: number): string {
  for (let index = 0; index < length; index += 1) idBuffer[index] = codes[Math.floor(random() * codes.length)] ?? 48;
  return String.fromCharCode.apply(null, length === idBuffer.length ? idBuffer : idBuffer.slice(0, length));
}

/** GHL ids are 20-char Firebase-style strings (e.g. `seD4PfOuKoVMLkEZqohJ`). */
export function firebaseId(random: Random): string {
  return randomString(random, FIREBASE_CODES, 20);
}

/** businessId and other Mongo-style ids: 24 hex chars. */
export function hexId(random: Random): string {
  return randomString(random, HEX_CODES, 24);
}
