import { describe, expect, it } from '@jest/globals';
import { bodyLimitBytes } from '../../../src/http/graphql-front-door.js';

describe('GRAPHQL_BODY_LIMIT in bytes', () => {
  it('when given b, kb or mb, then it counts as body-parser does (1 kb = 1024 b); anything else is refused', () => {
    expect(bodyLimitBytes('512b')).toBe(512);
    expect(bodyLimitBytes('100kb')).toBe(102_400);
    expect(bodyLimitBytes('2MB')).toBe(2 * 1024 * 1024);
    expect(() => bodyLimitBytes('lots')).toThrow(/GRAPHQL_BODY_LIMIT/);
  });
});
