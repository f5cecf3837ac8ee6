import { canonicalJson, contentHash } from '../../../src/domain/content-hash.js';

describe('content hash', () => {
  it('when two records differ only in key order, then their hashes are equal', () => {
    const a = { first_name: 'Ada', address: { city: 'Austin', street: '1 Main' }, tags: ['x', 'y'] };
    const b = { tags: ['x', 'y'], address: { street: '1 Main', city: 'Austin' }, first_name: 'Ada' };
    expect(contentHash(a)).toBe(contentHash(b));
  });

  it('when a value changes, then the hash changes', () => {
    expect(contentHash({ email: 'a@example.com' })).not.toBe(contentHash({ email: 'b@example.com' }));
  });

  it('when array order changes, then the hash changes', () => {
    expect(contentHash({ tags: ['a', 'b'] })).not.toBe(contentHash({ tags: ['b', 'a'] }));
  });

  it('when a member is undefined, then it hashes like an absent member but unlike null', () => {
    expect(contentHash({ a: 1, b: undefined })).toBe(contentHash({ a: 1 }));
    expect(contentHash({ a: 1, b: null })).not.toBe(contentHash({ a: 1 }));
  });

  it('when a record is hashed, then the canonical JSON is sorted and the hash is sha256 hex', () => {
    expect(canonicalJson({ b: [1, { d: true, c: null }], a: 'x' })).toBe('{"a":"x","b":[1,{"c":null,"d":true}]}');
    expect(contentHash({})).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
});
