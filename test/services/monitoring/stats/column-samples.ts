/**
 * Column samples built from plain arrays, as the profile builds them from exact data: numeric ones
 * with their value counts while at most DISTINCT_LIMIT distinct, categorical ones from strings.
 */
import {
  DISTINCT_LIMIT,
  sortedSampleOf,
  type CategoricalSample,
  type NumericSample,
  type SortedSample,
} from '../../../../electron/services/monitoring/stats/samples';

export function numericSample(values: ArrayLike<number>): NumericSample {
  const sorted = sortedSampleOf(values);
  const distinct = new Map<number, number>();
  for (const value of sorted.values) distinct.set(value, (distinct.get(value) ?? 0) + 1);
  return { kind: 'numeric', sorted, distinct: distinct.size <= DISTINCT_LIMIT ? distinct : null };
}

export function categoricalSample(values: readonly string[]): CategoricalSample {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return { kind: 'categorical', counts, n: values.length };
}

/** The same data as a weighted sample: each distinct value once, weighted by how often it occurs. */
export function weightedSortedSample(values: ArrayLike<number>): SortedSample {
  const exact = sortedSampleOf(values);
  const points: number[] = [];
  const weights: number[] = [];
  for (const value of exact.values) {
    if (points.length > 0 && points[points.length - 1] === value) weights[weights.length - 1] = weights[weights.length - 1]! + 1;
    else {
      points.push(value);
      weights.push(1);
    }
  }
  return { values: Float64Array.from(points), weights: Float64Array.from(weights), n: exact.n, rankError: 0 };
}

/** `n` strings drawn from `categories` with the given weights, by a seeded uniform generator. */
export function categories(uniform: () => number, n: number, names: readonly string[], weights: readonly number[]): string[] {
  const total = weights.reduce((a, b) => a + b, 0);
  return Array.from({ length: n }, () => {
    let u = uniform() * total;
    for (let i = 0; i < names.length; i++) {
      u -= weights[i]!;
      if (u < 0) return names[i]!;
    }
    return names[names.length - 1]!;
  });
}
