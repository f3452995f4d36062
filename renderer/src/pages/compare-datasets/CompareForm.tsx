import { Field, TextField } from '../../components/Field';
import { driftMethodNames } from '../../../../shared/contract/monitoring';
import type { CompareErrors, CompareForm as CompareFormValues } from './compare-form';

interface CompareFormProps {
  form: CompareFormValues;
  errors: CompareErrors;
  busy: boolean;
  onChange(patch: Partial<CompareFormValues>): void;
  onSubmit(): void;
}

/** The two files, the optional overrides (one per line, as the command line takes them), and "Compare". */
export function CompareForm({ form, errors, busy, onChange, onSubmit }: CompareFormProps) {
  const area = (key: 'kinds' | 'methods', label: string, hint: string, placeholder: string) => (
    <Field label={label} error={errors[key]} hint={hint} testId={`compare-${key}`}>
      {({ id, describedBy, invalid }) => <textarea id={id} className="mono" rows={3} aria-describedby={describedBy} aria-invalid={invalid} value={form[key]} placeholder={placeholder} onChange={(e) => onChange({ [key]: e.target.value })} />}
    </Field>
  );
  return (
    <form
      className="inline-form compare-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <div className="field-grid compare-files">
        <TextField label="Reference file" value={form.reference} onChange={(reference) => onChange({ reference })} error={errors.reference} hint="CSV or Parquet on this machine: what is known good" mono testId="compare-reference" input={{ placeholder: '/data/train.csv' }} />
        <TextField label="Current file" value={form.current} onChange={(current) => onChange({ current })} error={errors.current} hint="CSV or Parquet: what to check" mono testId="compare-current" input={{ placeholder: '/data/this-week.csv' }} />
      </div>
      <details className="compare-options" open={form.kinds !== '' || form.methods !== '' || form.target !== ''}>
        <summary className="small">Options: column kinds, methods, target, drift share</summary>
        <div className="field-grid">
          {area('kinds', 'Column kinds', 'one column=numeric|categorical per line; others are guessed', 'zip_code=categorical')}
          {area('methods', 'Methods', `one column=method[:threshold] per line (${driftMethodNames.join(', ')})`, 'age=psi:0.2')}
          <TextField label="Target column" value={form.target} onChange={(target) => onChange({ target })} error={errors.target} hint="optional: tested like the prediction" mono testId="compare-target" />
          <TextField label="Drift share" value={form.driftShare} onChange={(driftShare) => onChange({ driftShare })} error={errors.driftShare} hint="dataset drift when this share of columns drifts" testId="compare-drift-share" />
        </div>
      </details>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="compare-submit">
          {busy ? 'Comparing…' : 'Compare'}
        </button>
      </div>
    </form>
  );
}
