import { describe, expect, it } from 'vitest';
import {
  DRIFT_METHODS,
  SMALL_REFERENCE_ROWS,
  defaultMethod,
  defaultThreshold,
  effectSize,
  isDriftMethodName,
  runDriftMethod,
  type DriftMethodName,
} from '../../../../electron/services/monitoring/stats/drift-methods';
import { sortedSampleOf, type NumericSample } from '../../../../electron/services/monitoring/stats/samples';
import { categoricalSample, numericSample } from './column-samples';

/** n numeric rows cycling through `levels` distinct values starting at `from`. */
const levels = (n: number, count: number, from = 0) => numericSample(Array.from({ length: n }, (_, i) => from + (i % count)));
const labels = (n: number, count: number) => categoricalSample(Array.from({ length: n }, (_, i) => `c${i % count}`));
const spread = (n: number, shift = 0) => numericSample(Array.from({ length: n }, (_, i) => shift + Math.sin(i * 12.9898) * 10));

describe("Evidently's default method", () => {
  it(`reference of ${SMALL_REFERENCE_ROWS} rows or fewer: ks for numeric nu > 5, chisquare for nu > 2, else z`, () => {
    expect(defaultMethod(levels(1000, 6), levels(50, 6))).toBe('ks');
    expect(defaultMethod(levels(1000, 5), levels(50, 5))).toBe('chisquare');
    expect(defaultMethod(levels(1000, 3), levels(50, 3))).toBe('chisquare');
    expect(defaultMethod(levels(1000, 2), levels(50, 2))).toBe('z');
    expect(defaultMethod(levels(10, 1), levels(5, 1))).toBe('z');
    expect(defaultMethod(labels(1000, 40), labels(50, 40))).toBe('chisquare');
    expect(defaultMethod(labels(1000, 3), labels(50, 3))).toBe('chisquare');
    expect(defaultMethod(labels(1000, 2), labels(50, 2))).toBe('z');
  });

  it('reference of more rows: normed wasserstein for numeric nu > 5, else jensenshannon', () => {
    expect(defaultMethod(levels(1001, 6), levels(50, 6))).toBe('wasserstein');
    expect(defaultMethod(levels(1001, 5), levels(50, 5))).toBe('jensenshannon');
    expect(defaultMethod(levels(1001, 2), levels(50, 2))).toBe('jensenshannon');
    expect(defaultMethod(labels(1001, 40), labels(50, 40))).toBe('jensenshannon');
    expect(defaultMethod(labels(1001, 2), labels(50, 2))).toBe('jensenshannon');
  });

  it('nu counts reference ∪ current, and a missing value map means many values', () => {
    // 3 values in each, 6 together.
    expect(defaultMethod(levels(100, 3), levels(100, 3, 3))).toBe('ks');
    expect(defaultMethod(levels(100, 3), levels(100, 3, 2))).toBe('chisquare');
    expect(defaultMethod(levels(100, 1), levels(100, 1, 1))).toBe('z');
    expect(defaultMethod(labels(100, 2), categoricalSample(['c0', 'c1', 'new']))).toBe('chisquare');
    const many: NumericSample = { kind: 'numeric', sorted: sortedSampleOf([1, 2]), distinct: null };
    expect(defaultMethod(many, levels(10, 1))).toBe('ks');
    expect(defaultMethod(levels(2000, 1), many)).toBe('wasserstein');
  });
});

describe('thresholds and verdicts', () => {
  it("Evidently's default thresholds: 0.05 on p-values, 0.1 on distances", () => {
    const expected: Record<DriftMethodName, number> = {
      ks: 0.05, chisquare: 0.05, z: 0.05, cramer_von_mises: 0.05,
      wasserstein: 0.1, jensenshannon: 0.1, psi: 0.1, kl_div: 0.1, hellinger: 0.1,
    };
    expect(Object.fromEntries(DRIFT_METHODS.map((m) => [m, defaultThreshold(m)]))).toEqual(expected);
    expect(runDriftMethod('psi', labels(100, 3), labels(90, 3)).threshold).toBe(0.1);
    expect(runDriftMethod('z', labels(100, 2), labels(90, 2)).threshold).toBe(0.05);
  });

  it('ks drifts when p <= threshold; chisquare, z and cramer_von_mises only when p < threshold', () => {
    const ref = spread(300);
    const cur = spread(200, 2);
    const ks = runDriftMethod('ks', ref, cur);
    expect(ks.basis).toBe('p-value');
    expect(runDriftMethod('ks', ref, cur, ks.pValue!).drift).toBe(true);
    expect(runDriftMethod('ks', ref, cur, ks.pValue! * 0.999).drift).toBe(false);

    const cvm = runDriftMethod('cramer_von_mises', ref, cur);
    expect(runDriftMethod('cramer_von_mises', ref, cur, cvm.pValue!).drift).toBe(false);
    expect(runDriftMethod('cramer_von_mises', ref, cur, cvm.pValue! * 1.001).drift).toBe(true);

    const a = labels(300, 4);
    const b = categoricalSample([...Array<string>(60).fill('c0'), ...Array<string>(40).fill('c1'), 'c2', 'c3']);
    const chi = runDriftMethod('chisquare', a, b);
    expect(chi.pValue).toBeGreaterThan(0);
    expect(runDriftMethod('chisquare', a, b, chi.pValue!).drift).toBe(false);
    expect(runDriftMethod('chisquare', a, b, chi.pValue! * 1.001).drift).toBe(true);

    const zRef = labels(300, 2);
    const zCur = categoricalSample([...Array<string>(70).fill('c0'), ...Array<string>(50).fill('c1')]);
    const z = runDriftMethod('z', zRef, zCur);
    expect(runDriftMethod('z', zRef, zCur, z.pValue!).drift).toBe(false);
    expect(runDriftMethod('z', zRef, zCur, z.pValue! * 1.001).drift).toBe(true);
  });

  it('distances drift when statistic >= threshold', () => {
    const ref = spread(300);
    const cur = spread(200, 0.5);
    for (const method of ['wasserstein', 'jensenshannon', 'psi', 'kl_div', 'hellinger'] as const) {
      const result = runDriftMethod(method, ref, cur);
      expect(result.basis, method).toBe('distance');
      expect(result.pValue, method).toBeNull();
      expect(result.statistic, method).toBeGreaterThan(0);
      expect(runDriftMethod(method, ref, cur, result.statistic).drift, method).toBe(true);
      expect(runDriftMethod(method, ref, cur, result.statistic * 1.001).drift, method).toBe(false);
    }
  });

  it('no shift, no drift; a clear shift drifts, for every method that applies', () => {
    const ref = spread(600);
    // The Z-test compares the share of one value, so it reads a two-valued column.
    for (const method of DRIFT_METHODS.filter((m) => m !== 'z')) {
      expect(runDriftMethod(method, ref, ref).drift, method).toBe(false);
      expect(runDriftMethod(method, ref, spread(400, 8)).drift, method).toBe(true);
    }
    expect(runDriftMethod('z', levels(600, 2), levels(400, 2)).drift).toBe(false);
    expect(runDriftMethod('z', levels(600, 2), levels(400, 2, 1)).drift).toBe(true);
  });

  it('the result names the method and threshold, with an error bound of 0 on exact samples', () => {
    const result = runDriftMethod('wasserstein', spread(300), spread(200, 1), 0.12);
    expect(result).toMatchObject({ method: 'wasserstein', threshold: 0.12, drift: true, errorBound: 0, basis: 'distance' });
    expect(runDriftMethod('chisquare', labels(50, 3), labels(40, 3)).errorBound).toBe(0);
    expect(runDriftMethod('hellinger', labels(50, 3), labels(40, 3)).errorBound).toBe(0);
    expect(runDriftMethod('psi', spread(300), spread(200)).errorBound).toBe(0);
    expect(runDriftMethod('hellinger', spread(300), spread(200)).errorBound).toBe(0);
  });

  it('a sketched reference: Wasserstein states its bound; histogram-binned distances say the bound is unknown', () => {
    const sketch: NumericSample = {
      kind: 'numeric',
      sorted: { values: Float64Array.from({ length: 100 }, (_, i) => i), weights: new Float64Array(100).fill(100), n: 10_000, rankError: 0.01 },
      distinct: null,
    };
    const cur = spread(200, 50);
    expect(runDriftMethod('wasserstein', sketch, cur).errorBound).toBeGreaterThan(0);
    expect(runDriftMethod('ks', sketch, cur).errorBound).toBeGreaterThan(0);
    for (const method of ['jensenshannon', 'psi', 'kl_div', 'hellinger'] as const) {
      expect(runDriftMethod(method, sketch, cur).errorBound, method).toBeNull();
      // A sketched current window (the reference exact) is just as approximate once binned.
      expect(runDriftMethod(method, spread(300), sketch).errorBound, method).toBeNull();
    }
    // A sketch with value counts and few values is split by value: exact.
    const fewValues: NumericSample = { ...levels(2000, 5), sorted: { ...levels(2000, 5).sorted, rankError: 0.01 } };
    expect(runDriftMethod('psi', fewValues, levels(100, 5)).errorBound).toBe(0);
    expect(runDriftMethod('hellinger', fewValues, levels(100, 5)).errorBound).toBeNull();
  });
});

describe('bad input', () => {
  it('numeric-only methods on a categorical column name the method and say why', () => {
    for (const method of ['ks', 'wasserstein', 'cramer_von_mises'] as const) {
      expect(() => runDriftMethod(method, labels(10, 2), labels(10, 2))).toThrow(new RegExp(`^${method} needs a numeric column, but the column is categorical$`));
    }
  });

  it('unknown methods, bad thresholds, mismatched kinds and empty samples', () => {
    expect(() => runDriftMethod('anderson' as DriftMethodName, spread(10), spread(10))).toThrow(/unknown drift method "anderson"; known: ks, chisquare/);
    expect(() => runDriftMethod('ks', spread(10), spread(10), 1.5)).toThrow(/threshold for ks must be a p-value threshold between 0 and 1, got 1.5/);
    expect(() => runDriftMethod('z', labels(10, 2), labels(10, 2), -0.1)).toThrow(/threshold for z must be/);
    expect(() => runDriftMethod('psi', spread(10), spread(10), NaN)).toThrow(/threshold for psi must be a finite distance threshold >= 0, got NaN/);
    expect(() => runDriftMethod('psi', spread(10), spread(10), Infinity)).toThrow(/threshold for psi/);
    expect(runDriftMethod('psi', spread(10), spread(10), 5).drift).toBe(false);
    expect(runDriftMethod('ks', spread(10), spread(10), 1).drift).toBe(true);
    expect(runDriftMethod('ks', spread(10), spread(10), 0).threshold).toBe(0);
    expect(() => runDriftMethod('psi', spread(10), labels(10, 2))).toThrow(/psi: reference is numeric but current is categorical/);
    expect(() => runDriftMethod('psi', numericSample([]), spread(10))).toThrow(/psi: the reference sample is empty/);
    expect(() => runDriftMethod('psi', spread(10), numericSample([]))).toThrow(/psi: the current sample is empty/);
  });

  it('method names', () => {
    expect(DRIFT_METHODS).toEqual(['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi', 'kl_div', 'hellinger', 'cramer_von_mises']);
    expect(isDriftMethodName('kl_div')).toBe(true);
    expect(isDriftMethodName('kl')).toBe(false);
  });
});

describe('effect size', () => {
  it('numeric: the mean shift in reference standard deviations', () => {
    // reference [1, 2, 3, 4]: mean 2.5, population std sqrt(1.25); current mean 3
    const result = effectSize(numericSample([1, 2, 3, 4]), numericSample([2, 4]));
    expect(result.name).toBe('mean shift (reference σ)');
    expect(result.value).toBeCloseTo(0.5 / Math.sqrt(1.25), 14);
    expect(result.text).toBe('mean moved +0.45 σ');
    expect(effectSize(numericSample([1, 2, 3, 4]), numericSample([1])).text).toBe('mean moved −1.34 σ');
    expect(effectSize(numericSample([1, 2, 3, 4]), numericSample([2.5])).text).toBe('mean moved +0.00 σ');
    // A tiny shift keeps two significant digits rather than reading as zero.
    expect(effectSize(numericSample([-1, 1]), numericSample([0.003])).text).toBe('mean moved +0.0030 σ');
    // A constant reference divides by 0.001, like the normed Wasserstein distance.
    expect(effectSize(numericSample([5, 5]), numericSample([5.001])).value).toBeCloseTo(1, 9);
  });

  it('categorical: the share of rows that changed category (total variation distance)', () => {
    const result = effectSize(categoricalSample(['a', 'a', 'b', 'b']), categoricalSample(['a', 'b', 'b', 'c']));
    expect(result).toEqual({ name: 'total variation distance', value: 0.25, text: '25.0% of rows changed category' });
    expect(effectSize(labels(4, 2), labels(2, 2)).text).toBe('0.0% of rows changed category');
    const tiny = effectSize(labels(10_000, 2), categoricalSample([...Array<string>(4999).fill('c0'), ...Array<string>(5001).fill('c1')]));
    expect(tiny.text).toBe('0.010% of rows changed category');
  });

  it('rejects mismatched kinds and empty samples', () => {
    expect(() => effectSize(numericSample([1]), labels(2, 2))).toThrow(/effect size: reference is numeric but current is categorical/);
    expect(() => effectSize(numericSample([]), numericSample([1]))).toThrow(/effect size: the reference sample is empty/);
    expect(() => effectSize(labels(2, 2), categoricalSample([]))).toThrow(/effect size: the current sample is empty/);
  });
});
