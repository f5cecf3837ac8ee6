/**
 * What a random sample says about a whole location: after checking n of the N linked records
 * (drawn without replacement) and finding problems in k, how many of the N can still have
 * problems at a given confidence. The bound is the exact one-sided (Clopper-Pearson style)
 * upper limit under the hypergeometric distribution: the largest D for which seeing k or fewer
 * in the sample is still at least (1 - confidence) likely. Unlike the binomial "rule of three"
 * (≈ 3/n for k = 0) it is exact for small locations and reaches k when the sample is the whole.
 */

interface SampleBound {
  population: number;
  sampled: number;
  /** Sampled records with at least one finding. */
  withFindings: number;
  confidence: number;
  /** At most this many of the population have findings, at `confidence`. */
  maxAffected: number;
  /** maxAffected / population, in percent. */
  maxAffectedPercent: number;
  /** The sentence an operator reads. */
  statement: string;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7): enough precision for probabilities summed to 1e-12. */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = c[0] ?? 0;
  for (let i = 1; i < 9; i += 1) sum += (c[i] ?? 0) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

function lnChoose(n: number, k: number): number {
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  return lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1);
}

/** P(X ≤ k) for X ~ Hypergeometric(population N, D affected, sample n). */
export function hypergeometricCdf(k: number, population: number, affected: number, sampled: number): number {
  const total = lnChoose(population, sampled);
  let sum = 0;
  for (let x = Math.max(0, sampled - (population - affected)); x <= Math.min(k, affected, sampled); x += 1) {
    sum += Math.exp(lnChoose(affected, x) + lnChoose(population - affected, sampled - x) - total);
  }
  return Math.min(1, sum);
}

function percent(value: number): string {
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)}%`;
}

export function sampleBound(
  population: number,
  sampled: number,
  withFindings: number,
  options: { confidence?: number; what?: string } = {},
): SampleBound {
  const confidence = options.confidence ?? 0.95;
  // What the population is, for the statement: a sample is of linked contacts, a full check of all.
  const what = options.what ?? 'linked contacts';
  if (!(population >= 0 && sampled >= 0 && withFindings >= 0 && withFindings <= sampled && sampled <= population))
    throw new RangeError(`inconsistent sample: ${withFindings} of ${sampled} sampled from ${population}`);
  const alpha = 1 - confidence;
  let maxAffected: number;
  if (sampled === population) {
    maxAffected = withFindings;
  } else {
    // P(X ≤ k) falls as D grows: the largest D with P ≥ alpha, by bisection.
    let low = withFindings;
    let high = population - (sampled - withFindings);
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (hypergeometricCdf(withFindings, population, middle, sampled) >= alpha) low = middle;
      else high = middle - 1;
    }
    maxAffected = low;
  }
  const maxAffectedPercent = population === 0 ? 0 : (maxAffected / population) * 100;
  const level = `${Math.round(confidence * 100)}%`;
  const some = (count: number): string => (count === 0 ? 'none has' : `${count} ${count === 1 ? 'has' : 'have'}`);
  let statement: string;
  if (population === 0) statement = `No ${what} to check.`;
  else if (sampled === population) statement = `Checked all ${population} ${what}: ${some(withFindings)} problems.`;
  else if (withFindings === 0)
    statement = `No problem in a sample of ${sampled} of ${population} ${what}: with ${level} confidence at most ${percent(maxAffectedPercent)} (${maxAffected}) of the ${population} have any.`;
  else
    statement = `${withFindings} of ${sampled} sampled (of ${population} ${what}) have problems: with ${level} confidence at most ${percent(maxAffectedPercent)} (${maxAffected}) of the ${population} do.`;
  return { population, sampled, withFindings, confidence, maxAffected, maxAffectedPercent, statement };
}

/** mulberry32: a small seeded generator, so a resumed run draws the same sample. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` of `items` drawn uniformly without replacement (a partial Fisher-Yates), the same for the same seed. */
export function drawSample<T>(items: readonly T[], size: number, seed: number): T[] {
  const pool = [...items];
  const random = seeded(seed);
  const count = Math.min(size, pool.length);
  for (let index = 0; index < count; index += 1) {
    const pick = index + Math.floor(random() * (pool.length - index));
    [pool[index], pool[pick]] = [pool[pick] as T, pool[index] as T];
  }
  return pool.slice(0, count);
}
