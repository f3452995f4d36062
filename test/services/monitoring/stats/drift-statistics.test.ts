import { describe, expect, it } from 'vitest';
import { chiSquareStatistic, chiSquareTest } from '../../../../electron/services/monitoring/stats/chi-square';
import { compensatedSum } from '../../../../electron/services/monitoring/stats/compensated-sum';
import { hellingerTest } from '../../../../electron/services/monitoring/stats/hellinger';
import { jensenShannonDistance, jensenShannonTest, relativeEntropyTerm } from '../../../../electron/services/monitoring/stats/jensen-shannon';
import { klDivergenceOfShares, klDivergenceTest } from '../../../../electron/services/monitoring/stats/kl-divergence';
import { psiOfShares, psiTest } from '../../../../electron/services/monitoring/stats/psi';
import { sampleMoments } from '../../../../electron/services/monitoring/stats/sample-moments';
import { sortedSampleOf, type NumericSample } from '../../../../electron/services/monitoring/stats/samples';
import { normedWassersteinDistance, wassersteinDistance } from '../../../../electron/services/monitoring/stats/wasserstein';
import { zTest } from '../../../../electron/services/monitoring/stats/z-test';
import { categoricalSample, numericSample, weightedSortedSample } from './column-samples';

const repeat = (counts: Record<string, number>): string[] => Object.entries(counts).flatMap(([key, n]) => Array<string>(n).fill(key));
const close = (actual: number, expected: number, tolerance = 1e-12) =>
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);

// Reference a:50 b:30 c:20, current a:30 b:14 c:6 → shares [.5, .3, .2] and [.6, .28, .12].
const reference = categoricalSample(repeat({ a: 50, b: 30, c: 20 }));
const current = categoricalSample(repeat({ a: 30, b: 14, c: 6 }));

describe('chi-square (Evidently: expected = reference count × n_cur / n_ref)', () => {
  it('equals scipy.stats.chisquare', () => {
    // scipy.stats.chisquare([30, 14, 6], [25.0, 15.0, 10.0]) → (2.666666666666667, 0.2635971381157267)
    const result = chiSquareTest(reference, current);
    close(result.statistic, 2.666666666666667);
    close(result.pValue, 0.2635971381157267);
    expect(chiSquareStatistic([30, 14, 6], [25, 15, 10]).statistic).toBeCloseTo(2.666666666666667, 14);
  });

  it('is 0 with p = 1 for identical shares, and certain drift for a value the reference never saw', () => {
    expect(chiSquareTest(reference, categoricalSample(repeat({ a: 5, b: 3, c: 2 })))).toEqual({ statistic: 0, pValue: 1 });
    expect(chiSquareTest(reference, categoricalSample(repeat({ a: 5, d: 1 })))).toEqual({ statistic: Infinity, pValue: 0 });
    // numeric columns by value: 1,1,2 vs 2,2,1 → expected [2, 1], observed [1, 2]: statistic 1.5, df 1
    const numeric = chiSquareTest(numericSample([1, 1, 2]), numericSample([2, 2, 1]));
    close(numeric.statistic, 1.5);
    close(numeric.pValue, 0.22067136191984324, 1e-12); // scipy.stats.chisquare([1, 2], [2.0, 1.0]).pvalue
    // One value on both sides: no degrees of freedom; read as no drift.
    expect(chiSquareTest(numericSample([4, 4]), numericSample([4]))).toEqual({ statistic: 0, pValue: 1 });
  });

  it('rejects empty samples and mismatched count vectors', () => {
    expect(() => chiSquareTest(categoricalSample([]), current)).toThrow(/chi-square: the reference sample is empty/);
    expect(() => chiSquareTest(reference, categoricalSample([]))).toThrow(/chi-square: the current sample is empty/);
    expect(() => chiSquareStatistic([1, 2], [1])).toThrow(/observed has 2 counts but expected has 1/);
    expect(() => chiSquareStatistic([], [])).toThrow(/no categories/);
  });
});

describe('two-proportion Z-test', () => {
  it("equals Evidently's formula with scipy's normal", () => {
    // no:60 yes:40 vs no:35 yes:65; k = "no"; p1 = 0.4, p2 = 0.65
    // z = (p1 − p2) / sqrt(P (1 − P) (1/n1 + 1/n2)) = -3.5399616270239433; 2 * (1 - norm.cdf(|z|)) = 0.0004001852145547602
    const result = zTest(categoricalSample(repeat({ no: 60, yes: 40 })), categoricalSample(repeat({ no: 35, yes: 65 })));
    close(result.statistic, -3.5399616270239433);
    close(result.pValue, 0.0004001852145547602, 1e-12);
    // Two-sided: swapping the category picked changes the sign of z, not p.
    const swapped = zTest(categoricalSample(repeat({ a: 60, b: 40 })), categoricalSample(repeat({ a: 35, b: 65 })));
    close(swapped.pValue, result.pValue);
    const other = zTest(categoricalSample(repeat({ b: 60, a: 40 })), categoricalSample(repeat({ b: 35, a: 65 })));
    close(other.statistic, -result.statistic);
    close(other.pValue, result.pValue);
  });

  it('p = 1 for one shared value, p near 1 for equal shares', () => {
    expect(zTest(numericSample([1, 1]), numericSample([1]))).toEqual({ statistic: 0, pValue: 1 });
    const same = zTest(numericSample([0, 1, 0, 1]), numericSample([1, 0]));
    expect(same.statistic).toBe(0);
    expect(same.pValue).toBe(1);
  });

  it('rejects empty samples', () => {
    expect(() => zTest(numericSample([]), numericSample([1]))).toThrow(/z-test: the reference sample is empty/);
    expect(() => zTest(numericSample([1]), numericSample([]))).toThrow(/z-test: the current sample is empty/);
  });
});

describe('Wasserstein distance', () => {
  it('equals scipy.stats.wasserstein_distance, weights respected', () => {
    // scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]) → 5.0
    expect(wassersteinDistance(sortedSampleOf([0, 1, 3]), sortedSampleOf([5, 6, 8]))).toBe(5);
    // scipy.stats.wasserstein_distance([3.4, 3.9, 7.5, 7.8], [4.5, 1.4], [1.4, 0.9, 3.1, 7.2], [3.2, 3.5]) → 4.078133143804786
    const u = { values: Float64Array.of(3.4, 3.9, 7.5, 7.8), weights: Float64Array.of(1.4, 0.9, 3.1, 7.2), n: 12.6, rankError: 0 };
    const v = { values: Float64Array.of(1.4, 4.5), weights: Float64Array.of(3.5, 3.2), n: 6.7, rankError: 0 };
    close(wassersteinDistance(u, v), 4.078133143804786);
    close(wassersteinDistance(v, u), 4.078133143804786);
    // Ties and a weighted copy of the same data give the same distance.
    const values = [1, 1, 2, 2, 2, 7, 9];
    close(wassersteinDistance(weightedSortedSample(values), sortedSampleOf([2, 3, 3])), wassersteinDistance(sortedSampleOf(values), sortedSampleOf([2, 3, 3])));
    expect(wassersteinDistance(sortedSampleOf(values), sortedSampleOf(values))).toBe(0);
  });

  it("normed by the reference's population std, at least 0.001", () => {
    // wasserstein_distance([1, 2, 3, 4], [2, 3, 4, 5]) / max(np.std([1, 2, 3, 4]), 0.001) → 0.8944271909999159
    const normed = normedWassersteinDistance(sortedSampleOf([1, 2, 3, 4]), sortedSampleOf([2, 3, 4, 5]));
    close(normed.statistic, 0.8944271909999159);
    expect(normed.distance).toBe(1);
    close(normed.norm, Math.sqrt(1.25));
    expect(normed.errorBound).toBe(0);
    // wasserstein_distance([5, 5, 5], [5, 5, 6]) / max(np.std([5, 5, 5]), 0.001) → 333.33333333333337
    close(normedWassersteinDistance(sortedSampleOf([5, 5, 5]), sortedSampleOf([5, 5, 6])).statistic, 333.33333333333337, 1e-9);
  });

  it("states a bound when the reference is a sketch: rankError × the data's span / norm", () => {
    const sketch = { values: Float64Array.of(0, 10), weights: Float64Array.of(50, 50), n: 100, rankError: 0.01 };
    const result = normedWassersteinDistance(sketch, sortedSampleOf([0, 20]));
    close(result.norm, 5);
    close(result.errorBound, (0.01 * 20) / 5);
  });

  it('rejects empty samples', () => {
    expect(() => wassersteinDistance(sortedSampleOf([]), sortedSampleOf([1]))).toThrow(/first sample is empty/);
    expect(() => wassersteinDistance(sortedSampleOf([1]), sortedSampleOf([]))).toThrow(/second sample is empty/);
  });
});

describe('Jensen-Shannon distance (scipy jensenshannon, natural log, no zero filling)', () => {
  it('equals scipy', () => {
    close(jensenShannonDistance([1, 0, 0], [0, 1, 0]), 0.8325546111576977); // distance.jensenshannon([1.0, 0, 0], [0, 1.0, 0])
    close(jensenShannonDistance([1, 0], [0.5, 0.5]), 0.46450140402245893); // distance.jensenshannon([1.0, 0.0], [0.5, 0.5])
    close(jensenShannonDistance([0.5, 0.3, 0.2], [0.6, 0.28, 0.12]), 0.0866126255686558); // distance.jensenshannon([.5, .3, .2], [.6, .28, .12])
    close(jensenShannonTest(reference, current), 0.0866126255686558);
    // scipy normalizes its inputs: counts give the same distance as shares.
    close(jensenShannonDistance([50, 30, 20], [30, 14, 6]), 0.0866126255686558);
    expect(jensenShannonDistance([0.2, 0.8], [0.2, 0.8])).toBe(0);
  });

  it('rel_entr terms and bad input', () => {
    expect(relativeEntropyTerm(0, 0)).toBe(0);
    expect(relativeEntropyTerm(0, 0.5)).toBe(0);
    expect(relativeEntropyTerm(0.5, 0)).toBe(Infinity);
    close(relativeEntropyTerm(0.5, 0.25), 0.5 * Math.log(2));
    expect(() => jensenShannonDistance([1], [0.5, 0.5])).toThrow(/p has 1 shares but q has 2/);
    expect(() => jensenShannonDistance([0, 0], [0.5, 0.5])).toThrow(/first shares sum to 0/);
    expect(() => jensenShannonDistance([1, 0], [0, 0])).toThrow(/second shares sum to 0/);
  });
});

describe('PSI and KL divergence (Evidently, zero-filled shares)', () => {
  it('PSI = Σ (r − c) ln(r / c)', () => {
    close(psiOfShares([0.5, 0.3, 0.2], [0.6, 0.28, 0.12]), 0.06047806301041375); // np.sum((r - c) * np.log(r / c))
    close(psiTest(reference, current), 0.06047806301041375);
    // An empty current bin is filled with 0.0001: np.sum((np.array([.5, .5]) - [1, .0001]) * np.log([.5, .5] / np.array([1, .0001])))
    close(psiTest(categoricalSample(repeat({ a: 1, b: 1 })), categoricalSample(repeat({ a: 4 }))), 4.604318466668949);
    expect(psiTest(reference, reference)).toBe(0);
    expect(() => psiOfShares([1], [0.5, 0.5])).toThrow(/reference has 1 shares but current has 2/);
  });

  it('KL = scipy.stats.entropy(r, c), normalized after filling', () => {
    close(klDivergenceOfShares([0.5, 0.3, 0.2], [0.6, 0.28, 0.12]), 0.03170220780230629); // stats.entropy([.5, .3, .2], [.6, .28, .12])
    close(klDivergenceTest(reference, current), 0.03170220780230629);
    // stats.entropy([.5, .5], [1, .0001]): the filled vector sums to 1.0001 and is normalized first
    close(klDivergenceTest(categoricalSample(repeat({ a: 1, b: 1 })), categoricalSample(repeat({ a: 4 }))), 3.9121230004284797);
    expect(klDivergenceTest(reference, reference)).toBe(0);
    expect(() => klDivergenceOfShares([1], [0.5, 0.5])).toThrow(/p has 1 shares but q has 2/);
    expect(() => klDivergenceOfShares([0, 0], [0.5, 0.5])).toThrow(/sums to zero/);
  });
});

describe('Hellinger distance (Evidently)', () => {
  it('categorical: sqrt(1 − Σ sqrt(r · c))', () => {
    close(hellingerTest(reference, current), 0.08677887832156196); // np.sqrt(1 - np.sum(np.sqrt(r * c)))
    expect(hellingerTest(reference, reference)).toBe(0);
    expect(hellingerTest(categoricalSample(['a']), categoricalSample(['b']))).toBe(1);
  });

  it('numeric: Sturges edges over the distinct values of both, numpy densities × mean width', () => {
    // ref = np.arange(10.0), cur = np.arange(5.0, 15.0): edges over the 15 distinct keys → [0, 2.8, …, 14];
    // Evidently's loop gives 0.5946342056140266
    const ref = Float64Array.from({ length: 10 }, (_, i) => i);
    const cur = Float64Array.from({ length: 10 }, (_, i) => i + 5);
    close(hellingerTest(numericSample(ref), numericSample(cur)), 0.5946342056140266);
    // The same without value maps: distinct values counted by a merge walk.
    const bare = (values: Float64Array): NumericSample => ({ kind: 'numeric', sorted: sortedSampleOf(values), distinct: null });
    close(hellingerTest(bare(ref), bare(cur)), 0.5946342056140266);
    // One shared constant: one bin, no distance.
    expect(hellingerTest(numericSample([3, 3]), numericSample([3]))).toBe(0);
  });

  it('rejects mismatched kinds and empty samples', () => {
    expect(() => hellingerTest(numericSample([1]), categoricalSample(['a']))).toThrow(/reference is numeric but current is categorical/);
    expect(() => hellingerTest(numericSample([]), numericSample([1]))).toThrow(/hellinger: the reference sample is empty/);
    expect(() => hellingerTest(numericSample([1]), numericSample([]))).toThrow(/hellinger: the current sample is empty/);
  });
});

describe('sums and moments', () => {
  it('compensated sums keep what a plain sum loses', () => {
    expect(compensatedSum([1, 1e100, 1, -1e100])).toBe(2);
    expect(compensatedSum([Infinity, 1])).toBe(Infinity);
    expect(compensatedSum([])).toBe(0);
  });

  it('mean and population std, weights respected', () => {
    expect(sampleMoments(sortedSampleOf([1, 2, 3, 4]))).toEqual({ mean: 2.5, std: Math.sqrt(1.25) });
    const weighted = sampleMoments(weightedSortedSample([1, 1, 1, 5]));
    expect(weighted.mean).toBe(2);
    close(weighted.std, Math.sqrt(3));
    expect(() => sampleMoments(sortedSampleOf([]))).toThrow(/sample moments: the sample is empty/);
  });
});
