/**
 * The two-sided two-sample Kolmogorov-Smirnov test, equal to scipy 1.10.1's
 * `ks_2samp(reference, current, alternative='two-sided', method='auto')`: the exact null
 * distribution while both samples hold at most 10,000 values (falling back to the asymptotic one
 * where scipy's exact computation fails), else `kstwo.sf(d, round(n1·n2/(n1+n2)))`.
 *
 * The statistic is one merge walk over the two sorted samples, so a million values cost
 * milliseconds. A sketched (weighted) sample contributes its weighted CDF; the p-value then uses
 * the sizes the samples stand for, and `errorBound` is how far the statistic can be from the one
 * the unsketched values would give (each CDF is off by at most its rankError). Pure: no Node.
 */
import { kolmogorovSf } from './kolmogorov-distribution';
import type { SortedSample } from './samples';

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymp';
  /** Largest possible difference between `statistic` and the unsketched samples' statistic. */
  errorBound: number;
}

/** scipy's MAX_AUTO_N: 'auto' is exact while both samples have at most this many values. */
const MAX_EXACT_N = 10_000;

/** sup |F_ref − F_cur| over the pooled values, each CDF counted as scipy's searchsorted(side='right') does. */
export function ksStatistic(reference: SortedSample, current: SortedSample): number {
  const a = reference.values;
  const b = current.values;
  const wa = reference.weights;
  const wb = current.weights;
  const totalA = wa === null ? a.length : sumOf(wa);
  const totalB = wb === null ? b.length : sumOf(wb);
  let i = 0;
  let j = 0;
  let seenA = 0;
  let seenB = 0;
  let max = 0;
  let min = 0;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    for (; i < a.length && a[i]! <= x; i++) seenA += wa === null ? 1 : wa[i]!;
    for (; j < b.length && b[j]! <= x; j++) seenB += wb === null ? 1 : wb[j]!;
    const diff = seenA / totalA - seenB / totalB;
    if (diff > max) max = diff;
    else if (diff < min) min = diff;
  }
  // −min is already in [0, 1] (scipy clips it there); scipy takes it only when strictly larger.
  return -min > max ? -min : max;
}

/** The KS test of `current` against `reference`, two-sided, as scipy's ks_2samp with method='auto'. */
export function ksTwoSample(reference: SortedSample, current: SortedSample): KsResult {
  checkSample('reference', reference);
  checkSample('current', current);
  const n1 = Math.round(reference.n);
  const n2 = Math.round(current.n);
  const errorBound = reference.rankError + current.rankError;
  let d = ksStatistic(reference, current);
  if (Math.max(n1, n2) <= MAX_EXACT_N) {
    const exact = exactTwoSided(n1, n2, d);
    d = exact.d;
    if (exact.p !== null) return { statistic: d, pValue: clip(exact.p), method: 'exact', errorBound };
  }
  const en = (n1 * n2) / (n1 + n2);
  return { statistic: d, pValue: clip(kolmogorovSf(roundHalfEven(en), d)), method: 'asymp', errorBound };
}

/**
 * scipy's `_attempt_exact_2kssamp` (two-sided): d rounded to the lattice of multiples of
 * 1/lcm(n1, n2), and its exact p-value, or null where scipy's computation gives up.
 */
function exactTwoSided(n1: number, n2: number, d: number): { d: number; p: number | null } {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const rounded = h / lcm;
  if (h === 0) return { d: rounded, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  return { d: rounded, p: p >= 0 && p <= 1 ? p : null };
}

/**
 * P(D_{n,n} ≥ h/n) = 2·(A0 − A0A1 + A0A1A2 − …) with each ratio of binomials evaluated by a
 * Horner-like product, as scipy's `_compute_prob_outside_square` does to avoid cancellation.
 */
export function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * The share of lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| < h/lcm(m,n):
 * Hodges' inside method in Viehmann's form, which carries 1 − p column by column (scipy's
 * `_compute_outer_prob_inside_method`).
 */
export function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)));
  }
  return A[maxj - minj - 1]!;
}

function checkSample(field: string, sample: SortedSample): void {
  if (sample.values.length === 0 || !(sample.n > 0)) throw new Error(`${field}: the sample is empty; the KS test needs at least one value`);
  if (sample.weights !== null && sample.weights.length !== sample.values.length) {
    throw new Error(`${field}: ${sample.weights.length} weights for ${sample.values.length} values`);
  }
}

function sumOf(weights: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i]!;
  return sum;
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** numpy's round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const clip = (p: number): number => Math.min(1, Math.max(0, p));
