import { scheduleSync } from '../../../src/sync/sync-schedule.js';

describe('sync schedule', () => {
  test('when SYNC_SCHEDULE is 0 2 * * * in America/Chicago, then the next run is 02:00 Chicago time', () => {
    const schedule = scheduleSync({
      expression: '0 2 * * *',
      timezone: 'America/Chicago',
      fire: async () => undefined,
    });
    try {
      const next = schedule?.nextRun();
      expect(next).not.toBeNull();
      const local = new Intl.DateTimeFormat('en-US', {
        timeZone: 'America/Chicago',
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      }).format(next ?? undefined);
      expect(local).toBe('02:00');
    } finally {
      schedule?.stop();
    }
  });

  test('when SYNC_SCHEDULE is off, then nothing is scheduled', () => {
    expect(scheduleSync({ expression: 'off', timezone: 'UTC', fire: async () => undefined })).toBeNull();
  });
});
