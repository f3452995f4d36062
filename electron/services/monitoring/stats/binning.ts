/**
 * Turning two columns into shares per bin, as Evidently's `get_binned_data` does: numeric columns
 * with more than 20 distinct reference values go into Sturges bins over reference ∪ current
 * (numpy's `histogram_bin_edges(..., bins="sturges")` and `histogram`), other columns by value.
 * Pure, no Node.
 */
import type { ColumnSample, NumericSample, SortedSample } from './samples';
import { numericDistinctCount, sampleSize, unionKeys, valueCounts } from './value-counts';

/** Columns with more distinct reference values than this are binned by histogram, not by value. */
export const BY_VALUE_LIMIT = 20;

export interface BinnedShares {
  reference: Float64Array;
  current: Float64Array;
}

/**
 * numpy 1.24's Sturges edges for `count` values spanning [min, max]: width = ptp / (log2(count) + 1),
 * ceil(ptp / width) equal bins from linspace (i·step + min, the last edge exactly max); one bin
 * [min − 0.5, max + 0.5] when every value is the same.
 */
export function sturgesEdgesOf(min: number, max: number, count: number): Float64Array {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new Error(`sturges edges: min and max must be finite with min <= max, got ${min} and ${max}`);
  }
  if (!(count >= 1)) throw new Error(`sturges edges: count must be at least 1, got ${count}`);
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const ptp = max - min;
  const width = ptp / (Math.log2(count) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i < bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/** The Sturges edges of reference and current taken together. */
export function sturgesEdges(reference: SortedSample, current: SortedSample): Float64Array {
  const both = [reference, current].filter((s) => s.values.length > 0);
  if (both.length === 0) throw new Error('sturges edges: both samples are empty');
  const min = Math.min(...both.map((s) => s.values[0]!));
  const max = Math.max(...both.map((s) => s.values[s.values.length - 1]!));
  return sturgesEdgesOf(min, max, reference.n + current.n);
}

/** Index of the first value >= x (side="left"), or > x when `right` (side="right"). */
function searchSorted(values: Float64Array, x: number, right: boolean): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const value = values[mid]!;
    if (value < x || (right && value === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * np.histogram(sample, edges)[0]: values in [edges[i], edges[i+1]), the last bin closed, values
 * outside the edges not counted; a sketch's points count by their weights.
 */
export function histogramCounts(sample: SortedSample, edges: Float64Array): Float64Array {
  if (edges.length < 2) throw new Error(`histogram: need at least 2 edges, got ${edges.length}`);
  const bins = edges.length - 1;
  const cuts = new Array<number>(edges.length);
  for (let i = 0; i < bins; i++) cuts[i] = searchSorted(sample.values, edges[i]!, false);
  cuts[bins] = searchSorted(sample.values, edges[bins]!, true);
  const counts = new Float64Array(bins);
  const { weights } = sample;
  for (let b = 0; b < bins; b++) {
    const from = cuts[b]!;
    const to = cuts[b + 1]!;
    if (weights === null) {
      counts[b] = to - from;
    } else {
      let sum = 0;
      for (let k = from; k < to; k++) sum += weights[k]!;
      counts[b] = sum;
    }
  }
  return counts;
}

/** Whether Evidently bins this column by histogram: numeric with more than 20 distinct reference values. */
export function binsByHistogram(reference: ColumnSample): boolean {
  return reference.kind === 'numeric' && numericDistinctCount(reference) > BY_VALUE_LIMIT;
}

/**
 * Evidently's zero filling of one share vector: empty bins get 0.0001, or the smallest non-zero
 * share / 10^6 when that share is itself <= 0.0001 (so filling never outweighs a real bin).
 */
export function fillZeroShares(shares: Float64Array): Float64Array {
  let smallest = Infinity;
  for (const share of shares) if (share !== 0 && share < smallest) smallest = share;
  if (smallest === Infinity) throw new Error('zero filling: every share is zero (the sample is empty)');
  const fill = smallest <= 0.0001 ? smallest / 10 ** 6 : 0.0001;
  return shares.map((share) => (share === 0 ? fill : share));
}

function checkPair(reference: ColumnSample, current: ColumnSample): void {
  if (reference.kind !== current.kind) {
    throw new Error(`binning: reference is ${reference.kind} but current is ${current.kind}`);
  }
  if (sampleSize(reference) === 0) throw new Error('binning: the reference sample is empty');
  if (sampleSize(current) === 0) throw new Error('binning: the current sample is empty');
}

function histogramShares(reference: SortedSample, current: SortedSample): BinnedShares {
  const edges = sturgesEdges(reference, current);
  const share = (sample: SortedSample) => histogramCounts(sample, edges).map((count) => count / sample.n);
  return { reference: share(reference), current: share(current) };
}

function byValueShares(reference: ColumnSample, current: ColumnSample): BinnedShares {
  const refCounts = valueCounts(reference);
  const curCounts = valueCounts(current);
  const keys = unionKeys(refCounts, curCounts);
  const refN = sampleSize(reference);
  const curN = sampleSize(current);
  return {
    reference: Float64Array.from(keys, (key) => (refCounts.get(key) ?? 0) / refN),
    current: Float64Array.from(keys, (key) => (curCounts.get(key) ?? 0) / curN),
  };
}

/** Shares per bin for reference and current, as Evidently's `get_binned_data(..., feel_zeroes)`. */
export function binnedShares(reference: ColumnSample, current: ColumnSample, fillZeros: boolean): BinnedShares {
  checkPair(reference, current);
  // checkPair made the kinds equal, so a numeric reference means a numeric current.
  const shares =
    reference.kind === 'numeric' && binsByHistogram(reference)
      ? histogramShares(reference.sorted, (current as NumericSample).sorted)
      : byValueShares(reference, current);
  if (!fillZeros) return shares;
  return { reference: fillZeroShares(shares.reference), current: fillZeroShares(shares.current) };
}
