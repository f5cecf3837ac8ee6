/** Latency percentiles and rates of a benchmark phase (nearest-rank, like bench/graphql). */

export interface LatencyStats {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round1(sorted[index] ?? 0);
}

export function latencyStats(samplesMs: readonly number[]): LatencyStats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), p99Ms: percentile(sorted, 99) };
}

export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((count * 100_000) / elapsedMs) / 100 : 0;
}
