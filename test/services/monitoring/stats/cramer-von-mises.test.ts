import { describe, expect, it } from 'vitest';
import { besselK, besselKScaled } from '../../../../electron/services/monitoring/stats/bessel-k';
import {
  asymptoticPValue,
  CompensatedSum,
  cramerVonMisesTwoSample,
  cvmLimitCdf,
  exactPValue,
  rankStatisticU,
} from '../../../../electron/services/monitoring/stats/cramer-von-mises';
import { sortedSampleOf, type SortedSample } from '../../../../electron/services/monitoring/stats/samples';
import { grid, uniforms } from './seeded-values';

/**
 * The two-sample Cramér-von Mises test without Docker: scipy 1.10.1's numbers pinned as literals
 * (each with the Python call that produced it, run in orrery/python:local) and the properties a
 * user relies on. The full comparison on generated data is ks-cvm-scipy.test.ts.
 */

function expectScipy(result: { statistic: number; pValue: number }, statistic: number, pValue: number): void {
  expect(Math.abs(result.statistic - statistic)).toBeLessThanOrEqual(1e-12);
  expect(Math.abs(result.pValue - pValue)).toBeLessThanOrEqual(1e-9);
}

describe('cramerVonMisesTwoSample equals scipy 1.10.1 cramervonmises_2samp (pinned values)', () => {
  it('uses the exact distribution while both samples have at most 20 values', () => {
    // stats.cramervonmises_2samp([0.12,-1.3,0.55,2.1,0.9,-0.4,1.7], [1.4,2.2,0.95,3.1,1.8,2.6,0.3,1.1,2.9])
    const result = cramerVonMisesTwoSample(sortedSampleOf([0.12, -1.3, 0.55, 2.1, 0.9, -0.4, 1.7]), sortedSampleOf([1.4, 2.2, 0.95, 3.1, 1.8, 2.6, 0.3, 1.1, 2.9]));
    expectScipy(result, 0.5054563492063489, 0.03951048951048951);
    expect(result).toMatchObject({ method: 'exact', errorBound: 0 });
    // stats.cramervonmises_2samp(np.arange(20)/20.0, np.arange(20)/20.0+0.3)
    expectScipy(cramerVonMisesTwoSample(sortedSampleOf(grid(20)), sortedSampleOf(grid(20, 0.3))), 0.7087500000000002, 0.011691730142182336);
    // stats.cramervonmises_2samp(np.arange(3)/3.0, np.arange(2)/2.0+0.3)
    expectScipy(cramerVonMisesTwoSample(sortedSampleOf(grid(3)), sortedSampleOf(grid(2, 0.3))), 0.09999999999999998, 0.9);
  });

  it('ranks ties by their average rank', () => {
    // stats.cramervonmises_2samp([1,2,2,3,3,3,4,5], [2,3,3,4,4,5,5,6])
    expectScipy(cramerVonMisesTwoSample(sortedSampleOf([1, 2, 2, 3, 3, 3, 4, 5]), sortedSampleOf([2, 3, 3, 4, 4, 5, 5, 6])), 0.265625, 0.19145299145299147);
    // U by hand for x = [1, 2], y = [2, 3]: mid-ranks x → 1, 2.5 and y → 2.5, 4.
    expect(rankStatisticU(Float64Array.of(1, 2), Float64Array.of(2, 3))).toBe(2 * (0 + 0.25) + 2 * (2.25 + 4));
  });

  it('uses the limiting distribution above 20 values', () => {
    // stats.cramervonmises_2samp(np.arange(30)/30.0, np.arange(40)/40.0+0.2)
    const result = cramerVonMisesTwoSample(sortedSampleOf(grid(30)), sortedSampleOf(grid(40, 0.2)));
    expectScipy(result, 0.6237797619047623, 0.019421704482952995);
    expect(result.method).toBe('asymptotic');
  });

  it("computes scipy's limiting CDF (_hypotests._cdf_cvm_inf) and K_ν (special.kv, special.kve)", () => {
    // _hypotests._cdf_cvm_inf(x)
    const cdf: Array<[number, number]> = [
      [0.01, 5.864432809868958e-6],
      [0.1, 0.4151265615932028],
      [0.5, 0.9601667824343907],
      [1.0, 0.9975395478198642],
      [3.0, 0.9999999243222135],
    ];
    for (const [x, expected] of cdf) expect(Math.abs(cvmLimitCdf(x) - expected)).toBeLessThanOrEqual(1e-12);
    // special.kv(nu, x), special.kve(nu, x)
    const bessel: Array<[number, number, number, number]> = [
      [0.25, 0.01, 6.165741264139234, 6.227707994041582],
      [0.25, 1.0, 0.4307397744485814, 1.1708721016781265],
      [0.25, 30.0, 2.1346641833090352e-14, 0.2281203453502268],
      [0.75, 2.0, 0.12790297862917527, 0.9450822843113041],
      [-0.25, 1.0, 0.4307397744485814, 1.1708721016781265],
    ];
    for (const [nu, x, kv, kve] of bessel) {
      expect(Math.abs(besselK(nu, x) / kv - 1)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(besselKScaled(nu, x) / kve - 1)).toBeLessThanOrEqual(1e-12);
    }
    expect(besselK(0.25, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(besselK(0.25, -1)).toBeNaN();
    expect(besselK(Number.POSITIVE_INFINITY, 1)).toBeNaN();
    expect(besselK(0.25, 800)).toBe(0);
    expect(besselKScaled(0.25, Number.POSITIVE_INFINITY)).toBe(0);
  });

  it("gives p = 1 where the normalised statistic is below 0.003, and scipy's value far in the tail", () => {
    expect(asymptoticPValue(0, 100, 100)).toBe(1);
    // 1 - _hypotests._cdf_cvm_inf(tn) for t = 2 and t = 1000 with nx = ny = 100 (tn as in
    // cramervonmises_2samp): the series is cut where scipy cuts it, so far out p is not 0 but this.
    expect(Math.abs(asymptoticPValue(2, 100, 100) - 1.2531236711854632e-5)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(asymptoticPValue(1000, 100, 100) - 2.638223213224933e-7)).toBeLessThanOrEqual(1e-12);
    // The exact p-value of the smallest and the largest U: every path, and the two extreme ones.
    expect(exactPValue(0, 3, 3)).toBe(1);
    expect(exactPValue(1e9, 3, 3)).toBe(0);
  });
});

describe('CompensatedSum', () => {
  it('keeps the small terms a plain sum rounds away, whichever comes first', () => {
    const sum = (terms: number[]) => {
      const s = new CompensatedSum();
      for (const t of terms) s.add(t);
      return s.value();
    };
    expect(sum([1e16, 1, 1, 1, 1, -1e16])).toBe(4);
    expect(sum([1, 1e16, 1, -1e16])).toBe(2);
    expect(sum([0.5, 0.25])).toBe(0.75);
  });
});

describe('cramerVonMisesTwoSample properties', () => {
  const reference = sortedSampleOf(uniforms(1, 3000));
  const same = sortedSampleOf(uniforms(2, 2000));
  const shifted = sortedSampleOf(uniforms(3, 2000, 0.1));

  it('gives the same statistic and p-value whichever sample is the reference', () => {
    for (const current of [same, shifted]) {
      const forward = cramerVonMisesTwoSample(reference, current);
      const backward = cramerVonMisesTwoSample(current, reference);
      expect(Math.abs(backward.statistic - forward.statistic)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(backward.pValue - forward.pValue)).toBeLessThanOrEqual(1e-12);
    }
  });

  it('finds a shift of a tenth of the range and not a second sample from the same law', () => {
    const drift = cramerVonMisesTwoSample(reference, shifted);
    expect(drift.pValue).toBeLessThan(1e-6);
    const none = cramerVonMisesTwoSample(reference, same);
    expect(none.pValue).toBeGreaterThan(0.05);
    expect(none.pValue).toBeLessThanOrEqual(1);
  });

  it('needs two values in each sample and names the one that lacks them', () => {
    expect(() => cramerVonMisesTwoSample(sortedSampleOf([1]), same)).toThrow(/^reference: 1 value\(s\)/);
    expect(() => cramerVonMisesTwoSample(same, sortedSampleOf([]))).toThrow(/^current: 0 value\(s\)/);
    const bad: SortedSample = { values: Float64Array.of(1, 2), weights: Float64Array.of(1), n: 2, rankError: 0 };
    expect(() => cramerVonMisesTwoSample(bad, same)).toThrow(/^reference: a weighted sample/);
  });
});

describe('cramerVonMisesTwoSample on sketched (weighted) samples', () => {
  function sketch(sample: SortedSample, per: number): SortedSample {
    const points = Math.ceil(sample.values.length / per);
    const values = new Float64Array(points);
    const weights = new Float64Array(points);
    for (let p = 0; p < points; p++) {
      const end = Math.min(sample.values.length, (p + 1) * per);
      values[p] = sample.values[end - 1]!;
      weights[p] = end - p * per;
    }
    return { values, weights, n: sample.values.length, rankError: per / sample.values.length };
  }

  it('with unit weights and no ties equals the rank statistic', () => {
    const x = sortedSampleOf(uniforms(4, 300));
    const y = sortedSampleOf(uniforms(5, 200, 0.05));
    const exact = cramerVonMisesTwoSample(x, y);
    const unit = cramerVonMisesTwoSample({ ...x, weights: new Float64Array(300).fill(1) }, y);
    expect(Math.abs(unit.statistic - exact.statistic)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(unit.pValue - exact.pValue)).toBeLessThanOrEqual(1e-9);
    expect(unit).toMatchObject({ method: 'asymptotic', errorBound: 0 });
  });

  it('stays within its stated error bound of the exact statistic', () => {
    const exactReference = sortedSampleOf(uniforms(6, 20_000));
    const sketched = sketch(exactReference, 20);
    for (const current of [sortedSampleOf(uniforms(7, 5000)), sortedSampleOf(uniforms(8, 5000, 0.03))]) {
      const exact = cramerVonMisesTwoSample(exactReference, current);
      const approx = cramerVonMisesTwoSample(sketched, current);
      // (mn/N)(2ε + 4ε_H) with ε = 0.001 and ε_H = 20000·0.001/25000
      expect(approx.errorBound).toBeCloseTo(4000 * (0.002 + 4 * 0.0008), 9);
      expect(Math.abs(approx.statistic - exact.statistic)).toBeLessThanOrEqual(approx.errorBound);
      expect(approx.pValue).toBe(asymptoticPValue(approx.statistic, 20_000, 5000));
    }
  });
});
