/**
 * AES-256-GCM encryption of tokens and secrets at rest, with a key ring so keys rotate.
 *
 * TOKEN_ENCRYPTION_KEY is `id:base64key[,id:base64key…]`: the FIRST key encrypts, every key
 * decrypts. Each sealed value carries the id of the key that sealed it, so a database written
 * under `k1` keeps reading after `k2:…,k1:…` is deployed, and `reencrypt` moves rows to `k2`
 * until `k1` can be dropped. There is deliberately no plaintext fallback: a missing, malformed
 * or wrong key stops start-up with a message naming the variable.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const KEY_RING_VARIABLE = 'TOKEN_ENCRYPTION_KEY';

/** What is stored: all base64 text, as the store's encrypted columns expect. */
interface SealedValue {
  ciphertext: string;
  iv: string;
  authTag: string;
  keyId: string;
}

export class KeyRingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyRingError';
  }
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;
const IV_BYTES = 12;

export class KeyRing {
  readonly primaryKeyId: string;
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    keys: ReadonlyArray<{ id: string; key: Buffer }>,
    private readonly variable = KEY_RING_VARIABLE,
  ) {
    const first = keys[0];
    if (first === undefined) throw new KeyRingError(`${variable} holds no key`);
    const map = new Map<string, Buffer>();
    for (const { id, key } of keys) {
      if (!KEY_ID.test(id))
        throw new KeyRingError(`${variable}: key id "${id}" must be 1-32 letters, digits, _ . or -`);
      if (key.length !== 32)
        throw new KeyRingError(`${variable}: key "${id}" must decode to 32 bytes (AES-256), got ${key.length}`);
      if (map.has(id)) throw new KeyRingError(`${variable}: key id "${id}" appears twice`);
      map.set(id, key);
    }
    this.keys = map;
    this.primaryKeyId = first.id;
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  seal(plaintext: string): SealedValue {
    const key = this.keys.get(this.primaryKeyId);
    if (key === undefined) throw new KeyRingError(`${this.variable}: primary key missing`);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The key id is authenticated data: swapping it on a row makes decryption fail loudly.
    cipher.setAAD(Buffer.from(this.primaryKeyId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      ciphertext: ciphertext.toString('base64'),
      iv: iv.toString('base64'),
      authTag: cipher.getAuthTag().toString('base64'),
      keyId: this.primaryKeyId,
    };
  }

  open(sealed: SealedValue): string {
    const key = this.keys.get(sealed.keyId);
    if (key === undefined) {
      throw new KeyRingError(
        `${this.variable} has no key "${sealed.keyId}" (it has ${this.keyIds.join(', ')}): add the key the data was written with, after the new primary key`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(sealed.keyId, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.authTag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      // GCM's own message ("unable to authenticate data") says less than this one.
      throw new KeyRingError(
        `${this.variable}: key "${sealed.keyId}" does not decrypt the stored value (wrong key for this id, or the row was tampered with)`,
      );
    }
  }

  /** True when the value was sealed by an older key and should be sealed again. */
  isStale(sealed: Pick<SealedValue, 'keyId'>): boolean {
    return sealed.keyId !== this.primaryKeyId;
  }
}

/** Parses `k2:base64,k1:base64`. Throws a KeyRingError naming the variable, never echoing key bytes. */
export function parseKeyRing(text: string | undefined, variable = KEY_RING_VARIABLE): KeyRing {
  if (text === undefined || text.trim() === '') {
    throw new KeyRingError(
      `${variable} is not set: generate a key with \`npm run auth -- key generate\` and set ${variable}=k1:<base64>`,
    );
  }
  const keys = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part, index) => {
      const colon = part.indexOf(':');
      if (colon <= 0) throw new KeyRingError(`${variable}: entry ${index + 1} must look like id:base64key`);
      const id = part.slice(0, colon);
      const encoded = part.slice(colon + 1);
      if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) throw new KeyRingError(`${variable}: key "${id}" is not base64`);
      return { id, key: Buffer.from(encoded, 'base64') };
    });
  return new KeyRing(keys, variable);
}

/** A fresh key in the ring's text format, for operators (`npm run auth -- key generate`). */
export function generateKeyRingEntry(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
