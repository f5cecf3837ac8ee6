import {
  GhlMissingScopeError,
  GhlNotFoundError,
  GhlRateLimitedError,
  GhlUnauthorizedError,
  GhlValidationError,
} from '../../../src/ghl/errors.js';
import { errorFromResponse } from '../../../src/ghl/http-errors.js';
import { parseRateLimitHeaders } from '../../../src/ghl/rate-limit-headers.js';
import { buildPath, ENDPOINTS, endpointLabel, normaliseBaseUrl, versionFor } from '../../../src/ghl/spec.js';

const getContact = ENDPOINTS.getContact;

function outcome(status: number, body: unknown, retryAfterMs = 10_000) {
  return { status, bodyText: typeof body === 'string' ? body : JSON.stringify(body), retryAfterMs };
}

describe('errorFromResponse', () => {
  it('when GHL answers 400 "Contact with id … not found", then it is NotFound (GHL uses 400 for unknown ids)', () => {
    const error = errorFromResponse(
      getContact,
      outcome(400, { statusCode: 400, message: 'Contact with id abc not found' }),
    );
    expect(error).toBeInstanceOf(GhlNotFoundError);
    expect(error.endpoint).toBe('GET /contacts/{contactId}');
  });

  it('when GHL answers 404, then it is NotFound', () => {
    expect(errorFromResponse(getContact, outcome(404, 'Not Found'))).toBeInstanceOf(GhlNotFoundError);
  });

  it('when a 401 says the token is not authorized for this scope, then it is MissingScope naming the endpoint scope', () => {
    const error = errorFromResponse(
      ENDPOINTS.searchTasks,
      outcome(401, { statusCode: 401, message: 'The token is not authorized for this scope.' }),
    );
    expect(error).toBeInstanceOf(GhlMissingScopeError);
    expect(error).toMatchObject({
      scope: 'locations/tasks.readonly',
      endpoint: 'POST /locations/{locationId}/tasks/search',
    });
  });

  it('when any other 401 arrives, then it is Unauthorized and carries no upstream wording', () => {
    const error = errorFromResponse(
      getContact,
      outcome(401, { statusCode: 401, message: 'Invalid JWT secret-ish detail', error: 'Unauthorized' }),
    );
    expect(error).toBeInstanceOf(GhlUnauthorizedError);
    expect(error.message).not.toContain('secret-ish');
  });

  it('when a 422 carries an array of messages, then Validation keeps every one', () => {
    const error = errorFromResponse(
      ENDPOINTS.createContact,
      outcome(422, {
        statusCode: 422,
        message: ['email must be an email', 'phone is invalid'],
        error: 'Unprocessable Entity',
      }),
    );
    expect(error).toBeInstanceOf(GhlValidationError);
    expect(error).toMatchObject({ messages: ['email must be an email', 'phone is invalid'], status: 422 });
  });

  it('when a 400 carries a single string message, then Validation wraps it', () => {
    const error = errorFromResponse(
      ENDPOINTS.createContact,
      outcome(400, { statusCode: 400, message: 'This location does not allow duplicated contacts.' }),
    );
    expect(error).toMatchObject({
      kind: 'Validation',
      messages: ['This location does not allow duplicated contacts.'],
      status: 400,
    });
  });

  it('when a 4xx has no JSON body, then Validation says the status', () => {
    expect(errorFromResponse(ENDPOINTS.createContact, outcome(409, '<html>'))).toMatchObject({
      kind: 'Validation',
      messages: ['HTTP 409'],
    });
  });

  it('when GHL answers 429, then it is RateLimited with the wait it was given', () => {
    const error = errorFromResponse(getContact, outcome(429, { statusCode: 429, message: 'Too many requests' }, 3000));
    expect(error).toBeInstanceOf(GhlRateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 3000 });
  });

  it('when GHL answers 5xx, then it is Unavailable with the status', () => {
    expect(errorFromResponse(getContact, outcome(502, '<html>bad gateway</html>'))).toMatchObject({
      kind: 'Unavailable',
      status: 502,
    });
  });
});

describe('rate-limit headers', () => {
  it('when every X-RateLimit header is present, then they are read as numbers', () => {
    expect(
      parseRateLimitHeaders({
        'x-ratelimit-max': '100',
        'x-ratelimit-remaining': '97',
        'x-ratelimit-interval-milliseconds': '10000',
        'x-ratelimit-limit-daily': '200000',
        'x-ratelimit-daily-remaining': '199990',
      }),
    ).toEqual({ burstMax: 100, burstRemaining: 97, intervalMs: 10_000, dailyMax: 200_000, dailyRemaining: 199_990 });
  });

  it('when a burst header is missing or garbage, then no limits are read (the budget keeps probing)', () => {
    expect(parseRateLimitHeaders({ 'x-ratelimit-max': '100', 'x-ratelimit-remaining': '5' })).toBeNull();
    expect(
      parseRateLimitHeaders({
        'x-ratelimit-max': 'lots',
        'x-ratelimit-remaining': '5',
        'x-ratelimit-interval-milliseconds': '1000',
      }),
    ).toBeNull();
  });
});

describe('spec', () => {
  it('when building a path, then ids are URL-encoded and the Version matches the family', () => {
    expect(buildPath(ENDPOINTS.getNote, { contactId: 'a/b', id: 'n 1' })).toBe('contacts/a%2Fb/notes/n%201');
    expect(() => buildPath(getContact, {})).toThrow(/contactId/);
    expect(versionFor(ENDPOINTS.listAppointments.path)).toBe('2021-07-28');
    expect(versionFor('/calendars/events')).toBe('2021-04-15');
    expect(endpointLabel(ENDPOINTS.searchTasks)).toBe('POST /locations/{locationId}/tasks/search');
  });

  it('when only creates and add-tags are POSTs with side effects, then only they are non-idempotent', () => {
    const nonIdempotent = Object.entries(ENDPOINTS)
      .filter(([, spec]) => !spec.idempotent)
      .map(([name]) => name)
      .sort();
    expect(nonIdempotent).toEqual(['addTags', 'createContact', 'createNote', 'createTask']);
  });

  it('when the base URL lacks a trailing slash, then one is added so relative paths append', () => {
    expect(normaliseBaseUrl('http://127.0.0.1:4010')).toBe('http://127.0.0.1:4010/');
    expect(normaliseBaseUrl('https://example.test/api')).toBe('https://example.test/api/');
    expect(() => normaliseBaseUrl('ftp://x')).toThrow();
  });
});
