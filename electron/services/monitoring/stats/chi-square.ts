/**
 * Evidently's chi-square drift test: keys = values of reference ∪ current, expected = reference
 * count × n_cur / n_ref, observed = current count, then scipy's `chisquare(observed, expected)`.
 * Pure, no Node.
 */
import { CompensatedSum } from './compensated-sum';
import type { ColumnSample } from './samples';
import { chiSquareSf } from './special-functions';
import { sampleSize, unionKeys, valueCounts } from './value-counts';

export interface PValueResult {
  statistic: number;
  pValue: number;
}

/**
 * scipy.stats.chisquare(observed, expected): Pearson's statistic with k − 1 degrees of freedom.
 * A key the reference never saw has expected 0, so the statistic is infinite and p is 0, as in scipy.
 * With a single key there is nothing to compare: the statistic is 0 and p is 1 (scipy gives NaN).
 */
export function chiSquareStatistic(observed: ArrayLike<number>, expected: ArrayLike<number>): PValueResult {
  if (observed.length !== expected.length) {
    throw new Error(`chi-square: observed has ${observed.length} counts but expected has ${expected.length}`);
  }
  if (observed.length === 0) throw new Error('chi-square: no categories to compare');
  const sum = new CompensatedSum();
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i]!;
    const e = expected[i]!;
    sum.add(((o - e) * (o - e)) / e);
  }
  const statistic = sum.value;
  if (observed.length === 1) return { statistic: 0, pValue: 1 };
  return { statistic, pValue: chiSquareSf(statistic, observed.length - 1) };
}

/** The chi-square test of the current column's value counts against the reference's shares. */
export function chiSquareTest(reference: ColumnSample, current: ColumnSample): PValueResult {
  const refN = sampleSize(reference);
  const curN = sampleSize(current);
  if (refN === 0) throw new Error('chi-square: the reference sample is empty');
  if (curN === 0) throw new Error('chi-square: the current sample is empty');
  const refCounts = valueCounts(reference);
  const curCounts = valueCounts(current);
  const keys = unionKeys(refCounts, curCounts);
  const scale = curN / refN;
  const expected = keys.map((key) => (refCounts.get(key) ?? 0) * scale);
  const observed = keys.map((key) => curCounts.get(key) ?? 0);
  return chiSquareStatistic(observed, expected);
}
