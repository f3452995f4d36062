/**
 * The drift methods by name: Evidently's default choice per column, its default thresholds, and one
 * entry point that runs a method on a reference and a current sample. Pure, no Node.
 */
import { binsByHistogram } from './binning';
import { chiSquareTest } from './chi-square';
import { cramerVonMisesTwoSample } from './cramer-von-mises';
import { hellingerTest } from './hellinger';
import { jensenShannonTest } from './jensen-shannon';
import { klDivergenceTest } from './kl-divergence';
import { ksTwoSample } from './ks-two-sample';
import { psiTest } from './psi';
import type { ColumnSample, NumericSample } from './samples';
import { distinctValueCount, sampleSize } from './value-counts';
import { normedWassersteinDistance } from './wasserstein';
import { zTest } from './z-test';

export { effectSize, type EffectSize } from './effect-size';

export type DriftMethodName =
  | 'ks'
  | 'chisquare'
  | 'z'
  | 'wasserstein'
  | 'jensenshannon'
  | 'psi'
  | 'kl_div'
  | 'hellinger'
  | 'cramer_von_mises';

export const DRIFT_METHODS: readonly DriftMethodName[] = [
  'ks',
  'chisquare',
  'z',
  'wasserstein',
  'jensenshannon',
  'psi',
  'kl_div',
  'hellinger',
  'cramer_von_mises',
];

export interface DriftTestResult {
  method: DriftMethodName;
  statistic: number;
  /** The p-value for tests that have one (ks, chisquare, z, cramer_von_mises); null for distances. */
  pValue: number | null;
  threshold: number;
  drift: boolean;
  /** How far the statistic can be from the unsketched data's (0 when exact); null when no bound is known. */
  errorBound: number | null;
  basis: 'p-value' | 'distance';
}

/** Evidently uses the small-sample tests up to this many reference rows. */
export const SMALL_REFERENCE_ROWS = 1000;

const P_VALUE_METHODS: ReadonlySet<DriftMethodName> = new Set(['ks', 'chisquare', 'z', 'cramer_von_mises']);

export function isDriftMethodName(name: string): name is DriftMethodName {
  return (DRIFT_METHODS as readonly string[]).includes(name);
}

/**
 * Evidently's default test. nu = distinct non-missing values in reference ∪ current. Reference of at
 * most 1,000 rows: numeric with nu > 5 → ks; otherwise chisquare when nu > 2, else z. Larger
 * reference: numeric with nu > 5 → wasserstein (normed); otherwise jensenshannon.
 */
export function defaultMethod(reference: ColumnSample, current: ColumnSample): DriftMethodName {
  const nu = distinctValueCount(reference, current);
  const manyNumericValues = reference.kind === 'numeric' && nu > 5;
  if (sampleSize(reference) <= SMALL_REFERENCE_ROWS) {
    if (manyNumericValues) return 'ks';
    return nu > 2 ? 'chisquare' : 'z';
  }
  return manyNumericValues ? 'wasserstein' : 'jensenshannon';
}

/** Evidently's default thresholds: 0.05 on p-values, 0.1 on distances. */
export function defaultThreshold(method: DriftMethodName): number {
  return P_VALUE_METHODS.has(method) ? 0.05 : 0.1;
}

function checkThreshold(method: DriftMethodName, threshold: number): void {
  const pValue = P_VALUE_METHODS.has(method);
  if (!Number.isFinite(threshold) || threshold < 0 || (pValue && threshold > 1)) {
    const range = pValue ? 'a p-value threshold between 0 and 1' : 'a finite distance threshold >= 0';
    throw new Error(`threshold for ${method} must be ${range}, got ${threshold}`);
  }
}

function numericPair(method: DriftMethodName, reference: ColumnSample, current: ColumnSample): [NumericSample, NumericSample] {
  // runDriftMethod has made the kinds equal, so the reference's kind is the column's.
  if (reference.kind === 'categorical') throw new Error(`${method} needs a numeric column, but the column is categorical`);
  return [reference, current as NumericSample];
}

/**
 * Binned statistics are exact unless a sketch was cut into histogram bins (its counts per bin are
 * then approximate and no simple bound carries through the logarithms): 0, or null for unknown.
 */
function binnedErrorBound(reference: ColumnSample, current: ColumnSample, histogram: boolean): number | null {
  const sketched = (s: ColumnSample) => s.kind === 'numeric' && s.sorted.rankError > 0;
  return histogram && (sketched(reference) || sketched(current)) ? null : 0;
}

interface Measured {
  statistic: number;
  pValue: number | null;
  errorBound: number | null;
}

function measure(method: DriftMethodName, reference: ColumnSample, current: ColumnSample): Measured {
  const distance = (statistic: number, histogram: boolean): Measured => ({
    statistic,
    pValue: null,
    errorBound: binnedErrorBound(reference, current, histogram),
  });
  switch (method) {
    case 'ks': {
      const [ref, cur] = numericPair(method, reference, current);
      const result = ksTwoSample(ref.sorted, cur.sorted);
      return { statistic: result.statistic, pValue: result.pValue, errorBound: result.errorBound };
    }
    case 'cramer_von_mises': {
      const [ref, cur] = numericPair(method, reference, current);
      const result = cramerVonMisesTwoSample(ref.sorted, cur.sorted);
      return { statistic: result.statistic, pValue: result.pValue, errorBound: result.errorBound };
    }
    case 'wasserstein': {
      const [ref, cur] = numericPair(method, reference, current);
      const result = normedWassersteinDistance(ref.sorted, cur.sorted);
      return { statistic: result.statistic, pValue: null, errorBound: result.errorBound };
    }
    case 'chisquare':
      // Value counts are exact (from the distinct maps or exact samples), so the test is exact.
      return { ...chiSquareTest(reference, current), errorBound: 0 };
    case 'z':
      return { ...zTest(reference, current), errorBound: 0 };
    case 'jensenshannon':
      return distance(jensenShannonTest(reference, current), binsByHistogram(reference));
    case 'psi':
      return distance(psiTest(reference, current), binsByHistogram(reference));
    case 'kl_div':
      return distance(klDivergenceTest(reference, current), binsByHistogram(reference));
    case 'hellinger':
      // Evidently's Hellinger always uses a histogram for numeric columns.
      return distance(hellingerTest(reference, current), reference.kind === 'numeric');
  }
}

/**
 * Runs one method. Drift: ks when p <= threshold; chisquare, z and cramer_von_mises when
 * p < threshold (as Evidently); distances when statistic >= threshold.
 */
export function runDriftMethod(
  method: DriftMethodName,
  reference: ColumnSample,
  current: ColumnSample,
  threshold: number = defaultThreshold(method),
): DriftTestResult {
  if (!isDriftMethodName(method)) throw new Error(`unknown drift method "${String(method)}"; known: ${DRIFT_METHODS.join(', ')}`);
  checkThreshold(method, threshold);
  if (reference.kind !== current.kind) {
    throw new Error(`${method}: reference is ${reference.kind} but current is ${current.kind}`);
  }
  if (sampleSize(reference) === 0) throw new Error(`${method}: the reference sample is empty`);
  if (sampleSize(current) === 0) throw new Error(`${method}: the current sample is empty`);
  const { statistic, pValue, errorBound } = measure(method, reference, current);
  if (pValue === null) {
    return { method, statistic, pValue, threshold, drift: statistic >= threshold, errorBound, basis: 'distance' };
  }
  const drift = method === 'ks' ? pValue <= threshold : pValue < threshold;
  return { method, statistic, pValue, threshold, drift, errorBound, basis: 'p-value' };
}
