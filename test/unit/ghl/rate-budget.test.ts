import { GhlBudgetReserveError } from '../../../src/ghl/errors.js';
import type { Lane } from '../../../src/ghl/ghl-api.js';
import { InMemoryRateBudget } from '../../../src/ghl/rate-budget.js';
import type { RateLimitHeaders } from '../../../src/ghl/rate-limit-headers.js';
import { FakeClock, settle } from './fake-clock.js';

const LOCATION = 'loc-1';
const endpoint = 'GET /contacts/{contactId}';

function headers(partial: Partial<RateLimitHeaders> = {}): RateLimitHeaders {
  return { burstMax: 10, burstRemaining: 10, intervalMs: 1000, dailyMax: 200_000, dailyRemaining: 150_000, ...partial };
}

function setup(options: { share?: number; reserve?: number } = {}) {
  const clock = new FakeClock();
  const budget = new InMemoryRateBudget({
    dailyReserve: options.reserve ?? 0,
    interactiveShare: options.share ?? 0,
    clock,
    minMarginMs: 50,
    marginRatio: 0,
  });
  const granted: Array<{ label: string; at: number }> = [];
  const failures: Array<{ label: string; error: unknown }> = [];
  const request = (label: string, lane: Lane = 'interactive', signal?: AbortSignal): Promise<void> =>
    budget.acquire(LOCATION, lane, { endpoint, signal }).then(
      () => {
        granted.push({ label, at: clock.now() });
      },
      (error: unknown) => {
        failures.push({ label, error });
      },
    );
  return { clock, budget, granted, failures, request };
}

describe('InMemoryRateBudget', () => {
  it('when no response has told the limits yet, then only one probe is in flight until it is recorded', async () => {
    const { budget, granted, request } = setup();
    void request('a');
    void request('b');
    await settle();
    expect(granted.map((g) => g.label)).toEqual(['a']);
    expect(budget.snapshot(LOCATION)).toMatchObject({ limitsKnown: false, queued: { interactive: 1, background: 0 } });
    budget.record(LOCATION, null);
    await settle();
    expect(granted.map((g) => g.label)).toEqual(['a', 'b']);
  });

  it('when the window is used up, then the next caller waits until the oldest grant leaves interval + margin', async () => {
    const { clock, budget, granted, request } = setup();
    void request('probe');
    await settle();
    budget.record(LOCATION, headers({ burstMax: 3, burstRemaining: 2 }));
    for (const label of ['b', 'c', 'd']) void request(label);
    await settle();
    expect(granted.map((g) => g.label)).toEqual(['probe', 'b', 'c']);
    await clock.advance(1049);
    expect(granted).toHaveLength(3);
    await clock.advance(1);
    expect(granted.map((g) => g.label)).toEqual(['probe', 'b', 'c', 'd']);
  });

  it('when many callers run for several windows, then no span of interval + margin holds more than max grants', async () => {
    const { clock, budget, granted, request } = setup();
    void request('probe');
    await settle();
    budget.record(LOCATION, headers({ burstMax: 5 }));
    for (let index = 0; index < 40; index += 1) void request(`r${index}`);
    for (let step = 0; step < 400; step += 1) {
      await clock.advance(37);
      budget.record(LOCATION, headers({ burstMax: 5 }));
    }
    expect(granted).toHaveLength(41);
    const times = granted.map((g) => g.at);
    for (let index = 5; index < times.length; index += 1) {
      expect((times[index] ?? 0) - (times[index - 5] ?? 0)).toBeGreaterThanOrEqual(1050);
    }
    // FIFO: callers were served in arrival order.
    expect(granted.slice(1).map((g) => g.label)).toEqual(Array.from({ length: 40 }, (_, index) => `r${index}`));
  });

  it('when background work fills its share, then the interactive share stays free for interactive callers', async () => {
    const { budget, granted, request } = setup({ share: 0.3 });
    budget.record(LOCATION, headers({ burstMax: 10 }));
    for (let index = 0; index < 10; index += 1) void request(`bg${index}`, 'background');
    await settle();
    expect(granted).toHaveLength(7);
    for (let index = 0; index < 3; index += 1) void request(`ui${index}`, 'interactive');
    await settle();
    expect(granted.map((g) => g.label).slice(7)).toEqual(['ui0', 'ui1', 'ui2']);
    expect(budget.snapshot(LOCATION).queued).toEqual({ interactive: 0, background: 3 });
  });

  it('when interactive callers are queued, then background callers wait behind them', async () => {
    const { clock, budget, granted, request } = setup({ share: 0.3 });
    budget.record(LOCATION, headers({ burstMax: 10 }));
    for (let index = 0; index < 10; index += 1) void request(`ui${index}`);
    await settle();
    void request('bg', 'background');
    void request('ui-late');
    await settle();
    expect(granted).toHaveLength(10);
    await clock.advance(1050);
    expect(granted.slice(10).map((g) => g.label)).toEqual(['ui-late', 'bg']);
  });

  it('when only the daily reserve is left, then a caller is refused with GhlBudgetReserveError instead of spending it', async () => {
    const { budget, granted, failures, request } = setup({ reserve: 2 });
    budget.record(LOCATION, headers({ dailyRemaining: 3 }));
    await request('spends-one');
    await request('refused');
    expect(granted.map((g) => g.label)).toEqual(['spends-one']);
    const failure = failures[0];
    expect(failure?.error).toBeInstanceOf(GhlBudgetReserveError);
    expect(failure?.error).toMatchObject({ dailyRemaining: 2, reserve: 2, endpoint });
    expect(budget.canAfford(LOCATION, 1, 'interactive').ok).toBe(false);
  });

  it('when a 429 pauses the location, then nobody is granted until the pause ends', async () => {
    const { clock, budget, granted, request } = setup();
    budget.record(LOCATION, headers());
    budget.pause(LOCATION, 500);
    void request('after-pause');
    await clock.advance(499);
    expect(granted).toHaveLength(0);
    await clock.advance(1);
    expect(granted).toHaveLength(1);
  });

  it("when a 429 arrives anyway, then that location's margin widens (doubling, at most a tenth of the interval) so the window is spread wider", async () => {
    const { clock, budget, granted, request } = setup();
    void request('probe');
    await settle();
    budget.record(LOCATION, headers({ burstMax: 1, burstRemaining: 0 }));
    budget.pause(LOCATION, 0);
    void request('next');
    // interval 1000 + configured 50 + learnt 50: the probe's grant leaves the span after 1100 ms.
    await clock.advance(1099);
    expect(granted.map((g) => g.label)).toEqual(['probe']);
    await clock.advance(1);
    expect(granted.map((g) => g.label)).toEqual(['probe', 'next']);
    for (let pause = 0; pause < 5; pause += 1) budget.pause(LOCATION, 0);
    void request('capped');
    // Learnt margin capped at 100 ms (a tenth of the interval): 1000 + 50 + 100 after 'next'.
    await clock.advance(1149);
    expect(granted).toHaveLength(2);
    await clock.advance(1);
    expect(granted.map((g) => g.label)).toEqual(['probe', 'next', 'capped']);
  });

  it('when callers are already waiting, then an estimate counts them ahead of the new calls', async () => {
    const { budget, request } = setup();
    void request('probe');
    await settle();
    budget.record(LOCATION, headers({ burstMax: 2, burstRemaining: 1 }));
    void request('b');
    for (const label of ['c', 'd', 'e']) void request(label);
    await settle();
    expect(budget.snapshot(LOCATION).queued.interactive).toBe(3);
    // 3 waiting + 1 new = 4 beyond a full window of 2: two more windows of 1050 ms.
    expect(budget.canAfford(LOCATION, 1, 'interactive')).toMatchObject({ ok: true, waitMs: 2100 });
  });

  it('when GHL reports more usage than this process sent, then the cap shrinks by the difference for one interval', async () => {
    const { clock, budget, granted, request } = setup();
    budget.record(LOCATION, headers({ burstMax: 10, burstRemaining: 4 }));
    for (let index = 0; index < 6; index += 1) void request(`r${index}`);
    await settle();
    expect(granted).toHaveLength(4);
    expect(budget.snapshot(LOCATION)).toMatchObject({ burstMax: 10, burstRemaining: 0 });
    await clock.advance(1000);
    expect(granted).toHaveLength(6);
  });

  it('when a waiting caller aborts, then it is rejected and leaves the queue', async () => {
    const { budget, failures, request } = setup();
    void request('probe');
    const controller = new AbortController();
    void request('aborted', 'interactive', controller.signal);
    await settle();
    expect(budget.snapshot(LOCATION).queued.interactive).toBe(1);
    controller.abort(new Error('caller gave up'));
    await settle();
    expect(budget.snapshot(LOCATION).queued.interactive).toBe(0);
    expect(failures.map((f) => f.label)).toEqual(['aborted']);
  });

  it('when asked for a snapshot and an estimate, then they reflect headers, grants and the lane', async () => {
    const { budget, request } = setup({ share: 0.5, reserve: 100 });
    budget.record(LOCATION, headers({ burstMax: 10, dailyMax: 1000, dailyRemaining: 500 }));
    await request('one');
    expect(budget.snapshot(LOCATION)).toMatchObject({
      limitsKnown: true,
      burstMax: 10,
      burstRemaining: 9,
      intervalMs: 1000,
      dailyMax: 1000,
      dailyRemaining: 499,
      dailyReserve: 100,
    });
    expect(budget.snapshot(LOCATION).resetInMs).toBe(1050);
    expect(budget.canAfford(LOCATION, 4, 'background')).toMatchObject({ ok: true, waitMs: 0 });
    expect(budget.canAfford(LOCATION, 12, 'background')).toMatchObject({ ok: true, waitMs: 2 * 1050 });
    expect(budget.canAfford(LOCATION, 400, 'interactive').ok).toBe(false);
  });
});
