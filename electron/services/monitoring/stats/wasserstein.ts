/**
 * The first Wasserstein distance of two sorted samples (scipy's `wasserstein_distance(u, v)`):
 * ∫ |F_u − F_v| dx, walked once over both samples in order, O(n_u + n_v), weights respected.
 * And Evidently's normed variant: divided by max(population std of the reference, 0.001).
 * Pure, no Node.
 */
import { CompensatedSum } from './compensated-sum';
import { sampleMoments } from './sample-moments';
import type { SortedSample } from './samples';

/** Evidently's floor on the reference's std, so a constant reference does not divide by zero. */
export const MIN_NORM = 0.001;

function totalWeight(sample: SortedSample): number {
  if (sample.weights === null) return sample.values.length;
  let total = 0;
  for (const w of sample.weights) total += w;
  return total;
}

export function wassersteinDistance(u: SortedSample, v: SortedSample): number {
  const uv = u.values;
  const vv = v.values;
  if (uv.length === 0) throw new Error('wasserstein: the first sample is empty');
  if (vv.length === 0) throw new Error('wasserstein: the second sample is empty');
  const uw = u.weights;
  const vw = v.weights;
  const uTotal = totalWeight(u);
  const vTotal = totalWeight(v);
  const sum = new CompensatedSum();
  let i = 0;
  let j = 0;
  // Cumulative weight of the values <= the previous point (scipy's searchsorted 'right').
  let uSeen = 0;
  let vSeen = 0;
  // Starting at the smallest value makes the first step's width 0.
  let previous = Math.min(uv[0]!, vv[0]!);
  while (i < uv.length || j < vv.length) {
    const a = i < uv.length ? uv[i]! : Infinity;
    const b = j < vv.length ? vv[j]! : Infinity;
    const next = a < b ? a : b;
    sum.add(Math.abs(uSeen / uTotal - vSeen / vTotal) * (next - previous));
    for (; i < uv.length && uv[i] === next; i++) uSeen += uw === null ? 1 : uw[i]!;
    for (; j < vv.length && vv[j] === next; j++) vSeen += vw === null ? 1 : vw[j]!;
    previous = next;
  }
  return sum.value;
}

export interface NormedWasserstein {
  /** Wasserstein distance / max(std(reference), 0.001). */
  statistic: number;
  /** The unnormed distance. */
  distance: number;
  /** The divisor used. */
  norm: number;
  /**
   * How far the statistic can be from the exact one when the reference is a sketch: its CDF is off
   * by at most rankError everywhere, so ∫|ΔF| is off by at most rankError × the span of the data.
   * 0 when the reference is exact.
   */
  errorBound: number;
}

export function normedWassersteinDistance(reference: SortedSample, current: SortedSample): NormedWasserstein {
  const distance = wassersteinDistance(reference, current);
  const norm = Math.max(sampleMoments(reference).std, MIN_NORM);
  const lo = Math.min(reference.values[0]!, current.values[0]!);
  const hi = Math.max(reference.values[reference.values.length - 1]!, current.values[current.values.length - 1]!);
  return { statistic: distance / norm, distance, norm, errorBound: (reference.rankError * (hi - lo)) / norm };
}
