/**
 * How often each value occurs in a column, and how many distinct values two columns hold together:
 * what the by-value tests (chi-square, Z, by-value binning) and the default-test rule read. Pure, no Node.
 */
import { DISTINCT_LIMIT, type ColumnSample, type NumericSample, type SortedSample } from './samples';

export type ValueKey = number | string;

/** Value counts of an exact sorted sample (each point one value). */
function countsOfExact(sorted: SortedSample): Map<number, number> {
  const counts = new Map<number, number>();
  for (const value of sorted.values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/**
 * value → count. Numeric columns use their `distinct` map; without one (more than DISTINCT_LIMIT
 * distinct values) an exact sample is counted from its sorted values. A sketched sample without a
 * map cannot be counted by value, so that is an error.
 */
export function valueCounts(sample: ColumnSample): Map<ValueKey, number> {
  if (sample.kind === 'categorical') return sample.counts;
  if (sample.distinct !== null) return sample.distinct;
  if (sample.sorted.weights !== null) {
    throw new Error(
      `cannot count values by value: the column is a sketch with more than ${DISTINCT_LIMIT} distinct values`,
    );
  }
  return countsOfExact(sample.sorted);
}

/** How many values a column stands for (missing values excluded). */
export function sampleSize(sample: ColumnSample): number {
  return sample.kind === 'categorical' ? sample.n : sample.sorted.n;
}

/** The keys of both maps, once each; numbers ascending, strings in code-unit order. */
export function unionKeys(a: Map<ValueKey, number>, b: Map<ValueKey, number>): ValueKey[] {
  const keys = new Set<ValueKey>(a.keys());
  for (const key of b.keys()) keys.add(key);
  return [...keys].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/**
 * nu: distinct non-missing values in reference ∪ current, from the `distinct` maps. A numeric
 * column without a map has more than DISTINCT_LIMIT distinct values, so nu is Infinity then.
 */
export function distinctValueCount(reference: ColumnSample, current: ColumnSample): number {
  const refCounts = reference.kind === 'categorical' ? reference.counts : reference.distinct;
  const curCounts = current.kind === 'categorical' ? current.counts : current.distinct;
  if (refCounts === null || curCounts === null) return Infinity;
  const keys = new Set<ValueKey>(refCounts.keys());
  for (const key of curCounts.keys()) keys.add(key);
  return keys.size;
}

/** Distinct values in a numeric column alone (Infinity when beyond DISTINCT_LIMIT). */
export function numericDistinctCount(sample: NumericSample): number {
  return sample.distinct === null ? Infinity : sample.distinct.size;
}
