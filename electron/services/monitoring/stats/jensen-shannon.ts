/**
 * Jensen-Shannon distance as scipy's `jensenshannon(p, q)` (natural log): both share vectors are
 * normalized, m = (p + q) / 2, and the distance is sqrt((KL(p‖m) + KL(q‖m)) / 2). Evidently feeds it
 * binned shares without zero filling. Pure, no Node.
 */
import { binnedShares } from './binning';
import { CompensatedSum } from './compensated-sum';
import type { ColumnSample } from './samples';

/** scipy.special.rel_entr(x, y) for shares: x ln(x / y), 0 where x is 0. */
export function relativeEntropyTerm(x: number, y: number): number {
  if (x === 0 && y >= 0) return 0;
  if (x > 0 && y > 0) return x * Math.log(x / y);
  return Infinity;
}

function normalized(shares: ArrayLike<number>, name: string): Float64Array {
  let total = 0;
  for (let i = 0; i < shares.length; i++) total += shares[i]!;
  if (!(total > 0)) throw new Error(`jensen-shannon: the ${name} shares sum to ${total}, not a positive number`);
  return Float64Array.from(shares, (share) => share / total);
}

export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new Error(`jensen-shannon: p has ${p.length} shares but q has ${q.length}`);
  const pn = normalized(p, 'first');
  const qn = normalized(q, 'second');
  const sum = new CompensatedSum();
  for (let i = 0; i < pn.length; i++) {
    const m = (pn[i]! + qn[i]!) / 2;
    sum.add(relativeEntropyTerm(pn[i]!, m));
    sum.add(relativeEntropyTerm(qn[i]!, m));
  }
  // Rounding can leave a hair below zero for identical inputs; the distance is then 0.
  return Math.sqrt(Math.max(sum.value, 0) / 2);
}

/** Evidently's Jensen-Shannon drift statistic on binned shares (no zero filling). */
export function jensenShannonTest(reference: ColumnSample, current: ColumnSample): number {
  const shares = binnedShares(reference, current, false);
  return jensenShannonDistance(shares.reference, shares.current);
}
