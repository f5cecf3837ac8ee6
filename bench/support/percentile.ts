/** Nearest-rank percentile of latency samples (any order), rounded to `decimals` places; 0 for no samples. */
export function percentile(samples: readonly number[], p: number, decimals = 1): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  const scale = 10 ** decimals;
  return Math.round((sorted[index] ?? 0) * scale) / scale;
}
