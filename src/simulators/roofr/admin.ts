/**
 * /__admin/*: the Roofr simulator's control surface over HTTP (JSON), for processes that cannot
 * use the programmatic API (`npm run simulate`, the fault suite): faults (settings and counted
 * ones), the request log, the stored records page by page, webhook target, deliveries and
 * scripted Roofr happenings. Bodies and queries are parsed with zod; admin calls bypass auth,
 * faults, the rate limit and the request log.
 */
import { z } from 'zod';
import { ROOFR_WEBHOOK_EVENTS } from '../../roofr/webhook-signature.js';
import { mulberry32 } from '../prng.js';
import type { RoofrSimEvents } from './events.js';
import type { RoofrFaults } from './faults.js';
import type { RoofrRequestLog } from './request-log.js';
import type { RoofrSimStore } from './store.js';
import { fieldErrors } from './validation.js';
import type { RoofrWebhookSender } from './webhooks.js';

const FaultSettingsPatchSchema = z
  .strictObject({
    latencyMs: z.number().int().min(0),
    errorRate: z.number().min(0).max(1),
    errorStatus: z.number().int().min(500).max(599),
    force429: z.boolean(),
    retryAfterSeconds: z.number().min(0),
    hang: z.boolean(),
    hangRate: z.number().min(0).max(1),
    reset: z.boolean(),
  })
  .partial();
const CountedFaultSchema = z.strictObject({
  kind: z.enum(['error', 'rate-limit', 'hang', 'reset']),
  count: z.number().int().min(1).max(100_000),
  /** The 5xx of `error`, or Retry-After seconds of `rate-limit`. */
  status: z.number().int().min(500).max(599).optional(),
  retryAfterSeconds: z.number().min(0).optional(),
});
const WebhookTargetSchema = z.object({ url: z.url(), secret: z.string().min(1), autoEmit: z.boolean().optional() });
const FireWebhookSchema = z.object({
  event: z.enum(ROOFR_WEBHOOK_EVENTS),
  data: z.record(z.string(), z.unknown()).default({}),
});
const RecordKinds = {
  customers: (data: RoofrSimStore) => data.customers,
  jobs: (data: RoofrSimStore) => data.jobs,
  tasks: (data: RoofrSimStore) => data.jobTasks,
  notes: (data: RoofrSimStore) => data.jobNotes,
} as const;
const RecordsQuerySchema = z.strictObject({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});
/** No jobId: a job picked at random (seeded) among those that mirror a HighLevel record. */
const StageChangeSchema = z.strictObject({ jobId: z.string().min(1).optional(), stage: z.string().min(1) });
const ProposalSchema = z.strictObject({ jobId: z.string().min(1).optional(), total: z.number().min(0) });

interface RoofrAdminDeps {
  data: RoofrSimStore;
  faults: RoofrFaults;
  log: RoofrRequestLog;
  webhooks: RoofrWebhookSender;
  events: RoofrSimEvents;
  seed: number;
}

interface AdminAnswer {
  status: number;
  body: unknown;
}

const ok = (body: unknown): AdminAnswer => ({ status: 200, body });
const invalid = (message: string, error: z.ZodError): AdminAnswer => ({
  status: 422,
  body: { message, errors: fieldErrors(error) },
});

export function createRoofrAdmin(
  deps: RoofrAdminDeps,
): (method: string, url: URL, raw: string) => AdminAnswer | Promise<AdminAnswer> {
  const { data, faults, log, webhooks, events } = deps;
  const random = mulberry32(deps.seed ^ 0xad);

  function mirroredJob(jobId: string | undefined): string | null {
    if (jobId !== undefined) return data.jobs.has(jobId) ? jobId : null;
    const candidates = [...data.jobs.values()].filter((job) => job.external_ref?.startsWith('ghl:contact:'));
    return candidates[Math.floor(random() * candidates.length)]?.id ?? null;
  }

  return (method, url, raw) => {
    let body: unknown = {};
    try {
      body = raw.length > 0 ? JSON.parse(raw) : {};
    } catch {
      return { status: 400, body: { message: 'The body is not valid JSON.' } };
    }
    const path = url.pathname.replace(/\/+$/, '');
    const route = `${method} ${path}`;
    if (route === 'GET /__admin/log') return ok({ counts: log.counts(), entries: log.entries.slice(-200) });
    if (route === 'GET /__admin/data')
      return ok({
        customers: data.customers.size,
        jobs: data.jobs.size,
        tasks: data.jobTasks.size,
        notes: data.jobNotes.size,
      });
    const records = /^GET \/__admin\/records\/(customers|jobs|tasks|notes)$/.exec(route);
    if (records?.[1] !== undefined) {
      const query = RecordsQuerySchema.safeParse(Object.fromEntries(url.searchParams));
      if (!query.success) return invalid('invalid paging', query.error);
      const all = [...RecordKinds[records[1] as keyof typeof RecordKinds](data).values()];
      return ok({ total: all.length, data: all.slice(query.data.offset, query.data.offset + query.data.limit) });
    }
    if (route === 'GET /__admin/faults') return ok({ faults: faults.settings, pending: faults.pending() });
    if (route === 'POST /__admin/faults') {
      const parsed = FaultSettingsPatchSchema.safeParse(body);
      if (!parsed.success) return invalid('invalid fault settings', parsed.error);
      faults.set(parsed.data);
      return ok({ faults: faults.settings });
    }
    if (route === 'POST /__admin/faults/next') {
      const parsed = CountedFaultSchema.safeParse(body);
      if (!parsed.success) return invalid('invalid counted fault', parsed.error);
      const { kind, count, status, retryAfterSeconds } = parsed.data;
      if (kind === 'error') faults.failNext(count, status);
      if (kind === 'rate-limit') faults.rateLimitNext(count, retryAfterSeconds);
      if (kind === 'hang') faults.hangNext(count);
      if (kind === 'reset') faults.resetNext(count);
      return ok({ faults: faults.settings, pending: faults.pending() });
    }
    if (route === 'DELETE /__admin/faults') {
      faults.clear();
      return ok({ faults: faults.settings });
    }
    if (route === 'POST /__admin/webhooks') {
      const parsed = WebhookTargetSchema.safeParse(body);
      if (!parsed.success) return invalid('invalid webhook target', parsed.error);
      webhooks.configure(parsed.data);
      return ok({ configured: true });
    }
    if (route === 'GET /__admin/webhooks/deliveries') return ok({ deliveries: webhooks.deliveries });
    if (route === 'POST /__admin/webhooks/fire') {
      const parsed = FireWebhookSchema.safeParse(body);
      if (!parsed.success) return invalid('invalid event', parsed.error);
      return webhooks.fire(parsed.data.event, parsed.data.data).then(ok);
    }
    if (route === 'POST /__admin/events/stage-changed') {
      const parsed = StageChangeSchema.safeParse(body);
      if (!parsed.success) return invalid('invalid stage change', parsed.error);
      const jobId = mirroredJob(parsed.data.jobId);
      if (jobId === null) return { status: 404, body: { message: 'No such job (or no job mirrors HighLevel yet).' } };
      return events.stageChanged(jobId, parsed.data.stage).then(({ job, delivery }) => ok({ job, delivery }));
    }
    if (route === 'POST /__admin/events/proposal-signed') {
      const parsed = ProposalSchema.safeParse(body);
      if (!parsed.success) return invalid('invalid proposal', parsed.error);
      const jobId = mirroredJob(parsed.data.jobId);
      if (jobId === null) return { status: 404, body: { message: 'No such job (or no job mirrors HighLevel yet).' } };
      return events.proposalSigned(jobId, parsed.data.total).then(({ job, delivery }) => ok({ job, delivery }));
    }
    return { status: 404, body: { message: 'unknown simulator admin route' } };
  };
}
