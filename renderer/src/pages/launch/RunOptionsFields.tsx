import { Field } from '../../components/Field';
import type { FieldErrors } from './launch-form';
import type { ExtrasForm } from './spec-extras';

type Options = Pick<ExtrasForm, 'checkpoint' | 'retries' | 'priority'>;

interface Props {
  value: Options;
  errors: FieldErrors;
  /** `key`: the field that changed. */
  onChange(patch: Partial<Options>, key: string): void;
}

/** Retries, queue priority, and a checkpoint folder the retries share. */
export function RunOptionsFields({ value, errors, onChange }: Props) {
  const cp = value.checkpoint;
  return (
    <div className="run-options" data-testid="run-options">
      <div className="field-grid">
        <Field label="Retries" error={errors.retries} hint="after a failure on its own (0–10)" testId="field-retries">
          {({ id, describedBy, invalid }) => (
            <input id={id} type="number" min={0} max={10} aria-describedby={describedBy} aria-invalid={invalid || undefined} value={value.retries} onChange={(e) => onChange({ retries: e.target.value }, 'retries')} />
          )}
        </Field>
        <Field label="Priority" error={errors.priority} hint="higher starts first (−100…100)" testId="field-priority">
          {({ id, describedBy, invalid }) => (
            <input id={id} type="number" min={-100} max={100} aria-describedby={describedBy} aria-invalid={invalid || undefined} value={value.priority} onChange={(e) => onChange({ priority: e.target.value }, 'priority')} />
          )}
        </Field>
      </div>
      <label className="inline-check">
        <input type="checkbox" checked={cp.enabled} onChange={(e) => onChange({ checkpoint: { ...cp, enabled: e.target.checked } }, 'checkpoint.enabled')} /> Keep checkpoints{' '}
        <span className="muted">a folder kept across retries, so a retried job resumes; its path is in ORRERY_CHECKPOINT_DIR</span>
      </label>
      {cp.enabled && (
        <div className="field-grid">
          <Field label="Checkpoint folder" error={errors['checkpoint.dir']} hint="inside the container" testId="field-checkpoint-dir">
            {({ id, describedBy, invalid }) => (
              <input id={id} className="mono" spellCheck={false} aria-describedby={describedBy} aria-invalid={invalid || undefined} value={cp.dir} onChange={(e) => onChange({ checkpoint: { ...cp, dir: e.target.value } }, 'checkpoint.dir')} />
            )}
          </Field>
          <Field label="Keep last" error={errors['checkpoint.keepLast']} hint="checkpoints kept; older ones are removed" testId="field-checkpoint-keep">
            {({ id, describedBy, invalid }) => (
              <input id={id} type="number" min={1} max={1000} aria-describedby={describedBy} aria-invalid={invalid || undefined} value={cp.keepLast} onChange={(e) => onChange({ checkpoint: { ...cp, keepLast: e.target.value } }, 'checkpoint.keepLast')} />
            )}
          </Field>
        </div>
      )}
    </div>
  );
}
