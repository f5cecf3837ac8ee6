/**
 * A tiny fetch wrapper for talking to the GHL simulator in tests: GHL's headers by default,
 * JSON in and out, status and headers kept for assertions.
 */
import type { GhlSimulator } from '../../src/simulators/ghl/index.js';

interface SimCallOptions {
  body?: unknown;
  /** Bearer token; default the simulator's demo token. null sends no Authorization header. */
  token?: string | null;
  /** Version header; default 2021-07-28. null sends none. */
  version?: string | null;
  headers?: Record<string, string>;
  form?: Record<string, string>;
}

export interface SimResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function callSim<T = Record<string, unknown>>(
  sim: GhlSimulator,
  method: string,
  path: string,
  options: SimCallOptions = {},
): Promise<SimResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? sim.demoToken : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const version = options.version === undefined ? '2021-07-28' : options.version;
  if (version !== null) headers.version = version;
  let body: string | undefined;
  if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${sim.url}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let parsed: unknown = null;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export interface ContactJson {
  id: string;
  locationId: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  tags: string[];
  businessId?: string;
  dateAdded: string;
  dateUpdated: string;
  searchAfter?: Array<string | number>;
  customFields: Array<{ id: string; value: unknown }>;
}
