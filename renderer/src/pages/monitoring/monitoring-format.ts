import type { ColumnDriftView, DriftMethodId, MonitorWindowView, PerformanceView } from '../../../../shared/contract/monitoring';

/** The tests by their readable names. */
export const methodLabel: Record<DriftMethodId, string> = {
  ks: 'Kolmogorov–Smirnov',
  chisquare: 'chi-square',
  z: 'two-proportion Z-test',
  wasserstein: 'Wasserstein distance (normed)',
  jensenshannon: 'Jensen–Shannon distance',
  psi: 'PSI',
  kl_div: 'KL divergence',
  hellinger: 'Hellinger distance',
  cramer_von_mises: 'Cramér–von Mises',
};

/** A statistic as read: 4 significant digits, thousands grouped, tiny values in exponent form. */
export function formatStat(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 10_000) return Math.round(value).toLocaleString('en');
  if (abs < 1e-3) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** A p-value: "< 1e-16" at the floor of double precision, exponent form under 0.001. */
export function formatPValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  if (p < 1e-16) return '< 1e-16';
  return formatStat(p);
}

/** A 0–1 share as a percent: 0.125 → "12.5%". */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  const pct = share * 100;
  return `${pct === 0 ? '0' : pct < 1 ? Number(pct.toFixed(2)) : Number(pct.toFixed(1))}%`;
}

/** One column's result as a sentence: what was tested, against what, and what it means. */
export function verdictText(r: Pick<ColumnDriftView, 'method' | 'statistic' | 'pValue' | 'threshold' | 'basis' | 'drift' | 'note'>): string {
  if (r.method === null || r.drift === null || r.threshold === null || r.basis === null) {
    return r.note?.startsWith('missing') || r.note?.startsWith('not tested') ? `No verdict: ${r.note}.` : `Not enough data for a verdict${r.note ? `: ${r.note.replace(/^not enough data:\s*/, '').replace(/\.$/, '')}` : ''}.`;
  }
  const test = methodLabel[r.method];
  if (r.basis === 'p-value') {
    return r.drift
      ? `Drift: the ${test} p-value ${formatPValue(r.pValue)} is ${r.method === 'ks' ? 'at or under' : 'under'} the threshold ${formatStat(r.threshold)}, so the distributions differ.`
      : `No drift: the ${test} p-value ${formatPValue(r.pValue)} is over the threshold ${formatStat(r.threshold)}.`;
  }
  return r.drift
    ? `Drift: the ${test} ${formatStat(r.statistic)} reaches the threshold ${formatStat(r.threshold)}.`
    : `No drift: the ${test} ${formatStat(r.statistic)} is under the threshold ${formatStat(r.threshold)}.`;
}

/** The verdict in a word; a column without one says why ("missing" for schema drift). */
export function driftWord(drift: boolean | null, note: string | null = null): string {
  if (drift === null) return note?.startsWith('missing') ? 'missing' : note?.startsWith('not tested') ? 'not tested' : 'not enough data';
  return drift ? 'drift' : 'no drift';
}

/** The performance measures, in the order shown; those a window lacks are left out. */
export const performanceMeasures: ReadonlyArray<{ key: keyof PerformanceView & string; label: string; task: PerformanceView['task'] }> = [
  { key: 'accuracy', label: 'Accuracy', task: 'classification' },
  { key: 'precision', label: 'Precision', task: 'classification' },
  { key: 'recall', label: 'Recall', task: 'classification' },
  { key: 'f1', label: 'F1', task: 'classification' },
  { key: 'rocAuc', label: 'ROC AUC', task: 'classification' },
  { key: 'mae', label: 'MAE', task: 'regression' },
  { key: 'rmse', label: 'RMSE', task: 'regression' },
  { key: 'r2', label: 'R²', task: 'regression' },
];

export interface PerformanceSeries {
  key: string;
  label: string;
  /** One point per window that has the measure: x is the window's end. */
  points: Array<{ x: number; y: number; seq: number; labelled: number }>;
}

/** Each measure any window has, as a line over the windows (oldest first); empty when no window had labels. */
export function performanceSeries(windows: readonly MonitorWindowView[]): PerformanceSeries[] {
  const ordered = [...windows].sort((a, b) => a.seq - b.seq);
  return performanceMeasures
    .map(({ key, label }) => ({
      key,
      label,
      points: ordered.flatMap((w) => {
        const value = w.performance?.[key];
        return typeof value === 'number' && Number.isFinite(value) ? [{ x: w.endAt, y: value, seq: w.seq, labelled: w.performance!.labelled }] : [];
      }),
    }))
    .filter((s) => s.points.length > 0);
}

/** "14:03–14:18" (same day) or with dates, local time: a window's span. */
export function windowSpan(startAt: number, endAt: number): string {
  const a = new Date(startAt);
  const b = new Date(endAt);
  const time = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  return day(a) === day(b) ? `${day(a)} ${time(a)}–${time(b)}` : `${day(a)} ${time(a)} – ${day(b)} ${time(b)}`;
}
