/**
 * HighLevel's answers → the upstream error family (the classifier the request loop calls for a
 * non-2xx; network failures and timeouts are classified by the loop itself). GHL quirks (docs/ghl-facts.md): an unknown id answers 400
 * "... not found", not 404; a missing scope answers 401 "not authorized for this scope"; 422
 * carries `message` as an array. Only GHL's validation messages are kept (they name fields);
 * no other upstream body is carried onward.
 */
import {
  GhlContractError,
  GhlMissingScopeError,
  GhlNotFoundError,
  GhlRateLimitedError,
  GhlUnauthorizedError,
  GhlUnavailableError,
  GhlValidationError,
  type GhlError,
} from './errors.js';
import { ErrorBodyDto } from './schemas.js';
import { endpointLabel, type EndpointSpec } from './spec.js';

const MAX_MESSAGE_LENGTH = 300;

function messagesOf(bodyText: string): string[] {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return [];
  }
  const parsed = ErrorBodyDto.safeParse(body);
  if (!parsed.success || parsed.data.message === undefined || parsed.data.message === null) return [];
  const list = Array.isArray(parsed.data.message) ? parsed.data.message : [parsed.data.message];
  return list.filter((message) => message.trim() !== '').map((message) => message.slice(0, MAX_MESSAGE_LENGTH));
}

interface HttpOutcome {
  status: number;
  bodyText: string;
  /** From Retry-After or, failing that, the budget's interval: how long a 429 asks us to wait. */
  retryAfterMs: number;
}

/** The error of a non-2xx response. */
export function errorFromResponse(spec: EndpointSpec, outcome: HttpOutcome): GhlError {
  const endpoint = endpointLabel(spec);
  const { status } = outcome;
  const messages = messagesOf(outcome.bodyText);
  const joined = messages.join(' ').toLowerCase();
  if (status === 404 || (status === 400 && joined.includes('not found'))) {
    return new GhlNotFoundError(endpoint, messages[0] ?? `HighLevel found nothing at ${endpoint}`);
  }
  if (status === 401 && joined.includes('not authorized for this scope')) {
    return new GhlMissingScopeError(endpoint, spec.scope);
  }
  if (status === 401 || status === 403) {
    return new GhlUnauthorizedError(
      endpoint,
      `HighLevel refused the token for ${endpoint} (${status}): re-authorise the location or check the token`,
      { status },
    );
  }
  if (status === 429) return new GhlRateLimitedError(endpoint, outcome.retryAfterMs);
  if (status >= 500) return new GhlUnavailableError(endpoint, status);
  if (status >= 400)
    return new GhlValidationError(endpoint, messages.length > 0 ? messages : [`HTTP ${status}`], status);
  // 1xx/3xx reaching us means a redirect or protocol surprise we do not follow.
  return new GhlContractError(endpoint, '', `unexpected HTTP status ${status}`);
}
