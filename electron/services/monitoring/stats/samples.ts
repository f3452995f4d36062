/**
 * What every drift statistic reads. Pure data, no Node: these cross into the monitoring worker.
 *
 * A numeric column is a sorted sample. While a reference holds up to EXACT_REFERENCE_LIMIT values the
 * sample is the values themselves (`weights` null: each counts once), so the statistics equal scipy's.
 * Beyond that the reference is a quantile sketch: sorted support points, each standing for `weights[i]`
 * values, and `rankError` bounds how far its cumulative share can be from the true one at any x.
 */
export interface SortedSample {
  /** Finite values, ascending. NaN and ±Infinity are never here (they are data quality, not drift). */
  values: Float64Array;
  /** How many original values each point stands for; null when each point is one value. */
  weights: Float64Array | null;
  /** How many values the sample stands for (the sum of weights, or values.length). */
  n: number;
  /** Largest possible error of the sample's CDF at any x, as a share (0 when exact). */
  rankError: number;
}

/** A numeric column: its sorted values, and its value counts while it has few distinct values. */
export interface NumericSample {
  kind: 'numeric';
  sorted: SortedSample;
  /** value → count while the column has at most DISTINCT_LIMIT distinct values; null beyond. */
  distinct: Map<number, number> | null;
}

/** A categorical column: how often each category occurs (missing values are not categories). */
export interface CategoricalSample {
  kind: 'categorical';
  counts: Map<string, number>;
  n: number;
}

export type ColumnSample = NumericSample | CategoricalSample;

/** The most values a reference keeps exactly; larger references are sketched. */
export const EXACT_REFERENCE_LIMIT = 1_000_000;
/** Value counts are kept up to this many distinct values (enough to decide nu ≤ 5 and "more than 20"). */
export const DISTINCT_LIMIT = 1_000;

/** The sample a plain array of finite numbers makes (tests, current windows). */
export function sortedSampleOf(values: ArrayLike<number>): SortedSample {
  const sorted = Float64Array.from(values).sort();
  return { values: sorted, weights: null, n: sorted.length, rankError: 0 };
}
