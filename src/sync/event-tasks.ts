/** SYNC_EVENT_TASKS: which Roofr events create a HighLevel task, parsed once at start. */
import { z } from 'zod';
import { ROOFR_WEBHOOK_EVENTS } from '../roofr/webhook-signature.js';

const EventTaskSchema = z.object({
  title: z.string().min(1).max(200),
  dueInDays: z.number().int().min(0).max(365).default(1),
  body: z.string().optional(),
});

export const EventTasksSchema = z.partialRecord(z.enum(ROOFR_WEBHOOK_EVENTS), EventTaskSchema);
export type EventTasks = z.infer<typeof EventTasksSchema>;

export class EventTasksConfigError extends Error {
  constructor(detail: string) {
    super(
      `SYNC_EVENT_TASKS is invalid: ${detail}. Example: {"proposal.signed":{"title":"Proposal signed: schedule the install","dueInDays":2}}`,
    );
    this.name = 'EventTasksConfigError';
  }
}

export function parseEventTasks(text: string): EventTasks {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EventTasksConfigError('not JSON');
  }
  const parsed = EventTasksSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EventTasksConfigError(`${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unexpected shape'}`);
  }
  return parsed.data;
}
