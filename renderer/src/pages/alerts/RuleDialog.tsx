import { useMemo, useState } from 'react';
import { alertComparisons, alertMetrics, type AlertComparison, type AlertMetric, type AlertRuleView } from '../../../../shared/contract/monitoring';
import { useClient } from '../../api/client-context';
import { Dialog } from '../../components/Dialog';
import { Field, TextField } from '../../components/Field';
import { toLoadError } from '../../stores/load-error';
import { useActor } from '../models/use-actor';
import { columnMetrics, metricLabel } from './alert-text';
import { buildCreateRule, buildUpdateRule, initialRuleForm, type RuleErrors, type RuleForm } from './rule-form';

interface RuleDialogProps {
  deployment: string;
  /** The rule to edit; a new one when absent. */
  rule?: AlertRuleView;
  onClose(): void;
  onSaved(rule: AlertRuleView): void;
}

/** Adding a rule (metric, comparison, threshold, for-duration), or editing one (its metric and column stay). */
export function RuleDialog({ deployment, rule, onClose, onSaved }: RuleDialogProps) {
  const client = useClient();
  const actor = useActor();
  const [form, setForm] = useState<RuleForm>(() => initialRuleForm(rule));
  const [attempted, setAttempted] = useState(false);
  const [server, setServer] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const built = useMemo(() => (rule ? buildUpdateRule(form, rule.id, actor) : buildCreateRule(form, deployment, actor)), [form, rule, deployment, actor]);
  const shown: RuleErrors = attempted ? built.errors : {};
  const update = (patch: Partial<RuleForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setServer(null);
  };

  async function save(): Promise<AlertRuleView | null> {
    if (rule) {
      const { input } = buildUpdateRule(form, rule.id, actor);
      return input ? client.call('monitoring.updateAlertRule', input) : null;
    }
    const { input } = buildCreateRule(form, deployment, actor);
    return input ? client.call('monitoring.createAlertRule', input) : null;
  }

  async function submit() {
    setAttempted(true);
    if (!built.input) return;
    setSaving(true);
    try {
      const saved = await save();
      if (saved) {
        onSaved(saved);
        onClose();
      }
    } catch (err) {
      setServer(toLoadError(err).message);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Dialog
      title={rule ? `Edit rule “${rule.name}”` : 'New alert rule'}
      testId="rule-dialog"
      onClose={onClose}
      onSubmit={() => void submit()}
      submit={{ label: rule ? 'Save' : 'Add rule', busyLabel: 'Saving…', busy: saving, testId: 'rule-submit' }}
    >
      <TextField label="Name" value={form.name} onChange={(name) => update({ name })} error={shown.name} testId="rule-name" input={{ autoFocus: true }} />
      <div className="field-grid">
        <Field label="Metric" error={shown.metric} testId="rule-metric" hint={rule ? 'fixed once the rule exists' : metricLabel[form.metric]}>
          {({ id, describedBy, invalid }) => (
            <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={form.metric} disabled={Boolean(rule)} onChange={(e) => update({ metric: e.target.value as AlertMetric })}>
              {alertMetrics.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          )}
        </Field>
        {columnMetrics.includes(form.metric) && (
          <TextField label="Column" value={form.column} onChange={(column) => update({ column })} error={shown.column} mono testId="rule-column" input={{ disabled: Boolean(rule) }} />
        )}
        <Field label="Comparison" error={shown.comparison} testId="rule-comparison">
          {({ id, describedBy, invalid }) => (
            <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={form.comparison} onChange={(e) => update({ comparison: e.target.value as AlertComparison })}>
              {alertComparisons.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          )}
        </Field>
        <TextField label="Threshold" value={form.threshold} onChange={(threshold) => update({ threshold })} error={shown.threshold} hint="rates and shares are 0–1, latency in ms" testId="rule-threshold" />
        <TextField label="For (seconds)" value={form.forSeconds} onChange={(forSeconds) => update({ forSeconds })} error={shown.forSeconds} hint="how long it must hold before firing; 0 fires at once" testId="rule-for" />
      </div>
      <label className="inline-check">
        <input type="checkbox" checked={form.enabled} onChange={(e) => update({ enabled: e.target.checked })} data-testid="rule-enabled" />
        Enabled
      </label>
      {server && (
        <p className="field-error" role="alert" data-testid="rule-error">
          {server}
        </p>
      )}
    </Dialog>
  );
}
