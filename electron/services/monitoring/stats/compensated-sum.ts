/**
 * Neumaier's compensated summation: sums of many terms (bins, merge steps) stay within a few ulps
 * of the exact sum, so they agree with numpy's pairwise sums far inside the 1e-9 the tests allow.
 * Pure, no Node.
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(term: number): void {
    const next = this.sum + term;
    if (Math.abs(this.sum) >= Math.abs(term)) this.compensation += this.sum - next + term;
    else this.compensation += term - next + this.sum;
    this.sum = next;
  }

  get value(): number {
    // An infinite term makes the compensation NaN (∞ − ∞); the sum itself is then the answer.
    return Number.isFinite(this.sum) ? this.sum + this.compensation : this.sum;
  }
}

/** The compensated sum of an array. */
export function compensatedSum(terms: ArrayLike<number>): number {
  const sum = new CompensatedSum();
  for (let i = 0; i < terms.length; i++) sum.add(terms[i]!);
  return sum.value;
}
