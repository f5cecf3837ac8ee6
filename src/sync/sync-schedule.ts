/**
 * The nightly (SYNC_SCHEDULE, croner syntax, in SYNC_TIMEZONE) incremental sync. Each firing
 * gets a run id derived from the scheduled minute, so when every replica fires, the job is
 * queued once (the id is unique in both queues).
 */
import { Cron } from 'croner';

interface ScheduleOptions {
  expression: string;
  timezone: string;
  fire: (runId: string, scheduledAt: Date) => Promise<void>;
  onError?: (error: unknown) => void;
}

export interface SyncSchedule {
  nextRun(): Date | null;
  stop(): void;
}

export function scheduleSync(options: ScheduleOptions): SyncSchedule | null {
  if (options.expression.trim().toLowerCase() === 'off') return null;
  const job = new Cron(options.expression, { timezone: options.timezone, protect: true }, async (self: Cron) => {
    const at = self.currentRun() ?? new Date();
    const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
    try {
      await options.fire(`schedule-${minute.toISOString()}`, minute);
    } catch (error) {
      options.onError?.(error);
    }
  });
  return { nextRun: () => job.nextRun(), stop: () => job.stop() };
}
