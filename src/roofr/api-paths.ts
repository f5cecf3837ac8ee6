/**
 * The REST endpoints the adapter calls, by operation. Roofr publishes no API, so every path is an
 * assumption (docs/roofr-api.md); ROOFR_API_PATHS overrides any of them without a code change,
 * e.g. `{"jobs.archive": "PATCH /jobs/{jobId}/archived"}`.
 */
import { z } from 'zod';

export const DEFAULT_ROOFR_PATHS = {
  'customers.create': 'POST /customers',
  'customers.update': 'PATCH /customers/{customerId}',
  'customers.get': 'GET /customers/{customerId}',
  'customers.search': 'GET /customers',
  'customers.delete': 'DELETE /customers/{customerId}',
  'jobs.create': 'POST /jobs',
  'jobs.update': 'PATCH /jobs/{jobId}',
  'jobs.get': 'GET /jobs/{jobId}',
  'jobs.archive': 'POST /jobs/{jobId}/archive',
  'jobContacts.list': 'GET /jobs/{jobId}/contacts',
  'jobContacts.create': 'POST /jobs/{jobId}/contacts',
  'jobContacts.update': 'PATCH /jobs/{jobId}/contacts/{contactId}',
  'jobTasks.list': 'GET /jobs/{jobId}/tasks',
  'jobTasks.create': 'POST /jobs/{jobId}/tasks',
  'jobTasks.update': 'PATCH /jobs/{jobId}/tasks/{taskId}',
  'jobTasks.delete': 'DELETE /jobs/{jobId}/tasks/{taskId}',
  'jobNotes.list': 'GET /jobs/{jobId}/notes',
  'jobNotes.create': 'POST /jobs/{jobId}/notes',
  'jobNotes.update': 'PATCH /jobs/{jobId}/notes/{noteId}',
  'jobNotes.delete': 'DELETE /jobs/{jobId}/notes/{noteId}',
} as const;

export type RoofrEndpointName = keyof typeof DEFAULT_ROOFR_PATHS;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RoofrEndpoint {
  name: RoofrEndpointName;
  method: HttpMethod;
  /** Path template relative to ROOFR_API_BASE_URL, with `{param}` placeholders. */
  template: string;
}

export type RoofrPaths = Readonly<Record<RoofrEndpointName, RoofrEndpoint>>;

const endpointNames = Object.keys(DEFAULT_ROOFR_PATHS) as RoofrEndpointName[];
const routePattern = /^(GET|POST|PUT|PATCH|DELETE) (\/[^\s?#]*)$/;

export const RoofrPathOverridesSchema = z.record(z.string(), z.string()).superRefine((overrides, context) => {
  for (const [name, route] of Object.entries(overrides)) {
    if (!endpointNames.includes(name as RoofrEndpointName)) {
      context.addIssue({
        code: 'custom',
        path: [name],
        message: `unknown endpoint; expected one of ${endpointNames.join(', ')}`,
      });
      continue;
    }
    const match = routePattern.exec(route);
    if (!match) {
      context.addIssue({
        code: 'custom',
        path: [name],
        message: 'expected "METHOD /path/{param}", e.g. "PATCH /jobs/{jobId}"',
      });
      continue;
    }
    for (const param of placeholders(DEFAULT_ROOFR_PATHS[name as RoofrEndpointName])) {
      if (!route.includes(`{${param}}`)) {
        context.addIssue({ code: 'custom', path: [name], message: `the path must contain {${param}}` });
      }
    }
  }
});
export type RoofrPathOverrides = z.infer<typeof RoofrPathOverridesSchema>;

function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
}

function parseRoute(name: RoofrEndpointName, route: string): RoofrEndpoint {
  const match = routePattern.exec(route);
  if (!match || match[1] === undefined || match[2] === undefined)
    throw new Error(`Invalid Roofr route for ${name}: ${route}`);
  return { name, method: match[1] as HttpMethod, template: match[2] };
}

/** Defaults overlaid with validated overrides (throws a ZodError naming the bad entry). */
export function resolveRoofrPaths(overrides: Record<string, string> = {}): RoofrPaths {
  const valid = RoofrPathOverridesSchema.parse(overrides);
  const merged = { ...DEFAULT_ROOFR_PATHS, ...valid } as Record<RoofrEndpointName, string>;
  return Object.freeze(
    Object.fromEntries(endpointNames.map((name) => [name, parseRoute(name, merged[name])])) as Record<
      RoofrEndpointName,
      RoofrEndpoint
    >,
  );
}

/** Fills `{param}` placeholders with URL-encoded values; a missing value is a programming error. */
export function fillTemplate(template: string, params: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_whole, param: string) => {
    const value = params[param];
    if (value === undefined) throw new Error(`Missing path parameter ${param} for ${template}`);
    return encodeURIComponent(value);
  });
}
