import type { AlertComparison, AlertMetric, AlertRuleView, AlertView } from '../../../../shared/contract/monitoring';

/** The metrics by what they mean; rates and shares are 0–1, latencies in ms. */
export const metricLabel: Record<AlertMetric, string> = {
  dataset_drift: 'dataset drift (1 = drift)',
  drift_share: 'share of drifting columns',
  column_drift: "a column's drift score",
  prediction_drift: 'prediction drift score',
  quality_breaches: 'data-quality breaches',
  missing_share: "a column's missing share",
  accuracy: 'accuracy',
  precision: 'precision',
  recall: 'recall',
  f1: 'F1',
  roc_auc: 'ROC AUC',
  mae: 'MAE',
  rmse: 'RMSE',
  r2: 'R²',
  p95_ms: 'p95 latency (ms)',
  error_rate: 'error rate',
};

/** Metrics that need a column named. */
export const columnMetrics: readonly AlertMetric[] = ['column_drift', 'missing_share'];

/** 300 → "5 min", 0 → "at once", 3600 → "1 h", 90 → "90 s". */
export function formatFor(seconds: number): string {
  if (seconds <= 0) return 'at once';
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** "error_rate > 0.01 for 5 min", with the column for per-column metrics. */
export function describeCondition(rule: Pick<AlertRuleView, 'metric' | 'column' | 'comparison' | 'threshold' | 'forSeconds'>): string {
  const subject = rule.column ? `${rule.metric}(${rule.column})` : rule.metric;
  const held = rule.forSeconds > 0 ? ` for ${formatFor(rule.forSeconds)}` : ', at once';
  return `${subject} ${rule.comparison} ${rule.threshold}${held}`;
}

export function comparisonWords(c: AlertComparison): string {
  return { '>': 'above', '>=': 'at or above', '<': 'below', '<=': 'at or below' }[c];
}

export { notificationOf } from '../../../../shared/alert-notification';

/** "value 0.62 (threshold > 0.5)": what the alert measured. */
export function alertValueText(alert: Pick<AlertView, 'value' | 'comparison' | 'threshold'>): string {
  const value = alert.value === null ? 'no value' : `value ${Number(alert.value.toPrecision(4))}`;
  return `${value} (threshold ${alert.comparison} ${alert.threshold})`;
}
