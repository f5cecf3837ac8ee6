/**
 * What a sample says about the whole: the exact hypergeometric upper bound against known values
 * (the binomial rule of three for large populations, exactness for a full check), and a seeded
 * draw that repeats for a resumed run.
 */
import { drawSample, hypergeometricCdf, sampleBound } from '../../../src/domain/sample-confidence.js';

describe('sample confidence', () => {
  test('when no problem is found in 100 of a million, then at most about 3% have one (the rule of three)', () => {
    const bound = sampleBound(1_000_000, 100, 0);
    // Binomial: 1 - 0.05^(1/100) = 2.951%.
    expect(bound.maxAffectedPercent).toBeGreaterThan(2.9);
    expect(bound.maxAffectedPercent).toBeLessThan(3.0);
    expect(bound.statement).toBe(
      `No problem in a sample of 100 of 1000000 linked contacts: with 95% confidence at most 3.0% (${bound.maxAffected}) of the 1000000 have any.`,
    );
    // Sampling without replacement can only be tighter than the binomial bound.
    expect(bound.maxAffected).toBeLessThanOrEqual(29_513);
  });

  test('when the population is small, then the bound is tighter than the binomial one and holds exactly at its edge', () => {
    const bound = sampleBound(200, 100, 0);
    expect(bound.maxAffectedPercent).toBeLessThan(2.95);
    // The largest D still likely enough to have left the sample clean, and the next one not.
    expect(hypergeometricCdf(0, 200, bound.maxAffected, 100)).toBeGreaterThanOrEqual(0.05);
    expect(hypergeometricCdf(0, 200, bound.maxAffected + 1, 100)).toBeLessThan(0.05);
  });

  test('when problems are found, then the bound is above the sample rate and grows with them', () => {
    const three = sampleBound(5_000, 200, 3);
    const ten = sampleBound(5_000, 200, 10);
    expect(three.maxAffectedPercent).toBeGreaterThan(1.5);
    expect(ten.maxAffectedPercent).toBeGreaterThan(three.maxAffectedPercent);
    expect(three.statement).toBe(
      `3 of 200 sampled (of 5000 linked contacts) have problems: with 95% confidence at most ${three.maxAffectedPercent.toFixed(1)}% (${three.maxAffected}) of the 5000 do.`,
    );
  });

  test('when the sample is the whole population, then the statement is exact', () => {
    expect(sampleBound(14, 14, 3, { what: 'contacts' })).toMatchObject({
      maxAffected: 3,
      statement: 'Checked all 14 contacts: 3 have problems.',
    });
    expect(sampleBound(14, 14, 0).statement).toBe('Checked all 14 linked contacts: none has problems.');
    expect(sampleBound(0, 0, 0).statement).toBe('No linked contacts to check.');
  });

  test('when the counts are inconsistent, then it refuses them', () => {
    expect(() => sampleBound(10, 11, 0)).toThrow(RangeError);
    expect(() => sampleBound(10, 5, 6)).toThrow(RangeError);
  });

  test('when a sample is drawn twice with one seed, then it is the same distinct subset; another seed draws another', () => {
    const ids = Array.from({ length: 1000 }, (_, index) => `c${index}`);
    const first = drawSample(ids, 50, 42);
    expect(drawSample(ids, 50, 42)).toEqual(first);
    expect(new Set(first).size).toBe(50);
    expect(drawSample(ids, 50, 43)).not.toEqual(first);
    expect(drawSample(ids, 5000, 1)).toHaveLength(1000);
  });
});
