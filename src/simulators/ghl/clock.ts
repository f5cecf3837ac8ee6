/**
 * The simulator's notion of "now". Tests advance it instead of sleeping, so token expiry and
 * rate-limit windows are exercised without timing assumptions.
 */
export class SimClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the simulator's time forward (never backwards: windows and expiries only grow older). */
  advance(ms: number): void {
    if (ms < 0) throw new Error('SimClock.advance: ms must be >= 0');
    this.offsetMs += ms;
  }
}
