import { Field } from '../../components/Field';
import type { FieldErrors, LaunchForm } from './launch-form';

type EarlyStopping = LaunchForm['earlyStopping'];

interface Props {
  value: EarlyStopping;
  errors: FieldErrors;
  /** `key`: the field that changed, or none for the toggle and the direction. */
  onChange(next: EarlyStopping, key?: string): void;
}

/** Stop the job when a metric stops improving: the metric, its direction, patience and minimum gain. */
export function EarlyStoppingFields({ value, errors, onChange }: Props) {
  const set = (patch: Partial<EarlyStopping>, key?: string) => onChange({ ...value, ...patch }, key);
  return (
    <section className="launch-section">
      <label className="inline-check section-toggle">
        <input type="checkbox" checked={value.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> <h3>Early stopping</h3>
        <span className="muted">stop when a metric stops improving</span>
      </label>
      {value.enabled && (
        <div className="field-grid">
          <Field label="Metric" error={errors['earlyStopping.metric']}>
            {({ id, describedBy, invalid }) => (
              <span className="input-pair">
                <input id={id} placeholder="val_loss" aria-describedby={describedBy} aria-invalid={invalid || undefined} value={value.metric} onChange={(e) => set({ metric: e.target.value }, 'earlyStopping.metric')} />
                <select aria-label="Early stopping direction" value={value.mode} onChange={(e) => set({ mode: e.target.value as 'min' | 'max' })}>
                  <option value="min">lower is better</option>
                  <option value="max">higher is better</option>
                </select>
              </span>
            )}
          </Field>
          <Field label="Patience (evaluations)" error={errors['earlyStopping.patience']}>
            {({ id, describedBy, invalid }) => (
              <input id={id} type="number" min={1} aria-describedby={describedBy} aria-invalid={invalid || undefined} value={value.patience} onChange={(e) => set({ patience: e.target.value }, 'earlyStopping.patience')} />
            )}
          </Field>
          <Field label="Min improvement" error={errors['earlyStopping.minDelta']}>
            {({ id, describedBy, invalid }) => (
              <input id={id} type="number" min={0} step="any" aria-describedby={describedBy} aria-invalid={invalid || undefined} value={value.minDelta} onChange={(e) => set({ minDelta: e.target.value }, 'earlyStopping.minDelta')} />
            )}
          </Field>
        </div>
      )}
    </section>
  );
}
