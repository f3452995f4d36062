/**
 * Kullback-Leibler divergence KL(reference ‖ current) as Evidently computes it: scipy's
 * `entropy(r, c)` (natural log; both vectors normalized to sum 1) over zero-filled binned shares.
 * Pure, no Node.
 */
import { binnedShares } from './binning';
import { CompensatedSum } from './compensated-sum';
import { relativeEntropyTerm } from './jensen-shannon';
import type { ColumnSample } from './samples';

function total(shares: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < shares.length; i++) sum += shares[i]!;
  return sum;
}

/** scipy.stats.entropy(p, q): Σ p ln(p / q) after normalizing p and q. */
export function klDivergenceOfShares(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new Error(`kl divergence: p has ${p.length} shares but q has ${q.length}`);
  const pTotal = total(p);
  const qTotal = total(q);
  if (!(pTotal > 0) || !(qTotal > 0)) throw new Error('kl divergence: a share vector sums to zero');
  const sum = new CompensatedSum();
  for (let i = 0; i < p.length; i++) sum.add(relativeEntropyTerm(p[i]! / pTotal, q[i]! / qTotal));
  return sum.value;
}

export function klDivergenceTest(reference: ColumnSample, current: ColumnSample): number {
  const shares = binnedShares(reference, current, true);
  return klDivergenceOfShares(shares.reference, shares.current);
}
