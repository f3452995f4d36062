import type { MethodInput } from '../../../../shared/contract/index';
import { alertComparisons, alertMetrics, type AlertComparison, type AlertMetric, type AlertRuleView } from '../../../../shared/contract/monitoring';
import { parseNumberField } from '../deployments/deployment-form';
import { columnMetrics } from './alert-text';

/** What the rule dialog edits, as typed. */
export interface RuleForm {
  name: string;
  metric: AlertMetric;
  column: string;
  comparison: AlertComparison;
  threshold: string;
  /** Seconds the condition must hold before the alert fires. */
  forSeconds: string;
  enabled: boolean;
}

export type RuleErrors = Partial<Record<keyof RuleForm | 'form', string>>;

export function initialRuleForm(rule?: AlertRuleView): RuleForm {
  if (rule) {
    return { name: rule.name, metric: rule.metric, column: rule.column ?? '', comparison: rule.comparison, threshold: String(rule.threshold), forSeconds: String(rule.forSeconds), enabled: rule.enabled };
  }
  return { name: '', metric: 'drift_share', column: '', comparison: '>=', threshold: '0.5', forSeconds: '0', enabled: true };
}

function checkCommon(form: RuleForm, errors: RuleErrors): { threshold?: number; forSeconds?: number } {
  if (form.name.trim() === '') errors.name = 'Name the rule (it titles its alerts).';
  else if (form.name.trim().length > 200) errors.name = 'At most 200 characters.';
  if (!alertComparisons.includes(form.comparison)) errors.comparison = 'Pick >, >=, < or <=.';
  const threshold = parseNumberField(form.threshold, { max: Number.MAX_VALUE, label: 'Threshold' });
  if (threshold.error) errors.threshold = threshold.error;
  else if (threshold.value === undefined) errors.threshold = 'Give the threshold the metric is compared with.';
  const held = parseNumberField(form.forSeconds, { integer: true, min: 0, max: 7 * 86_400, label: 'Seconds' });
  if (held.error) errors.forSeconds = held.error;
  const out: { threshold?: number; forSeconds?: number } = { forSeconds: held.value ?? 0 };
  if (threshold.value !== undefined) out.threshold = threshold.value;
  return out;
}

/** Checks the dialog; the input for monitoring.createAlertRule when nothing is wrong. */
export function buildCreateRule(form: RuleForm, deployment: string, actor: string): { errors: RuleErrors; input: MethodInput<'monitoring.createAlertRule'> | null } {
  const errors: RuleErrors = {};
  const { threshold, forSeconds } = checkCommon(form, errors);
  if (!alertMetrics.includes(form.metric)) errors.metric = 'Pick a metric.';
  const needsColumn = columnMetrics.includes(form.metric);
  const column = form.column.trim();
  if (needsColumn && column === '') errors.column = `Name the column ${form.metric} is measured on.`;
  if (Object.keys(errors).length > 0 || threshold === undefined) return { errors, input: null };
  return {
    errors,
    input: { deployment, name: form.name.trim(), metric: form.metric, column: needsColumn ? column : null, comparison: form.comparison, threshold, forSeconds: forSeconds ?? 0, enabled: form.enabled, actor },
  };
}

/** Checks the dialog; the input for monitoring.updateAlertRule (metric and column stay as they are). */
export function buildUpdateRule(form: RuleForm, id: number, actor: string): { errors: RuleErrors; input: MethodInput<'monitoring.updateAlertRule'> | null } {
  const errors: RuleErrors = {};
  const { threshold, forSeconds } = checkCommon(form, errors);
  if (Object.keys(errors).length > 0 || threshold === undefined) return { errors, input: null };
  return { errors, input: { id, name: form.name.trim(), comparison: form.comparison, threshold, forSeconds: forSeconds ?? 0, enabled: form.enabled, actor } };
}
