/**
 * Population Stability Index as Evidently computes it: Σ (r − c) ln(r / c) over binned shares, with
 * empty bins zero-filled (0.0001, or the smallest non-zero share / 10^6). Pure, no Node.
 */
import { binnedShares } from './binning';
import { CompensatedSum } from './compensated-sum';
import type { ColumnSample } from './samples';

/** PSI of two share vectors that have no zeros. */
export function psiOfShares(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  if (reference.length !== current.length) {
    throw new Error(`psi: reference has ${reference.length} shares but current has ${current.length}`);
  }
  const sum = new CompensatedSum();
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    sum.add((r - c) * Math.log(r / c));
  }
  return sum.value;
}

export function psiTest(reference: ColumnSample, current: ColumnSample): number {
  const shares = binnedShares(reference, current, true);
  return psiOfShares(shares.reference, shares.current);
}
