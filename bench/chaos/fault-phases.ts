/**
 * The fault timeline of a run, as fractions of the load's duration so the short run is the full
 * one compressed. HighLevel goes through one fault at a time after a healthy lead-in (20 % 5xx,
 * 10 % hangs, latency spikes, connection resets, truncated JSON, 429 bursts, the token revoked
 * then restored) and ends healthy; Roofr hangs, then answers 5xx, overlapping HighLevel's phases.
 * The set of active phases is kept so every answer can be filed under what was failing when it
 * was asked.
 */
import type { GhlControl, RoofrControl } from './upstream-control.js';

interface FaultPhase {
  name: string;
  /** Phases of one upstream run one after the other: a phase's clear lands before the next applies. */
  upstream: 'HighLevel' | 'Roofr';
  /** Start and end as fractions of the load's duration. */
  from: number;
  to: number;
  /** Applied at the start, and again `pulses - 1` times evenly through the phase (bursts). */
  pulses?: number;
  apply(): Promise<unknown>;
  clear(): Promise<unknown>;
}

export function faultPhases(ghl: GhlControl, roofr: RoofrControl): FaultPhase[] {
  const ghlClear = (): Promise<unknown> => ghl.clearFaults();
  return [
    {
      name: 'HighLevel 20% 5xx',
      upstream: 'HighLevel',
      from: 0.06,
      to: 0.17,
      apply: () => ghl.faults({ errorRate: { rate: 0.2 } }),
      clear: ghlClear,
    },
    {
      name: 'HighLevel 10% hangs',
      upstream: 'HighLevel',
      from: 0.17,
      to: 0.28,
      apply: () => ghl.faults({ hangRate: { rate: 0.1 } }),
      clear: ghlClear,
    },
    {
      name: 'HighLevel latency spikes',
      upstream: 'HighLevel',
      from: 0.28,
      to: 0.39,
      // 15 % of requests take 2 to 8 s.
      apply: () => ghl.faults({ latency: { ms: 5000, jitterMs: 3000, rate: 0.15 } }),
      clear: ghlClear,
    },
    {
      name: 'HighLevel connection resets',
      upstream: 'HighLevel',
      from: 0.39,
      to: 0.5,
      apply: () => ghl.faults({ resetRate: { rate: 0.1 } }),
      clear: ghlClear,
    },
    {
      name: 'HighLevel malformed JSON',
      upstream: 'HighLevel',
      from: 0.5,
      to: 0.61,
      apply: () => ghl.faults({ malformedRate: { rate: 0.1 } }),
      clear: ghlClear,
    },
    {
      name: 'HighLevel 429 bursts',
      upstream: 'HighLevel',
      from: 0.61,
      to: 0.72,
      pulses: 3,
      apply: () => ghl.faults({ rateLimitNext: { count: 40 } }),
      clear: ghlClear,
    },
    {
      name: 'HighLevel token revoked',
      upstream: 'HighLevel',
      from: 0.72,
      to: 0.83,
      apply: () => ghl.revokeToken(),
      clear: () => ghl.restoreToken(),
    },
    {
      name: 'Roofr 50% hangs',
      upstream: 'Roofr',
      from: 0.1,
      to: 0.35,
      apply: () => roofr.faults({ hangRate: 0.5 }),
      clear: () => roofr.clearFaults(),
    },
    {
      name: 'Roofr 50% 5xx',
      upstream: 'Roofr',
      from: 0.45,
      to: 0.7,
      apply: () => roofr.faults({ errorRate: 0.5, errorStatus: 503 }),
      clear: () => roofr.clearFaults(),
    },
  ];
}

/** What is failing right now: fault phases, and the suite's own events (gateway down, Redis down). */
export class ActiveConditions {
  private readonly active = new Set<string>();

  enter(name: string): void {
    this.active.add(name);
  }

  leave(name: string): void {
    this.active.delete(name);
  }

  has(name: string): boolean {
    return this.active.has(name);
  }

  /** "healthy" when nothing is failing. */
  label(): string {
    return this.active.size === 0 ? 'healthy' : [...this.active].sort().join(' + ');
  }
}

function sleepUntil(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
}

/** Runs every phase on its schedule from `startedAt`; resolves when the last one was cleared. */
export async function runPhases(
  phases: readonly FaultPhase[],
  startedAt: number,
  loadMs: number,
  conditions: ActiveConditions,
  log: (line: string) => void,
): Promise<void> {
  const lane = async (upstream: FaultPhase['upstream']): Promise<void> => {
    const own = phases.filter((phase) => phase.upstream === upstream).sort((a, b) => a.from - b.from);
    for (const phase of own) {
      const from = startedAt + phase.from * loadMs;
      const to = startedAt + phase.to * loadMs;
      const pulses = phase.pulses ?? 1;
      await sleepUntil(from);
      conditions.enter(phase.name);
      log(`  fault on: ${phase.name}`);
      for (let pulse = 0; pulse < pulses; pulse += 1) {
        await sleepUntil(from + ((to - from) * pulse) / pulses);
        await phase.apply().catch((error: unknown) => log(`  could not apply ${phase.name}: ${String(error)}`));
      }
      await sleepUntil(to);
      await phase.clear().catch((error: unknown) => log(`  could not clear ${phase.name}: ${String(error)}`));
      conditions.leave(phase.name);
      log(`  fault off: ${phase.name}`);
    }
  };
  await Promise.all([lane('HighLevel'), lane('Roofr')]);
}
