/**
 * The RSA key the gateway verifies `x-wh-signature` with by default is embedded in the source
 * (the fixtures do not ship with the image); it must stay byte-for-byte the key HighLevel
 * publishes, a copy of which is in test/fixtures/ghl/ (see its README).
 */
import { describe, expect, it } from '@jest/globals';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GHL_WEBHOOK_RSA_PUBLIC_KEY_DEFAULT } from '../../../src/http/webhook-ghl-signature.js';

const PUBLISHED = readFileSync(new URL('../../fixtures/ghl/webhook-rsa-public-key.pem', import.meta.url), 'utf8');

describe('default HighLevel webhook RSA key', () => {
  it('when compared with the key HighLevel publishes, then it is the same RSA key', () => {
    const embedded = createPublicKey(GHL_WEBHOOK_RSA_PUBLIC_KEY_DEFAULT).export({ format: 'der', type: 'spki' });
    const published = createPublicKey(PUBLISHED).export({ format: 'der', type: 'spki' });
    expect(createPublicKey(PUBLISHED).asymmetricKeyType).toBe('rsa');
    expect(Buffer.compare(embedded, published)).toBe(0);
  });
});
