/**
 * The two-sample Cramér-von Mises test, equal to scipy 1.10.1's
 * `cramervonmises_2samp(reference, current, method='auto')`: T from the pooled mid-ranks
 * (Anderson 1962, eq. 9-10), the exact null distribution while both samples hold at most 20
 * values, else the limiting distribution of the normalised statistic (Csörgő and Faraway 1996).
 *
 * Sketched (weighted) samples: T is Anderson's integral form T = (mn/N)·∫(F − G)² dH over the
 * weighted CDFs F, G and the pooled H, at the distinct support points; without ties and with unit
 * weights this is the mid-rank formula exactly. Its distance from the unsketched statistic is at
 * most (mn/N)·(2ε + 4ε_H), with ε = rankError(reference) + rankError(current) (|F̂ − Ĝ| and
 * |F − G| are at most 1, so the integrands differ by ≤ 2ε) and ε_H = (m·ε_ref + n·ε_cur)/N the
 * pooled CDF's error, integrated against the variation of (F − G)², which is at most 4. The bound is
 * to the integral form on the unsketched values, which is scipy's statistic for values without ties.
 * The p-value of a weighted sample always comes from the limiting distribution. Pure: no Node.
 */
import { besselKScaled } from './bessel-k';
import type { SortedSample } from './samples';

export interface CvmResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
  /** Largest possible difference between `statistic` and the unsketched samples' statistic. */
  errorBound: number;
}

/** scipy's 'auto' rule: exact while neither sample has more than this many values. */
const MAX_EXACT_N = 20;

/** The CvM test of `current` against `reference`, as scipy's cramervonmises_2samp with method='auto'. */
export function cramerVonMisesTwoSample(reference: SortedSample, current: SortedSample): CvmResult {
  checkSample('reference', reference);
  checkSample('current', current);
  const weighted = reference.weights !== null || current.weights !== null;
  const nx = weighted ? reference.n : reference.values.length;
  const ny = weighted ? current.n : current.values.length;
  const k = nx * ny;
  const N = nx + ny;
  if (weighted) {
    const t = weightedStatistic(reference, current);
    const eps = reference.rankError + current.rankError;
    const epsPooled = (nx * reference.rankError + ny * current.rankError) / N;
    return { statistic: t, pValue: asymptoticPValue(t, nx, ny), method: 'asymptotic', errorBound: (k / N) * (2 * eps + 4 * epsPooled) };
  }
  const u = rankStatisticU(reference.values, current.values);
  const t = u / (k * N) - (4 * k - 1) / (6 * N);
  if (Math.max(nx, ny) <= MAX_EXACT_N) return { statistic: t, pValue: exactPValue(u, nx, ny), method: 'exact', errorBound: 0 };
  return { statistic: t, pValue: asymptoticPValue(t, nx, ny), method: 'asymptotic', errorBound: 0 };
}

/**
 * U = nx·Σ(r_i − i)² + ny·Σ(s_j − j)², r and s the mid-ranks of each sample's values in the pooled
 * sample (scipy's rankdata 'average'). Each square is an exact quarter-integer; the sums are
 * compensated so a million terms lose no more than scipy's pairwise sum does.
 */
export function rankStatisticU(x: Float64Array, y: Float64Array): number {
  const sx = new CompensatedSum();
  const sy = new CompensatedSum();
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    const v = j >= y.length || (i < x.length && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    let ei = i;
    let ej = j;
    while (ei < x.length && x[ei] === v) ei++;
    while (ej < y.length && y[ej] === v) ej++;
    // The tied block holds pooled positions i+j+1 … ei+ej; its mid-rank is their mean.
    const rank = (i + j + 1 + ei + ej) / 2;
    for (let a = i; a < ei; a++) sx.add((rank - (a + 1)) ** 2);
    for (let b = j; b < ej; b++) sy.add((rank - (b + 1)) ** 2);
    i = ei;
    j = ej;
  }
  return x.length * sx.value() + y.length * sy.value();
}

/** T = (mn/N) Σ_z h(z)(F(z) − G(z))² over the distinct pooled values z, h(z) the pooled share at z. */
function weightedStatistic(reference: SortedSample, current: SortedSample): number {
  const a = reference.values;
  const b = current.values;
  const wa = reference.weights;
  const wb = current.weights;
  const totalA = wa === null ? a.length : sumOf(wa);
  const totalB = wb === null ? b.length : sumOf(wb);
  const m = reference.n;
  const n = current.n;
  const sum = new CompensatedSum();
  let i = 0;
  let j = 0;
  let seenA = 0;
  let seenB = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    let atA = 0;
    let atB = 0;
    for (; i < a.length && a[i] === v; i++) atA += wa === null ? 1 : wa[i]!;
    for (; j < b.length && b[j] === v; j++) atB += wb === null ? 1 : wb[j]!;
    seenA += atA;
    seenB += atB;
    const share = (m * (atA / totalA) + n * (atB / totalB)) / (m + n);
    sum.add(share * (seenA / totalA - seenB / totalB) ** 2);
  }
  return ((m * n) / (m + n)) * sum.value();
}

/**
 * scipy's `_pval_cvm_2samp_exact` (Xiao, Gordon and Yakovlev 2006): the frequencies of
 * Σ(a·v − b·u)² over all lattice paths to (n, m), counted cell by cell; p is the share of paths
 * whose sum reaches ζ, the value U maps to.
 */
export function exactPValue(u: number, m: number, n: number): number {
  const l = lcm(m, n);
  const a = l / m;
  const b = l / n;
  const mn = m * n;
  const zeta = floorDivide(l ** 2 * (m + n) * (6 * u - mn * (4 * mn - 1)), 6 * mn ** 2);
  // gs[v]: the distribution (ascending values, their path counts) of the sums over paths to (row, v).
  const empty: PathSums = { values: new Float64Array(0), counts: new Float64Array(0) };
  let gs: PathSums[] = [{ values: Float64Array.of(0), counts: Float64Array.of(1) }];
  for (let v = 1; v <= m; v++) gs.push(empty);
  for (let row = 0; row <= n; row++) {
    const next: PathSums[] = [];
    let tmp = empty;
    for (let v = 0; v <= m; v++) {
      // Paths reach (row, v) from (row, v − 1) or (row − 1, v); each adds this point's term.
      tmp = mergeShifted(tmp, gs[v]!, (a * v - b * row) ** 2);
      next.push(tmp);
    }
    gs = next;
  }
  const last = gs[m]!;
  let atLeast = 0;
  for (let i = 0; i < last.values.length; i++) if (last.values[i]! >= zeta) atLeast += last.counts[i]!;
  return atLeast / binomial(m + n, m);
}

interface PathSums {
  values: Float64Array;
  counts: Float64Array;
}

/** The union of two path-sum distributions (counts of equal sums added), every sum raised by `shift`. */
function mergeShifted(x: PathSums, y: PathSums, shift: number): PathSums {
  const values = new Float64Array(x.values.length + y.values.length);
  const counts = new Float64Array(values.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < x.values.length || j < y.values.length) {
    const xv = i < x.values.length ? x.values[i]! : Number.POSITIVE_INFINITY;
    const yv = j < y.values.length ? y.values[j]! : Number.POSITIVE_INFINITY;
    if (xv <= yv) {
      values[k] = xv + shift;
      counts[k] = x.counts[i++]!;
      if (xv === yv) counts[k]! += y.counts[j++]!;
    } else {
      values[k] = yv + shift;
      counts[k] = y.counts[j++]!;
    }
    k++;
  }
  return { values: values.subarray(0, k), counts: counts.subarray(0, k) };
}

/**
 * P(T > t) from the limit law of the normalised statistic (Anderson 1962, eq. 11, 14, 15), with
 * scipy's cut-off: below 0.003 the limiting CDF is under 1.3e-18, so p is 1.
 */
export function asymptoticPValue(t: number, nx: number, ny: number): number {
  const k = nx * ny;
  const N = nx + ny;
  const et = (1 + 1 / N) / 6;
  const vt = ((N + 1) * (4 * k * N - 3 * (nx ** 2 + ny ** 2) - 2 * k)) / (45 * N ** 2 * 4 * k);
  const tn = 1 / 6 + (t - et) / Math.sqrt(45 * vt);
  if (tn < 0.003) return 1;
  return Math.max(0, 1 - cvmLimitCdf(tn));
}

/**
 * The CDF of the one-sample CvM statistic for infinite n (Csörgő and Faraway 1996, eq. 1.2-1.3),
 * summed as scipy's `_cdf_cvm_inf` does: until a term falls below 1e-7 (that term included).
 */
export function cvmLimitCdf(x: number): number {
  let total = 0;
  // Γ(k + 1/2)/Γ(k + 1), by its recurrence from Γ(1/2)/Γ(1) = √π.
  let gammaRatio = Math.sqrt(Math.PI);
  for (let k = 0; ; k++) {
    const y = 4 * k + 1;
    const q = y ** 2 / (16 * x);
    const u = gammaRatio / (Math.PI ** 1.5 * Math.sqrt(x));
    // e^{−q}·K_{1/4}(q) = e^{−2q}·(e^{q}K_{1/4}(q)); split so it underflows only when the term does.
    const z = u * Math.sqrt(y) * Math.exp(-q) * Math.exp(-q) * besselKScaled(0.25, q);
    total += z;
    if (!(Math.abs(z) >= 1e-7)) return total;
    gammaRatio *= (k + 0.5) / (k + 1);
  }
}

/** Neumaier's compensated sum: a million rounded additions lose no more than one does. */
export class CompensatedSum {
  private sum = 0;
  private carry = 0;

  add(x: number): void {
    const t = this.sum + x;
    this.carry += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }

  value(): number {
    return this.sum + this.carry;
  }
}

/**
 * Python's a // b for the exact integers and quarter-integers below 2^51 it sees here: there a / b
 * is never rounded across an integer, so its floor is the floor of the true quotient.
 */
function floorDivide(a: number, b: number): number {
  return Math.floor(a / b);
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

function lcm(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return (a / x) * b;
}

function sumOf(weights: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i]!;
  return sum;
}

function checkSample(field: string, sample: SortedSample): void {
  if (sample.values.length < 2 && sample.weights === null) {
    throw new Error(`${field}: ${sample.values.length} value(s); the Cramér-von Mises test needs at least two`);
  }
  if (sample.weights !== null && (sample.weights.length !== sample.values.length || !(sample.n >= 2))) {
    throw new Error(`${field}: a weighted sample needs one weight per value and n of at least 2`);
  }
}
