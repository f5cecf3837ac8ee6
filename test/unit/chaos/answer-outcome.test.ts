/** How the fault suite files each answer a client got (bench/chaos/answer-outcome.ts). */
import { classify, family, type RawAnswer } from '../../../bench/chaos/answer-outcome.js';

const answer = (partial: Partial<RawAnswer>): RawAnswer => ({
  status: 200,
  body: { data: { contact: { id: 'c1' } } },
  transportError: null,
  gatewayDown: false,
  ...partial,
});

describe('fault suite: answer outcomes', () => {
  test('when data comes without errors, then ok; with extensions.stale, then stale', () => {
    expect(classify(answer({}))).toBe('ok');
    expect(classify(answer({ body: { data: {}, extensions: { stale: true, staleAgeMs: 9 } } }))).toBe('stale');
  });

  test('when errors carry a code, then error:<first code>, whatever the HTTP status', () => {
    const errors = [
      { message: 'x', extensions: { code: 'UPSTREAM_UNAVAILABLE' } },
      { extensions: { code: 'NOT_FOUND' } },
    ];
    expect(classify(answer({ body: { data: null, errors } }))).toBe('error:UPSTREAM_UNAVAILABLE');
    expect(classify(answer({ status: 504, body: { errors } }))).toBe('error:UPSTREAM_UNAVAILABLE');
  });

  test('when an error has no code, the body is not GraphQL, or a non-200 has no errors, then other', () => {
    expect(classify(answer({ body: { data: null, errors: [{ message: 'boom' }] } }))).toBe(
      'other:http-200-uncoded-error',
    );
    expect(classify(answer({ status: 500, body: null }))).toBe('other:http-500-not-graphql');
    expect(classify(answer({ status: 502, body: { data: {} } }))).toBe('other:http-502-without-errors');
  });

  test('when no answer came, then gateway-down if the suite had killed it, else other with the reason', () => {
    expect(classify(answer({ status: null, body: null, transportError: 'ECONNRESET', gatewayDown: true }))).toBe(
      'gateway-down',
    );
    expect(classify(answer({ status: null, body: null, transportError: 'ECONNRESET' }))).toBe('other:ECONNRESET');
    expect(classify(answer({ status: null, body: null, transportError: 'timeout' }))).toBe('other:no-answer');
  });

  test('when outcomes are grouped, then each falls in one family', () => {
    expect(['ok', 'stale', 'error:NOT_FOUND', 'other:ECONNRESET', 'gateway-down'].map(family)).toEqual([
      'ok',
      'stale',
      'error',
      'other',
      'gateway-down',
    ]);
  });
});
