import { describe, expect, it } from 'vitest';
import {
  durbinCdf,
  kolmogorovSf,
  pelzGoodCdf,
  pomeranzCdf,
  smirnovSf,
} from '../../../../electron/services/monitoring/stats/kolmogorov-distribution';
import { ksTwoSample, roundHalfEven } from '../../../../electron/services/monitoring/stats/ks-two-sample';
import { sortedSampleOf, type SortedSample } from '../../../../electron/services/monitoring/stats/samples';
import { grid, uniforms } from './seeded-values';

/**
 * The KS test without Docker: scipy 1.10.1's numbers pinned as literals (each with the Python call
 * that produced it, run in orrery/python:local), and the properties a user relies on. The full
 * comparison on generated data is ks-cvm-scipy.test.ts.
 */

const REF_7 = [0.12, -1.3, 0.55, 2.1, 0.9, -0.4, 1.7];
const CUR_9 = [1.4, 2.2, 0.95, 3.1, 1.8, 2.6, 0.3, 1.1, 2.9];

function expectScipy(result: { statistic: number; pValue: number }, statistic: number, pValue: number): void {
  expect(Math.abs(result.statistic - statistic)).toBeLessThanOrEqual(1e-12);
  expect(Math.abs(result.pValue - pValue)).toBeLessThanOrEqual(1e-9);
}

describe('ksTwoSample equals scipy 1.10.1 ks_2samp (pinned values)', () => {
  it('uses the exact distribution for different sizes', () => {
    // stats.ks_2samp([0.12,-1.3,0.55,2.1,0.9,-0.4,1.7], [1.4,2.2,0.95,3.1,1.8,2.6,0.3,1.1,2.9])
    const result = ksTwoSample(sortedSampleOf(REF_7), sortedSampleOf(CUR_9));
    expectScipy(result, 0.6031746031746031, 0.07867132867132867);
    expect(result.method).toBe('exact');
    // stats.ks_2samp(np.arange(30)/30.0, np.arange(40)/40.0+0.2)
    expectScipy(ksTwoSample(sortedSampleOf(grid(30)), sortedSampleOf(grid(40, 0.2))), 0.23333333333333334, 0.27124368406521887);
    // stats.ks_2samp([0,1,2], [10,11,12,13,14]): disjoint, p = 2/C(8,3)
    expectScipy(ksTwoSample(sortedSampleOf([0, 1, 2]), sortedSampleOf([10, 11, 12, 13, 14])), 1, 0.03571428571428571);
    // stats.ks_2samp([0,1,2,3,4,5,6], [3.5,10,11])
    expectScipy(ksTwoSample(sortedSampleOf([0, 1, 2, 3, 4, 5, 6]), sortedSampleOf([3.5, 10, 11])), 0.6666666666666666, 0.25);
    // stats.ks_2samp([5,6,7,8], [1,2,...,12]): ties across the samples
    const twelve = Array.from({ length: 12 }, (_, i) => i + 1);
    expectScipy(ksTwoSample(sortedSampleOf([5, 6, 7, 8]), sortedSampleOf(twelve)), 0.3333333333333333, 0.8593406593406594);
  });

  it('uses the exact distribution for equal sizes, ties included', () => {
    // stats.ks_2samp([1,2,2,3,3,3,4,5], [2,3,3,4,4,5,5,6])
    expectScipy(ksTwoSample(sortedSampleOf([1, 2, 2, 3, 3, 3, 4, 5]), sortedSampleOf([2, 3, 3, 4, 4, 5, 5, 6])), 0.375, 0.6601398601398599);
    // stats.ks_2samp(np.arange(200)/200.0, np.arange(200)/200.0+0.07)
    expectScipy(ksTwoSample(sortedSampleOf(grid(200)), sortedSampleOf(grid(200, 0.07))), 0.075, 0.6284308022715471);
  });

  it("falls back to the asymptotic distribution where scipy's exact p-value rounds above 1", () => {
    // stats.ks_2samp(np.arange(7.0), np.arange(7.0)+0.5): _compute_prob_outside_square(7, 1) is
    // 1.0000000000000002, so scipy warns "Exact calculation unsuccessful" and uses kstwo.sf.
    const result = ksTwoSample(sortedSampleOf([0, 1, 2, 3, 4, 5, 6]), sortedSampleOf([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5]));
    expectScipy(result, 0.14285714285714285, 0.9999609537692629);
    expect(result.method).toBe('asymp');
  });

  it('switches to kstwo.sf(d, round(n1·n2/(n1+n2))) above 10,000 values', () => {
    // stats.ks_2samp(np.arange(12001)/12001.0, np.arange(50)/50.0+0.1)
    const result = ksTwoSample(sortedSampleOf(grid(12_001)), sortedSampleOf(grid(50, 0.1)));
    expectScipy(result, 0.10007499375052079, 0.6614134995261756);
    expect(result.method).toBe('asymp');
  });
});

describe('kolmogorovSf equals scipy 1.10.1 kstwo.sf(d, n) in each regime', () => {
  // stats.kstwo.sf(d, n) for each [n, d]
  const cases: Array<[number, number, number]> = [
    [10, 0.05, 1.0], // n·d ≤ 1/2
    [10, 0.08, 0.9999978058034054], // Ruben-Gambino, n ≤ 140
    [200, 0.004, 1.0], // Ruben-Gambino, n > 140
    [10, 0.95, 1.9531250000000172e-13], // n·d ≥ n − 1
    [10, 0.6, 0.0005681672000000003], // d ≥ 1/2: twice Smirnov
    [10, 0.2, 0.7487190399999999], // Durbin
    [10, 0.4, 0.05898924519999926], // Pomeranz
    [10, 0.35, 0.1339605462624991],
    [10, 0.37, 0.09786575852611712],
    [100, 0.25, 5.408871776434847e-6], // n ≤ 140, n·d² > 4: twice Smirnov
    [1000, 0.01, 0.9999496745370611], // Durbin, n > 140
    [1000, 0.02, 0.8108971656895577], // Pelz-Good
    [1000, 0.05, 0.013012074781090332], // n·d² ≥ 2.2: twice Smirnov
    [1000, 0.7, 0.0],
    [200000, 0.002, 0.39995085369038097], // n > 100,000: Pelz-Good
    [10000, 0.2, 0.0], // n·d² ≥ 370
    [150, 0.08, 0.27727372547869167],
  ];
  it.each(cases)('n = %d, d = %d', (n, d, expected) => {
    expect(Math.abs(kolmogorovSf(n, d) - expected)).toBeLessThanOrEqual(1e-12);
  });

  it('is 1 at d ≤ 0, 0 at d ≥ 1, and NaN for a size that is not a positive integer', () => {
    expect(kolmogorovSf(50, 0)).toBe(1);
    expect(kolmogorovSf(50, 1)).toBe(0);
    expect(kolmogorovSf(0, 0.2)).toBeNaN();
    expect(kolmogorovSf(2.5, 0.2)).toBeNaN();
  });

  it("matches scipy's Durbin, Pomeranz, Pelz-Good and Smirnov computations one by one", () => {
    const close = (actual: number, expected: number) => expect(Math.abs(actual / expected - 1)).toBeLessThanOrEqual(1e-9);
    // _ksstats._kolmogn_DMTW(n, d): the second needs the power-of-two rescaling
    close(durbinCdf(10, 0.2), 0.25128096000000005);
    close(durbinCdf(100000, 0.0005), 8.09325953175999e-21);
    close(durbinCdf(300, 0.01), 7.929771566868635e-16);
    // _ksstats._kolmogn_Pomeranz(n, d)
    close(pomeranzCdf(10, 0.4), 0.9410107548000007);
    close(pomeranzCdf(10, 0.35), 0.8660394537375009);
    close(pomeranzCdf(10, 0.37), 0.9021342414738829);
    close(pomeranzCdf(140, 0.1), 0.8864634270990905);
    close(pomeranzCdf(60, 0.2), 0.9859765960397249);
    // _ksstats._kolmogn_PelzGood(n, d)
    close(pelzGoodCdf(1000, 0.02), 0.1891028343104423);
    close(pelzGoodCdf(200000, 0.002), 0.600049146309619);
    // special.smirnov(n, d)
    close(smirnovSf(5, 0.3), 0.34282);
    close(smirnovSf(2000, 0.03), 0.026773982498367117);
    close(smirnovSf(10, 0.6), 0.0002840836000000002);
    expect(smirnovSf(10, 0)).toBe(1);
    expect(durbinCdf(10, 1)).toBe(1);
    expect(durbinCdf(10, 0.04)).toBe(0);
    expect(pelzGoodCdf(10, 0)).toBe(0);
    expect(pelzGoodCdf(10, 1)).toBe(1);
  });
});

describe('ksTwoSample properties', () => {
  const reference = sortedSampleOf(uniforms(1, 3000));
  const same = sortedSampleOf(uniforms(2, 2000));
  const shifted = sortedSampleOf(uniforms(3, 2000, 0.1));

  it('gives the same statistic and p-value whichever sample is the reference', () => {
    for (const current of [same, shifted]) {
      const forward = ksTwoSample(reference, current);
      const backward = ksTwoSample(current, reference);
      expect(backward.statistic).toBe(forward.statistic);
      expect(backward.pValue).toBe(forward.pValue);
    }
  });

  it('finds a shift of a tenth of the range and not a second sample from the same law', () => {
    const drift = ksTwoSample(reference, shifted);
    expect(drift.statistic).toBeGreaterThan(0.08);
    expect(drift.pValue).toBeLessThan(1e-6);
    const none = ksTwoSample(reference, same);
    expect(none.pValue).toBeGreaterThan(0.05);
    expect(none.pValue).toBeLessThanOrEqual(1);
  });

  it('gives statistic 0 and p = 1 for identical samples, exact or asymptotic', () => {
    for (const size of [7, 20_000]) {
      const values = sortedSampleOf(uniforms(4, size));
      const result = ksTwoSample(values, sortedSampleOf(values.values));
      expect(result).toEqual({ statistic: 0, pValue: 1, method: size > 10_000 ? 'asymp' : 'exact', errorBound: 0 });
    }
  });

  it('gives statistic 1 for disjoint samples and p under 1e-3 for n = 10', () => {
    const result = ksTwoSample(sortedSampleOf(grid(10)), sortedSampleOf(grid(10, 5)));
    expect(result.statistic).toBe(1);
    // stats.ks_2samp(np.arange(10)/10, np.arange(10)/10 + 5).pvalue == 1.0825088224469026e-05 (2/C(20,10))
    expect(result.pValue).toBeCloseTo(2 / 184_756, 15);
  });

  it('takes the asymptotic path for 1,000,000 current values against 100,000 reference values', () => {
    const big = sortedSampleOf(uniforms(5, 100_000));
    const current = sortedSampleOf(uniforms(6, 1_000_000, 0.001));
    const result = ksTwoSample(big, current);
    expect(result.method).toBe('asymp');
    expect(result.statistic).toBeGreaterThan(0);
    expect(result.pValue).toBeGreaterThanOrEqual(0);
    expect(result.pValue).toBeLessThanOrEqual(1);
  });

  it('names the empty sample or the mismatched weights', () => {
    const empty = sortedSampleOf([]);
    expect(() => ksTwoSample(empty, same)).toThrow(/^reference: the sample is empty/);
    expect(() => ksTwoSample(same, empty)).toThrow(/^current: the sample is empty/);
    const badWeights: SortedSample = { values: Float64Array.of(1, 2), weights: Float64Array.of(1), n: 2, rankError: 0 };
    expect(() => ksTwoSample(same, badWeights)).toThrow('current: 1 weights for 2 values');
  });

  it('rounds halves to even as numpy does', () => {
    expect([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, 2, 3]);
  });
});

describe('ksTwoSample on sketched (weighted) samples', () => {
  /** A sketch of sorted values: every `per` values become one point (their largest) of weight `per`. */
  function sketch(sample: SortedSample, per: number): SortedSample {
    const points = Math.ceil(sample.values.length / per);
    const values = new Float64Array(points);
    const weights = new Float64Array(points);
    for (let p = 0; p < points; p++) {
      const end = Math.min(sample.values.length, (p + 1) * per);
      values[p] = sample.values[end - 1]!;
      weights[p] = end - p * per;
    }
    // Any x's CDF is off by at most one block's share.
    return { values, weights, n: sample.values.length, rankError: per / sample.values.length };
  }

  it('with unit weights equals the unweighted test', () => {
    const reference = sortedSampleOf(REF_7);
    const unit: SortedSample = { ...reference, weights: new Float64Array(7).fill(1) };
    expect(ksTwoSample(unit, sortedSampleOf(CUR_9))).toEqual(ksTwoSample(reference, sortedSampleOf(CUR_9)));
  });

  it('stays within its stated error bound of the exact statistic, with the p-value from the full sizes', () => {
    const exactReference = sortedSampleOf(uniforms(7, 50_000));
    const sketched = sketch(exactReference, 100);
    for (const current of [sortedSampleOf(uniforms(8, 20_000)), sortedSampleOf(uniforms(9, 20_000, 0.02))]) {
      const exact = ksTwoSample(exactReference, current);
      const approx = ksTwoSample(sketched, current);
      expect(approx.errorBound).toBeCloseTo(0.002, 12);
      expect(Math.abs(approx.statistic - exact.statistic)).toBeLessThanOrEqual(approx.errorBound);
      expect(approx.method).toBe('asymp');
      // The p-value uses the sizes the samples stand for: round(50,000 · 20,000 / 70,000) = 14,286.
      expect(approx.pValue).toBe(kolmogorovSf(14_286, approx.statistic));
    }
    const both = ksTwoSample(sketched, { ...sketch(sortedSampleOf(uniforms(10, 20_000)), 50) });
    expect(both.errorBound).toBeCloseTo(0.002 + 0.0025, 12);
  });
});
