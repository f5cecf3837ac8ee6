/**
 * The simulated Roofr REST API: exactly the shape src/roofr/rest-adapter.ts assumes and
 * docs/roofr-api.md describes (`{data}` envelopes, `per_page`/`page` paging with `links.next`,
 * 404 `{message}`, 422 `{message, errors}`).
 */
import type { z } from 'zod';
import type { RoofrSimStore } from './store.js';
import {
  CustomerBodySchema,
  fieldErrors,
  JobContactCreateBodySchema,
  JobContactUpdateBodySchema,
  JobCreateBodySchema,
  JobNoteCreateBodySchema,
  JobNoteUpdateBodySchema,
  JobTaskCreateBodySchema,
  JobTaskUpdateBodySchema,
  JobUpdateBodySchema,
} from './validation.js';

interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Absolute URL of this request without query, for `links.next`. */
  selfUrl: string;
}

export interface RouteResult {
  status: number;
  body: unknown;
}

interface Route {
  method: string;
  /** "/v1/jobs/{jobId}" */
  template: string;
  pattern: RegExp;
  paramNames: string[];
  handle(context: RouteContext): RouteResult;
}

export function compileRoute(method: string, template: string, handle: (context: RouteContext) => RouteResult): Route {
  const paramNames: string[] = [];
  const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_whole, name: string) => {
    paramNames.push(name);
    return '([^/]+)';
  });
  return { method, template, pattern: new RegExp(`^${source}$`), paramNames, handle };
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    route.paramNames.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1] ?? '');
    });
    return { route, params };
  }
  return null;
}

const notFound = (what: string): RouteResult => ({ status: 404, body: { message: `${what} not found.` } });
const invalid = (errors: Record<string, string[]>): RouteResult => ({
  status: 422,
  body: { message: 'The given data was invalid.', errors },
});

function validate<T>(schema: z.ZodType<T>, body: unknown): { ok: true; value: T } | { ok: false; result: RouteResult } {
  const parsed = schema.safeParse(body ?? {});
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, result: invalid(fieldErrors(parsed.error)) };
}

function page<T>(items: T[], context: RouteContext): RouteResult {
  const perPage = Math.min(100, Math.max(1, Number(context.query.get('per_page') ?? 25) || 25));
  const current = Math.max(1, Number(context.query.get('page') ?? 1) || 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  let next: string | null = null;
  if (current < lastPage) {
    const url = new URL(context.selfUrl);
    context.query.forEach((value, key) => url.searchParams.set(key, value));
    url.searchParams.set('page', String(current + 1));
    url.searchParams.set('per_page', String(perPage));
    next = url.toString();
  }
  return {
    status: 200,
    body: {
      data: items.slice((current - 1) * perPage, current * perPage),
      links: { next },
      meta: { current_page: current, last_page: lastPage, per_page: perPage, total: items.length },
    },
  };
}

export function apiRoutes(store: RoofrSimStore, basePath: string): Route[] {
  const jobOr404 = (jobId: string) => store.jobs.get(jobId) ?? null;
  const route = (method: string, template: string, handle: (context: RouteContext) => RouteResult) =>
    compileRoute(method, `${basePath}${template}`, handle);

  return [
    route('POST', '/customers', ({ body }) => {
      const input = validate(CustomerBodySchema, body);
      if (!input.ok) return input.result;
      return { status: 201, body: { data: store.createCustomer(input.value) } };
    }),
    route('GET', '/customers', (context) => {
      const email = context.query.get('email') ?? undefined;
      const phone = context.query.get('phone') ?? undefined;
      const found = store.findCustomers({
        ...(email === undefined ? {} : { email }),
        ...(phone === undefined ? {} : { phone }),
      });
      return page(found, context);
    }),
    route('GET', '/customers/{customerId}', ({ params }) => {
      const customer = store.customers.get(params.customerId ?? '');
      return customer ? { status: 200, body: { data: customer } } : notFound('Customer');
    }),
    route('PATCH', '/customers/{customerId}', ({ params, body }) => {
      const input = validate(CustomerBodySchema, body);
      if (!input.ok) return input.result;
      const customer = store.updateCustomer(params.customerId ?? '', input.value);
      return customer ? { status: 200, body: { data: customer } } : notFound('Customer');
    }),
    route('DELETE', '/customers/{customerId}', ({ params }) =>
      store.deleteCustomer(params.customerId ?? '') ? { status: 204, body: null } : notFound('Customer'),
    ),

    route('POST', '/jobs', ({ body }) => {
      const input = validate(JobCreateBodySchema, body);
      if (!input.ok) return input.result;
      const { customer_id: customerId, ...fields } = input.value;
      if (!store.customers.has(customerId)) return invalid({ customer_id: ['The selected customer id is invalid.'] });
      return { status: 201, body: { data: store.createJob(customerId, fields) } };
    }),
    route('GET', '/jobs/{jobId}', ({ params }) => {
      const job = jobOr404(params.jobId ?? '');
      return job ? { status: 200, body: { data: job } } : notFound('Job');
    }),
    route('PATCH', '/jobs/{jobId}', ({ params, body }) => {
      const input = validate(JobUpdateBodySchema, body);
      if (!input.ok) return input.result;
      if (input.value.customer_id !== undefined && !store.customers.has(input.value.customer_id)) {
        return invalid({ customer_id: ['The selected customer id is invalid.'] });
      }
      const job = store.updateJob(params.jobId ?? '', input.value);
      return job ? { status: 200, body: { data: job } } : notFound('Job');
    }),
    route('POST', '/jobs/{jobId}/archive', ({ params }) => {
      const job = store.updateJob(params.jobId ?? '', { archived: true });
      return job ? { status: 200, body: { data: job } } : notFound('Job');
    }),

    route('GET', '/jobs/{jobId}/contacts', (context) => {
      const jobId = context.params.jobId ?? '';
      return jobOr404(jobId) ? page(store.childrenOf(store.jobContacts, jobId), context) : notFound('Job');
    }),
    route('POST', '/jobs/{jobId}/contacts', ({ params, body }) => {
      const jobId = params.jobId ?? '';
      if (!jobOr404(jobId)) return notFound('Job');
      const input = validate(JobContactCreateBodySchema, body);
      if (!input.ok) return input.result;
      return { status: 201, body: { data: store.createJobContact(jobId, input.value) } };
    }),
    route('PATCH', '/jobs/{jobId}/contacts/{contactId}', ({ params, body }) => {
      const input = validate(JobContactUpdateBodySchema, body);
      if (!input.ok) return input.result;
      const contact = store.updateJobContact(params.jobId ?? '', params.contactId ?? '', input.value);
      return contact ? { status: 200, body: { data: contact } } : notFound('Job contact');
    }),

    route('GET', '/jobs/{jobId}/tasks', (context) => {
      const jobId = context.params.jobId ?? '';
      return jobOr404(jobId) ? page(store.childrenOf(store.jobTasks, jobId), context) : notFound('Job');
    }),
    route('POST', '/jobs/{jobId}/tasks', ({ params, body }) => {
      const jobId = params.jobId ?? '';
      if (!jobOr404(jobId)) return notFound('Job');
      const input = validate(JobTaskCreateBodySchema, body);
      if (!input.ok) return input.result;
      return { status: 201, body: { data: store.createJobTask(jobId, input.value) } };
    }),
    route('PATCH', '/jobs/{jobId}/tasks/{taskId}', ({ params, body }) => {
      const input = validate(JobTaskUpdateBodySchema, body);
      if (!input.ok) return input.result;
      const task = store.updateJobTask(params.jobId ?? '', params.taskId ?? '', input.value);
      return task ? { status: 200, body: { data: task } } : notFound('Job task');
    }),
    route('DELETE', '/jobs/{jobId}/tasks/{taskId}', ({ params }) =>
      store.deleteChild(store.jobTasks, params.jobId ?? '', params.taskId ?? '')
        ? { status: 204, body: null }
        : notFound('Job task'),
    ),

    route('GET', '/jobs/{jobId}/notes', (context) => {
      const jobId = context.params.jobId ?? '';
      return jobOr404(jobId) ? page(store.childrenOf(store.jobNotes, jobId), context) : notFound('Job');
    }),
    route('POST', '/jobs/{jobId}/notes', ({ params, body }) => {
      const jobId = params.jobId ?? '';
      if (!jobOr404(jobId)) return notFound('Job');
      const input = validate(JobNoteCreateBodySchema, body);
      if (!input.ok) return input.result;
      return { status: 201, body: { data: store.createJobNote(jobId, input.value) } };
    }),
    route('PATCH', '/jobs/{jobId}/notes/{noteId}', ({ params, body }) => {
      const input = validate(JobNoteUpdateBodySchema, body);
      if (!input.ok) return input.result;
      const note = store.updateJobNote(params.jobId ?? '', params.noteId ?? '', input.value);
      return note ? { status: 200, body: { data: note } } : notFound('Job note');
    }),
    route('DELETE', '/jobs/{jobId}/notes/{noteId}', ({ params }) =>
      store.deleteChild(store.jobNotes, params.jobId ?? '', params.noteId ?? '')
        ? { status: 204, body: null }
        : notFound('Job note'),
    ),
  ];
}
