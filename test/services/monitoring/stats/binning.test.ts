import { describe, expect, it } from 'vitest';
import {
  BY_VALUE_LIMIT,
  binnedShares,
  binsByHistogram,
  fillZeroShares,
  histogramCounts,
  sturgesEdges,
  sturgesEdgesOf,
} from '../../../../electron/services/monitoring/stats/binning';
import { sortedSampleOf, type NumericSample } from '../../../../electron/services/monitoring/stats/samples';
import { categoricalSample, numericSample, weightedSortedSample } from './column-samples';

const range = (n: number, from = 0) => Float64Array.from({ length: n }, (_, i) => i + from);

describe('Sturges edges as numpy 1.24 histogram_bin_edges(bins="sturges")', () => {
  it('equal-width edges, the last exactly the maximum', () => {
    // np.histogram_bin_edges([0, 1, 2, 2.5, 10], bins='sturges') → [0.0, 2.5, 5.0, 7.5, 10.0]
    expect([...sturgesEdges(sortedSampleOf([0, 1, 2]), sortedSampleOf([2.5, 10]))]).toEqual([0, 2.5, 5, 7.5, 10]);
    // np.histogram_bin_edges([0.1, 0.2, 0.7, 0.3, 0.9, 1.3, 2.2], bins='sturges')
    expect([...sturgesEdgesOf(0.1, 2.2, 7)]).toEqual([0.1, 0.625, 1.1500000000000001, 1.6750000000000003, 2.2]);
  });

  it('one bin of width 1 around a constant column', () => {
    // np.histogram_bin_edges([3, 3, 3], bins='sturges') → [2.5, 3.5]
    expect([...sturgesEdges(sortedSampleOf([3, 3]), sortedSampleOf([3]))]).toEqual([2.5, 3.5]);
  });

  it('counts the values of both samples (their n, so a sketch counts what it stands for)', () => {
    // 2 + 2 values: log2(4) + 1 = 3 bins; 1,000 values: ceil(log2(1000) + 1) = 11 bins.
    expect(sturgesEdges(sortedSampleOf([0, 1]), sortedSampleOf([2, 3])).length).toBe(4);
    const sketch = { values: Float64Array.of(0, 3), weights: Float64Array.of(499, 499), n: 998, rankError: 0.01 };
    expect(sturgesEdges(sketch, sortedSampleOf([1, 2])).length).toBe(12);
    // An empty current window does not change the range.
    expect([...sturgesEdges(sortedSampleOf([0, 1, 2, 2.5, 10]), sortedSampleOf([]))]).toEqual([0, 2.5, 5, 7.5, 10]);
  });

  it('rejects what has no edges', () => {
    expect(() => sturgesEdges(sortedSampleOf([]), sortedSampleOf([]))).toThrow(/both samples are empty/);
    expect(() => sturgesEdgesOf(2, 1, 5)).toThrow(/min <= max, got 2 and 1/);
    expect(() => sturgesEdgesOf(NaN, 1, 5)).toThrow(/must be finite/);
    expect(() => sturgesEdgesOf(0, Infinity, 5)).toThrow(/must be finite/);
    expect(() => sturgesEdgesOf(0, 1, 0)).toThrow(/count must be at least 1, got 0/);
  });
});

describe('histogram counts as np.histogram', () => {
  const edges = sturgesEdgesOf(0.1, 2.2, 7);

  it('half-open bins, the last one closed, values outside not counted', () => {
    // np.histogram([0.1, 0.2, 0.7, 0.3, 0.9, 1.3, 2.2], edges)[0] → [3, 2, 1, 1]
    expect([...histogramCounts(sortedSampleOf([0.1, 0.2, 0.7, 0.3, 0.9, 1.3, 2.2]), edges)]).toEqual([3, 2, 1, 1]);
    // np.histogram([0.1, 2.2, 2.2, 1.0, -1, 5], edges)[0] → [1, 1, 0, 2]
    expect([...histogramCounts(sortedSampleOf([0.1, 2.2, 2.2, 1.0, -1, 5]), edges)]).toEqual([1, 1, 0, 2]);
    // A value exactly on an inner edge belongs to the bin on its right.
    expect([...histogramCounts(sortedSampleOf([0.625, 0.625]), edges)]).toEqual([0, 2, 0, 0]);
  });

  it('a weighted sample counts by its weights, equal to the values it stands for', () => {
    const values = [1, 1, 1, 2, 5, 5, 9, 9, 9, 9, 10];
    const grid = sturgesEdgesOf(1, 10, values.length);
    expect([...histogramCounts(weightedSortedSample(values), grid)]).toEqual([...histogramCounts(sortedSampleOf(values), grid)]);
  });

  it('needs two edges', () => {
    expect(() => histogramCounts(sortedSampleOf([1]), Float64Array.of(1))).toThrow(/at least 2 edges, got 1/);
  });
});

describe("Evidently's zero filling", () => {
  it('0.0001 while the smallest non-zero share is above 0.0001', () => {
    expect([...fillZeroShares(Float64Array.of(0.5, 0, 0.5))]).toEqual([0.5, 0.0001, 0.5]);
    expect([...fillZeroShares(Float64Array.of(0.99989, 0.00011, 0))]).toEqual([0.99989, 0.00011, 0.0001]);
  });

  it('the smallest non-zero share / 10^6 once it is <= 0.0001', () => {
    expect([...fillZeroShares(Float64Array.of(0.9999, 0.0001, 0))]).toEqual([0.9999, 0.0001, 0.0001 / 1e6]);
    expect([...fillZeroShares(Float64Array.of(0, 0.99998, 0.00002))]).toEqual([0.00002 / 1e6, 0.99998, 0.00002]);
  });

  it('leaves non-zero shares alone and refuses an all-zero vector', () => {
    expect([...fillZeroShares(Float64Array.of(0.25, 0.75))]).toEqual([0.25, 0.75]);
    expect(() => fillZeroShares(Float64Array.of(0, 0))).toThrow(/every share is zero/);
  });
});

describe('binned shares', () => {
  it(`bins by value up to ${BY_VALUE_LIMIT} distinct reference values, by Sturges histogram beyond`, () => {
    expect(binsByHistogram(numericSample(range(20)))).toBe(false);
    expect(binsByHistogram(numericSample(range(21)))).toBe(true);
    const noMap: NumericSample = { kind: 'numeric', sorted: sortedSampleOf(range(2000)), distinct: null };
    expect(binsByHistogram(noMap)).toBe(true);
    expect(binsByHistogram(categoricalSample(Array.from({ length: 50 }, (_, i) => `c${i}`)))).toBe(false);

    // 20 values: one share per value of reference ∪ current (current adds 20 → 21 keys).
    const byValue = binnedShares(numericSample(range(20)), numericSample(range(20, 1)), false);
    expect(byValue.reference.length).toBe(21);
    expect(byValue.reference[0]).toBe(1 / 20);
    expect(byValue.current[0]).toBe(0);
    expect(byValue.current[20]).toBe(1 / 20);
    // 21 values, 42 in all: ceil(log2(42) + 1) = 7 Sturges bins.
    const histogram = binnedShares(numericSample(range(21)), numericSample(range(21, 1)), false);
    expect(histogram.reference.length).toBe(7);
    expect(histogram.reference.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
  });

  it('by-value keys are the union of both columns; current values counted without a distinct map', () => {
    const reference = numericSample([1, 1, 2, 3]);
    const current: NumericSample = { kind: 'numeric', sorted: sortedSampleOf([3, 3, 4, 1]), distinct: null };
    const shares = binnedShares(reference, current, false);
    expect([...shares.reference]).toEqual([0.5, 0.25, 0.25, 0]);
    expect([...shares.current]).toEqual([0.25, 0, 0.5, 0.25]);
    const filled = binnedShares(reference, current, true);
    expect([...filled.reference]).toEqual([0.5, 0.25, 0.25, 0.0001]);
    expect([...filled.current]).toEqual([0.25, 0.0001, 0.5, 0.25]);
  });

  it('categories by share, each side divided by its own size', () => {
    const shares = binnedShares(categoricalSample(['a', 'a', 'b', 'c']), categoricalSample(['b', 'b', 'd']), false);
    expect([...shares.reference]).toEqual([0.5, 0.25, 0.25, 0]);
    expect([...shares.current]).toEqual([0, 2 / 3, 0, 1 / 3]);
  });

  it('a sketched reference without value counts cannot be split by value', () => {
    const sketch: NumericSample = {
      kind: 'numeric',
      sorted: { values: Float64Array.of(1, 2), weights: Float64Array.of(5, 5), n: 10, rankError: 0.01 },
      distinct: null,
    };
    const few = numericSample([1, 2]);
    // The sketch has no map, so it counts as > 20 distinct values and is binned by histogram.
    expect(binnedShares(sketch, few, false).reference.length).toBeGreaterThan(1);
    // A current sketch beside a by-value reference cannot be counted by value.
    expect(() => binnedShares(few, sketch, false)).toThrow(/sketch with more than 1000 distinct values/);
  });

  it('rejects mismatched kinds and empty samples', () => {
    expect(() => binnedShares(numericSample([1]), categoricalSample(['a']), false)).toThrow(/reference is numeric but current is categorical/);
    expect(() => binnedShares(numericSample([]), numericSample([1]), false)).toThrow(/reference sample is empty/);
    expect(() => binnedShares(categoricalSample(['a']), categoricalSample([]), true)).toThrow(/current sample is empty/);
  });
});
