/**
 * HighLevel webhook signatures: `x-ghl-signature` (Ed25519, base64) is preferred when present,
 * else `x-wh-signature` (RSA-SHA256, base64), both over the raw body bytes (docs/ghl-facts.md).
 * The RSA default is HighLevel's published key, embedded because test fixtures do not ship with
 * the gateway; test/unit/http/webhook-rsa-key.test.ts checks it against the published copy in
 * test/fixtures/ghl/webhook-rsa-public-key.pem.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export const GHL_WEBHOOK_RSA_PUBLIC_KEY_DEFAULT = `-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
-----END PUBLIC KEY-----
`;

interface GhlWebhookKeys {
  /** PEM; null: Ed25519 signatures cannot be checked (RSA is then required). */
  ed25519Pem: string | null;
  rsaPem: string;
}

export type GhlSignatureCheck =
  | { ok: true; scheme: 'ed25519' | 'rsa' }
  | { ok: false; reason: 'missing-signature' | 'bad-signature'; detail: string };

export interface GhlSignatureVerifier {
  check(
    rawBody: Buffer,
    headers: { ghlSignature: string | undefined; whSignature: string | undefined },
  ): GhlSignatureCheck;
}

export function createGhlSignatureVerifier(keys: GhlWebhookKeys): GhlSignatureVerifier {
  const ed25519: KeyObject | null = keys.ed25519Pem === null ? null : createPublicKey(keys.ed25519Pem);
  const rsa = createPublicKey(keys.rsaPem);
  const decode = (value: string): Buffer | null => {
    const trimmed = value.trim();
    return /^[A-Za-z0-9+/=_-]+$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : null;
  };
  return {
    check(rawBody, headers) {
      if (headers.ghlSignature !== undefined && headers.ghlSignature.trim() !== '' && ed25519 !== null) {
        const signature = decode(headers.ghlSignature);
        if (signature !== null && verify(null, rawBody, ed25519, signature)) return { ok: true, scheme: 'ed25519' };
        return {
          ok: false,
          reason: 'bad-signature',
          detail: 'x-ghl-signature does not verify against the configured Ed25519 key',
        };
      }
      if (headers.whSignature !== undefined && headers.whSignature.trim() !== '') {
        const signature = decode(headers.whSignature);
        if (signature !== null && verify('sha256', rawBody, rsa, signature)) return { ok: true, scheme: 'rsa' };
        return {
          ok: false,
          reason: 'bad-signature',
          detail: 'x-wh-signature does not verify against the configured RSA key',
        };
      }
      return {
        ok: false,
        reason: 'missing-signature',
        detail: 'neither x-ghl-signature nor x-wh-signature is present',
      };
    },
  };
}
