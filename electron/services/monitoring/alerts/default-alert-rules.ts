import type { AlertComparison, AlertMetric } from '../../../../shared/contract/monitoring';

export interface DefaultAlertRule {
  name: string;
  metric: AlertMetric;
  column: null;
  comparison: AlertComparison;
  threshold: number;
  forSeconds: number;
}

/**
 * The rules a deployment gets, without any setup, when it gains a reference: dataset drift in a
 * window fires at once ('dataset_drift' is 1 for a window whose verdict is drift, 0 when not);
 * an error rate above 1% must last 5 minutes, so one bad burst does not page anyone.
 */
export const DEFAULT_ALERT_RULES: readonly DefaultAlertRule[] = [
  { name: 'Dataset drift', metric: 'dataset_drift', column: null, comparison: '>=', threshold: 1, forSeconds: 0 },
  { name: 'Error rate above 1%', metric: 'error_rate', column: null, comparison: '>', threshold: 0.01, forSeconds: 300 },
];
