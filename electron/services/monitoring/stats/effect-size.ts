/**
 * An effect size to read beside each drift verdict, because on large windows a p-value flags
 * shifts too small to matter. Numeric columns: how far the mean moved, in reference standard
 * deviations. Categorical columns: the total variation distance of the category shares (the share
 * of rows that would have to change category). Computable from the samples alone. Pure, no Node.
 */
import { sampleMoments } from './sample-moments';
import type { ColumnSample } from './samples';
import { sampleSize, unionKeys, valueCounts } from './value-counts';
import { MIN_NORM } from './wasserstein';

export interface EffectSize {
  name: string;
  value: number;
  text: string;
}

/** `decimals` decimals for ordinary sizes; two significant digits below that, so tiny ones do not read as 0. */
function formatMagnitude(value: number, decimals: number): string {
  const magnitude = Math.abs(value);
  if (magnitude === 0 || magnitude >= 10 ** -decimals) return magnitude.toFixed(decimals);
  return magnitude.toPrecision(2);
}

function signed(value: number): string {
  return `${value < 0 ? '−' : '+'}${formatMagnitude(value, 2)}`;
}

/** `byValue`: a numeric column tested by value (chi-square, Z: a few distinct values such as class ids) reads as category shares. */
export function effectSize(reference: ColumnSample, current: ColumnSample, byValue = false): EffectSize {
  if (reference.kind !== current.kind) {
    throw new Error(`effect size: reference is ${reference.kind} but current is ${current.kind}`);
  }
  if (sampleSize(reference) === 0) throw new Error('effect size: the reference sample is empty');
  if (sampleSize(current) === 0) throw new Error('effect size: the current sample is empty');
  if (reference.kind === 'numeric' && current.kind === 'numeric' && !byValue) {
    const ref = sampleMoments(reference.sorted);
    const cur = sampleMoments(current.sorted);
    // The same floor as the normed Wasserstein distance, so a constant reference stays finite.
    const value = (cur.mean - ref.mean) / Math.max(ref.std, MIN_NORM);
    return { name: 'mean shift (reference σ)', value, text: `mean moved ${signed(value)} σ` };
  }
  const refCounts = valueCounts(reference);
  const curCounts = valueCounts(current);
  const refN = sampleSize(reference);
  const curN = sampleSize(current);
  let total = 0;
  for (const key of unionKeys(refCounts, curCounts)) {
    total += Math.abs((refCounts.get(key) ?? 0) / refN - (curCounts.get(key) ?? 0) / curN);
  }
  const value = total / 2;
  return {
    name: 'total variation distance',
    value,
    text: `${formatMagnitude(value * 100, 1)}% of rows changed category`,
  };
}
