/**
 * Hellinger distance as Evidently computes it: sqrt(1 − BC), BC = Σ sqrt(p_ref · p_cur) clipped to
 * [0, 1], no zero filling. Categorical columns use the category shares. Numeric columns always use a
 * histogram whose Sturges edges come from the DISTINCT values of reference ∪ current (not from all
 * rows, unlike the other binned tests), with numpy's densities times the mean bin width. Pure, no Node.
 */
import { histogramCounts, sturgesEdgesOf } from './binning';
import type { ColumnSample, NumericSample, SortedSample } from './samples';
import { sampleSize, unionKeys, valueCounts } from './value-counts';

/** sqrt(1 − clip(bc, 0, 1)). */
function distanceOfCoefficient(bc: number): number {
  return Math.sqrt(1 - Math.min(Math.max(bc, 0), 1));
}

/** Distinct values of two sorted samples together, by a merge walk (exact samples give the exact count). */
function distinctInUnion(a: SortedSample, b: SortedSample): number {
  let i = 0;
  let j = 0;
  let count = 0;
  while (i < a.values.length || j < b.values.length) {
    const next = Math.min(i < a.values.length ? a.values[i]! : Infinity, j < b.values.length ? b.values[j]! : Infinity);
    while (i < a.values.length && a.values[i] === next) i++;
    while (j < b.values.length && b.values[j] === next) j++;
    count++;
  }
  return count;
}

function distinctCount(reference: NumericSample, current: NumericSample): number {
  if (reference.distinct !== null && current.distinct !== null) {
    return unionKeys(reference.distinct, current.distinct).length;
  }
  return distinctInUnion(reference.sorted, current.sorted);
}

/** np.histogram(..., density=True): count / bin width / total count. */
function densities(sample: SortedSample, edges: Float64Array): Float64Array {
  const counts = histogramCounts(sample, edges);
  let total = 0;
  for (const count of counts) total += count;
  return counts.map((count, i) => count / (edges[i + 1]! - edges[i]!) / total);
}

function numericHellinger(reference: NumericSample, current: NumericSample): number {
  const ref = reference.sorted;
  const cur = current.sorted;
  const min = Math.min(ref.values[0]!, cur.values[0]!);
  const max = Math.max(ref.values[ref.values.length - 1]!, cur.values[cur.values.length - 1]!);
  const edges = sturgesEdgesOf(min, max, distinctCount(reference, current));
  const h1 = densities(ref, edges);
  const h2 = densities(cur, edges);
  const width = (edges[edges.length - 1]! - edges[0]!) / (edges.length - 1);
  let bc = 0;
  for (let i = 0; i < h1.length; i++) bc += Math.sqrt(h1[i]! * h2[i]!) * width;
  return distanceOfCoefficient(bc);
}

function categoricalHellinger(reference: ColumnSample, current: ColumnSample): number {
  const refCounts = valueCounts(reference);
  const curCounts = valueCounts(current);
  const refN = sampleSize(reference);
  const curN = sampleSize(current);
  let bc = 0;
  for (const key of unionKeys(refCounts, curCounts)) {
    bc += Math.sqrt(((refCounts.get(key) ?? 0) / refN) * ((curCounts.get(key) ?? 0) / curN));
  }
  return distanceOfCoefficient(bc);
}

export function hellingerTest(reference: ColumnSample, current: ColumnSample): number {
  if (reference.kind !== current.kind) {
    throw new Error(`hellinger: reference is ${reference.kind} but current is ${current.kind}`);
  }
  if (sampleSize(reference) === 0) throw new Error('hellinger: the reference sample is empty');
  if (sampleSize(current) === 0) throw new Error('hellinger: the current sample is empty');
  // The kinds are equal here, so a numeric reference means a numeric current.
  return reference.kind === 'numeric'
    ? numericHellinger(reference, current as NumericSample)
    : categoricalHellinger(reference, current);
}
