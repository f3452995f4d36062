/**
 * One comparison of current data with a reference profile: every reference column tested with its
 * method (Evidently's default or the one the user chose), the dataset verdict from the share of
 * drifting columns, and data quality. Pure, no Node: it runs in the monitoring worker.
 */
import type { ColumnDistributionView, ColumnDriftView, DriftMethodId, DriftReportView } from '../../../shared/contract/monitoring';
import { columnDistribution } from './column-distribution';
import type { ColumnTable } from './data/column-table';
import { checkDataQuality } from './data-quality';
import { qualityView } from './quality-view';
import { currentSample, type ReferenceProfile } from './profile/reference-profile';
import { defaultMethod, defaultThreshold, effectSize, runDriftMethod } from './stats/drift-methods';
import { sampleSize } from './stats/value-counts';

export interface DriftCheckOptions {
  driftShare: number;
  /** Fewer current values than this in a column: "not enough data", no verdict. */
  minRows: number;
  methods: Readonly<Record<string, { method: DriftMethodId; threshold: number | null }>>;
  /** Columns that are the model's output or the target rather than features. */
  roles?: Readonly<Record<string, 'prediction' | 'target'>>;
}

export interface DriftCheckResult {
  report: DriftReportView;
  distributions: ColumnDistributionView[];
}

const NUMERIC_ONLY = new Set<DriftMethodId>(['ks', 'wasserstein', 'cramer_von_mises']);

/** Refuses a method that cannot test a column before any work (names the column and the method). */
export function checkMethodsFit(reference: ReferenceProfile, methods: DriftCheckOptions['methods']): void {
  for (const [column, choice] of Object.entries(methods)) {
    const profile = reference.columns.find((c) => c.name === column);
    if (!profile) throw new Error(`methods: column '${column}' is not in the reference (its columns: ${reference.columns.map((c) => c.name).join(', ')})`);
    if (profile.kind === 'categorical' && NUMERIC_ONLY.has(choice.method)) {
      throw new Error(`methods: '${choice.method}' tests numeric columns only, and '${column}' is categorical (use chisquare, z, jensenshannon, psi, kl_div or hellinger)`);
    }
  }
}

export function checkDrift(reference: ReferenceProfile, current: ColumnTable, options: DriftCheckOptions, now: () => number = Date.now): DriftCheckResult {
  const started = now();
  checkMethodsFit(reference, options.methods);
  const byName = new Map(current.columns.map((c) => [c.name, c]));
  const columns: ColumnDriftView[] = [];
  const distributions: ColumnDistributionView[] = [];
  for (const profile of reference.columns) {
    const role = options.roles?.[profile.name] ?? 'feature';
    const column = byName.get(profile.name);
    const referenceRows = sampleSize(profile.sample);
    if (!column) {
      columns.push(untested(profile.name, profile.kind, role, referenceRows, 0, 'missing from the current data (schema drift)'));
      continue;
    }
    const sample = currentSample(column);
    const currentRows = sampleSize(sample);
    let result: ColumnDriftView;
    if (referenceRows === 0) {
      result = untested(profile.name, profile.kind, role, referenceRows, currentRows, 'not enough data: the reference has no values in this column');
    } else if (currentRows < options.minRows) {
      result = untested(profile.name, profile.kind, role, referenceRows, currentRows, `not enough data: ${currentRows} value${currentRows === 1 ? '' : 's'}, at least ${options.minRows} needed`);
    } else {
      const chosen = options.methods[profile.name];
      const method = chosen?.method ?? defaultMethod(profile.sample, sample);
      const threshold = chosen?.threshold ?? defaultThreshold(method);
      const test = runDriftMethod(method, profile.sample, sample, threshold);
      result = {
        column: profile.name,
        kind: profile.kind,
        role,
        method,
        // JSON has no Infinity: an infinite statistic (chi-square on a value the reference never had) is said in the note.
        statistic: Number.isFinite(test.statistic) ? test.statistic : null,
        pValue: test.pValue,
        threshold,
        basis: test.basis,
        drift: test.drift,
        score: driftScore(test.basis, test.statistic, test.pValue, threshold),
        effect: effectSize(profile.sample, sample, method === 'chisquare' || method === 'z'),
        errorBound: test.errorBound !== null && test.errorBound > 0 ? test.errorBound : null,
        referenceRows,
        currentRows,
        note: Number.isFinite(test.statistic) ? null : `the ${method} statistic is infinite: the current data has values the reference never had`,
      };
    }
    columns.push(result);
    distributions.push(columnDistribution(profile.name, profile.sample, sample, result));
  }
  const quality = qualityView(checkDataQuality(reference, current));
  return {
    report: {
      referenceRows: reference.rows,
      currentRows: current.rows,
      columns,
      ...datasetVerdict(columns, options.driftShare),
      quality,
      referenceForm: referenceForm(reference),
      tookMs: now() - started,
    },
    distributions,
  };
}

/** The dataset verdict from the columns' verdicts (a check split over threads uses it too). */
export function datasetVerdict(
  columns: readonly ColumnDriftView[],
  threshold: number,
): Pick<DriftReportView, 'driftShare' | 'driftShareThreshold' | 'datasetDrift' | 'driftedColumns' | 'testedColumns'> {
  const tested = columns.filter((c) => c.drift !== null);
  const drifted = tested.filter((c) => c.drift === true).length;
  const driftShare = tested.length ? drifted / tested.length : null;
  return {
    driftShare,
    driftShareThreshold: threshold,
    datasetDrift: driftShare === null ? null : driftShare >= threshold,
    driftedColumns: drifted,
    testedColumns: tested.length,
  };
}

export function referenceForm(reference: ReferenceProfile): DriftReportView['referenceForm'] {
  return reference.columns.some((c) => c.sample.kind === 'numeric' && c.sample.sorted.weights !== null) ? 'sketched' : 'exact';
}

/**
 * 0–1 for the heatmap, 0.5 exactly at the threshold: a distance over twice its threshold is 1; a
 * p-value at the square of its threshold (0.0025 for 0.05) is 1, so the colour says how far past it.
 */
export function driftScore(basis: 'p-value' | 'distance', statistic: number, pValue: number | null, threshold: number): number {
  if (basis === 'distance') {
    if (threshold <= 0) return statistic > 0 ? 1 : 0;
    return Math.min(1, statistic / (2 * threshold));
  }
  const p = pValue ?? 1;
  if (p <= 0) return 1;
  if (p >= 1 || threshold >= 1) return 0;
  if (threshold <= 0) return 0;
  return Math.min(1, Math.max(0, Math.log(p) / (2 * Math.log(threshold))));
}

function untested(column: string, kind: ColumnDriftView['kind'], role: ColumnDriftView['role'], referenceRows: number, currentRows: number, note: string): ColumnDriftView {
  return { column, kind, role, method: null, statistic: null, pValue: null, threshold: null, basis: null, drift: null, score: null, effect: null, errorBound: null, referenceRows, currentRows, note };
}
