/** Latency percentiles and rates of a benchmark phase (nearest-rank, like bench/graphql). */
import { percentile } from '../support/percentile.js';

export interface LatencyStats {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export function latencyStats(samplesMs: readonly number[]): LatencyStats {
  return { p50Ms: percentile(samplesMs, 50), p95Ms: percentile(samplesMs, 95), p99Ms: percentile(samplesMs, 99) };
}

export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((count * 100_000) / elapsedMs) / 100 : 0;
}
