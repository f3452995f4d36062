import type { AlertComparison, AlertMetric, AlertState } from '../../../../shared/contract/monitoring';

export interface MessageRule {
  deployment: string;
  metric: AlertMetric;
  column: string | null;
  comparison: AlertComparison;
  threshold: number;
  forSeconds: number;
}

/**
 * What crossed what, for the inbox, the desktop notification and the webhook:
 * "error_rate 0.034 > 0.01 for 5 min on fraud-api"; a pending one says how long it must hold.
 */
export function alertMessage(rule: MessageRule, state: AlertState, value: number | null): string {
  const subject = rule.column === null ? rule.metric : `${rule.metric} of ${rule.column}`;
  const crossed = `${subject} ${value === null ? 'no data' : shortNumber(value)} ${rule.comparison} ${shortNumber(rule.threshold)}`;
  if (rule.forSeconds === 0) return `${crossed} on ${rule.deployment}`;
  if (state === 'pending') return `${crossed} on ${rule.deployment}; fires if it holds for ${duration(rule.forSeconds)}`;
  return `${crossed} for ${duration(rule.forSeconds)} on ${rule.deployment}`;
}

/** Four significant digits: enough to read a rate or a p-value beside its threshold. */
export function shortNumber(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);
}

export function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
