/** A Clock whose time moves only when the test says so. */
import type { Clock } from '../../../src/ghl/clock.js';

interface Timer {
  at: number;
  callback: () => void;
  cancelled: boolean;
}

export class FakeClock implements Clock {
  private time: number;
  private timers: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(callback: () => void, ms: number): () => void {
    const timer: Timer = { at: this.time + ms, callback, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    // Let pending work schedule its timers at the current time first.
    await settle();
    const target = this.time + ms;
    for (;;) {
      const due = this.timers.filter((timer) => !timer.cancelled && timer.at <= target).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.time = Math.max(this.time, due.at);
      this.timers = this.timers.filter((timer) => timer !== due);
      due.callback();
      await settle();
    }
    this.time = target;
    await settle();
  }
}

/** Lets queued promise callbacks run. */
export async function settle(): Promise<void> {
  for (let index = 0; index < 10; index += 1) await Promise.resolve();
}
