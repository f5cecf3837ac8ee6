/**
 * Scripted Roofr happenings for demos and tests: each changes the simulated data the way Roofr
 * would and fires the matching webhook (the Zapier-forwarded triggers Roofr Lead Created, Job
 * Workflow Stage Changed and Proposal Signed): exactly one webhook each, whether or not autoEmit
 * is on.
 */
import { randomUUID } from 'node:crypto';
import type { RoofrCustomer, RoofrJob } from '../../roofr/types.js';
import type { RoofrSimStore } from './store.js';
import type { RoofrWebhookSender, WebhookDelivery } from './webhooks.js';

interface LeadInput {
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
}

export class RoofrSimEvents {
  constructor(
    private readonly store: RoofrSimStore,
    private readonly webhooks: RoofrWebhookSender,
  ) {}

  /** An Instant Estimator lead: a customer and a job in "New Incoming Leads", then lead.created. */
  async leadCreated(input: LeadInput): Promise<{ customer: RoofrCustomer; job: RoofrJob; delivery: WebhookDelivery }> {
    const lead = {
      first_name: null,
      last_name: null,
      email: null,
      phone: null,
      address: null,
      ...input,
      source: 'Instant Estimator',
    };
    const { customer, job } = this.webhooks.withoutAutoEmit(() => {
      const created = this.store.createCustomer({
        first_name: lead.first_name,
        last_name: lead.last_name,
        email: lead.email,
        phone: lead.phone,
        address: { street: lead.address },
      });
      return {
        customer: created,
        job: this.store.createJob(created.id, {
          name: [lead.first_name, lead.last_name].filter(Boolean).join(' ') || null,
          lead_source: 'Instant Estimator',
        }),
      };
    });
    const delivery = await this.webhooks.fire('lead.created', { lead, customer, job });
    return { customer, job, delivery };
  }

  /** A card moved on the Job Board. */
  async stageChanged(jobId: string, stage: string): Promise<{ job: RoofrJob; delivery: WebhookDelivery }> {
    const previous = this.store.jobs.get(jobId);
    if (!previous) throw new Error(`No simulated job ${jobId}`);
    const job = this.webhooks.withoutAutoEmit(() => this.store.updateJob(jobId, { workflow_stage: stage })) ?? previous;
    const delivery = await this.webhooks.fire('job.stage_changed', {
      job,
      previous_stage: previous.workflow_stage,
      stage,
    });
    return { job, delivery };
  }

  /** The homeowner signed: the job moves to "Won Jobs" and proposal.signed fires. */
  async proposalSigned(jobId: string, total: number): Promise<{ job: RoofrJob; delivery: WebhookDelivery }> {
    const existing = this.store.jobs.get(jobId);
    if (!existing) throw new Error(`No simulated job ${jobId}`);
    const job =
      this.webhooks.withoutAutoEmit(() => this.store.updateJob(jobId, { workflow_stage: 'Won Jobs' })) ?? existing;
    const proposal = { id: `prop_${randomUUID()}`, job_id: jobId, total, signed_at: new Date().toISOString() };
    const delivery = await this.webhooks.fire('proposal.signed', { proposal, job });
    return { job, delivery };
  }
}
