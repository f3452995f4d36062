import { useState, type FormEvent } from 'react';
import type { TriggerView } from '../../../../shared/contract/pipelines';
import { useClient } from '../../api/client-context';
import { Field } from '../../components/Field';
import { toLoadError } from '../../stores/load-error';
import { triggerErrorPlacement, triggerInput, triggerKindInfo, triggerKinds, type TriggerFormKind } from './trigger-form';

/** Adds a cron, dataset, commit or alert trigger to a pipeline file; the app's refusal lands on the field it names. */
export function AddTriggerForm({ file, onAdded }: { file: string; onAdded(trigger: TriggerView): void }) {
  const client = useClient();
  const [kind, setKind] = useState<TriggerFormKind>('cron');
  const [value, setValue] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const info = triggerKindInfo(kind);

  const clear = () => {
    setFieldError(null);
    setFormError(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const input = triggerInput(kind, value);
    if (!input.ok) return setFieldError(input.error);
    setBusy(true);
    try {
      const added = await client.call('pipelines.createTrigger', { file, trigger: input.trigger });
      setValue('');
      onAdded(added);
    } catch (err) {
      const placed = triggerErrorPlacement(toLoadError(err).message);
      if ('field' in placed) setFieldError(placed.field);
      else setFormError(placed.form);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="inline-form add-trigger-form" onSubmit={(e) => void submit(e)} data-testid="add-trigger-form">
      <div className="add-trigger-row">
        <Field label="Starts on" testId="trigger-kind">
          {({ id }) => (
            <select id={id} value={kind} onChange={(e) => (setKind(e.target.value as TriggerFormKind), clear())}>
              {triggerKinds.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={info.field} error={fieldError ?? undefined} hint={info.hint} testId="trigger-value" className="add-trigger-value">
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              className="mono"
              aria-describedby={describedBy}
              aria-invalid={invalid}
              placeholder={info.placeholder}
              value={value}
              onChange={(e) => (setValue(e.target.value), clear())}
            />
          )}
        </Field>
        <button type="submit" className="btn" disabled={busy} data-testid="add-trigger">
          {busy ? 'Adding…' : 'Add trigger'}
        </button>
      </div>
      {formError && (
        <p className="field-error" role="alert" data-testid="add-trigger-error">
          {formError}
        </p>
      )}
    </form>
  );
}
