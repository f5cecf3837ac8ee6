/**
 * An encrypted value as this layer stores it: opaque text fields (base64 by convention), the
 * output of an AEAD cipher such as AES-256-GCM, plus the id of the key that sealed it so keys
 * can rotate. The store never sees plaintext; sealing and opening belong to the caller.
 */
export interface EncryptedBlob {
  ciphertext: string;
  iv: string;
  authTag: string;
  keyId: string;
}
