import { EventTasksConfigError, parseEventTasks } from '../../../src/sync/event-tasks.js';

describe('SYNC_EVENT_TASKS', () => {
  test('when it names a Roofr event with a title, then the due offset defaults to one day', () => {
    expect(parseEventTasks('{"proposal.signed":{"title":"Schedule the install"}}')).toEqual({
      'proposal.signed': { title: 'Schedule the install', dueInDays: 1 },
    });
  });

  test('when it names an unknown event or is not JSON, then start-up fails naming the problem', () => {
    expect(() => parseEventTasks('{"proposal.lost":{"title":"x"}}')).toThrow(EventTasksConfigError);
    expect(() => parseEventTasks('nope')).toThrow('SYNC_EVENT_TASKS is invalid: not JSON');
  });
});
