import { useEffect, useId, useMemo, useState } from 'react';
import { rolloutStrategies, type Deployment } from '../../../../shared/contract/serving';
import { useClient } from '../../api/client-context';
import { Dialog } from '../../components/Dialog';
import { Field, TextField } from '../../components/Field';
import { toLoadError } from '../../stores/load-error';
import { useActor } from '../models/use-actor';
import { versionChoices as pickerChoices, type VersionChoice } from './servable-versions';
import { STRATEGY_FIELDS, STRATEGY_HELP, buildStartRollout, fieldOfRolloutError, initialRolloutForm, rolloutFieldText, type RolloutErrors, type RolloutField, type RolloutForm } from './rollout-form';

interface StartRolloutDialogProps {
  deployment: Deployment;
  onClose(): void;
  onStarted(next: Deployment): void;
}

/** "Start rollout": the new version, the strategy and its limits (defaults filled in), checked field by field. */
export function StartRolloutDialog({ deployment, onClose, onStarted }: StartRolloutDialogProps) {
  const client = useClient();
  const actor = useActor();
  const versionsId = useId();
  const [form, setForm] = useState<RolloutForm>(() => initialRolloutForm());
  const [choices, setChoices] = useState<VersionChoice[]>([]);
  const [attempted, setAttempted] = useState(false);
  const [server, setServer] = useState<{ field: RolloutField | 'form'; message: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const serving = useMemo(() => new Set(deployment.versions.map((v) => v.version)), [deployment.versions]);

  // The model's other versions, newest first, and its aliases; the newest not serving is the guess.
  useEffect(() => {
    let live = true;
    client.call('registry.getModel', { name: deployment.modelName }).then(
      (m) => {
        if (!live) return;
        const { versions, aliases } = pickerChoices(m, serving);
        setChoices([...versions, ...aliases]);
        // The guess: the newest version not serving that can be served.
        const guess = versions.find((v) => v.unservable === null);
        if (guess) setForm((f) => (f.version === '' ? { ...f, version: guess.value } : f));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, deployment.modelName, serving]);

  const { errors, input } = useMemo(() => buildStartRollout(form, deployment.name, actor), [form, deployment.name, actor]);
  const typedUnservable = choices.find((c) => c.value === form.version.trim())?.unservable ?? null;
  const shown: RolloutErrors = attempted ? { ...errors } : {};
  if (server) shown[server.field] = server.message;

  function update(patch: Partial<RolloutForm>) {
    setForm((f) => ({ ...f, ...patch }));
    setServer(null);
  }

  async function submit() {
    setAttempted(true);
    if (!input) return;
    setSaving(true);
    try {
      onStarted(await client.call('serving.startRollout', input));
      onClose();
    } catch (err) {
      const { message } = toLoadError(err);
      setServer({ field: fieldOfRolloutError(message), message });
      setSaving(false);
    }
  }

  return (
    <Dialog
      title={`Roll out to ${deployment.name}`}
      testId="rollout-dialog"
      onClose={onClose}
      onSubmit={() => void submit()}
      submit={{ label: 'Start rollout', busyLabel: 'Starting…', busy: saving, testId: 'rollout-submit' }}
    >
      <Field label="Version or @alias" error={shown.version} hint={typedUnservable ? `${form.version.trim()}: ${typedUnservable}.` : `of ${deployment.modelName}; serving now: v${[...serving].join(', v')}`} testId="rollout-version">
        {({ id, describedBy, invalid }) => (
          <>
            <input id={id} className="mono" list={versionsId} aria-describedby={describedBy} aria-invalid={invalid} value={form.version} onChange={(e) => update({ version: e.target.value })} autoFocus />
            <datalist id={versionsId}>
              {choices.map((v) => (
                <option key={v.value} value={v.value} label={v.unservable ? `${v.value} (${v.unservable})` : undefined} disabled={v.unservable !== null} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      <fieldset className="field strategy-field">
        <legend>Strategy</legend>
        <div className="segmented" data-testid="rollout-strategy">
          {rolloutStrategies.map((s) => (
            <label key={s}>
              <input type="radio" name="strategy" value={s} checked={form.strategy === s} onChange={() => update({ strategy: s })} />
              {s}
            </label>
          ))}
        </div>
        <span className="field-hint">{STRATEGY_HELP[form.strategy]}</span>
      </fieldset>
      <div className="field-grid">
        {STRATEGY_FIELDS[form.strategy].map((key) => {
          const { label, hint } = rolloutFieldText(key as Exclude<RolloutField, 'version'>, form.strategy);
          return <TextField key={key} label={label} hint={hint} value={form[key]} onChange={(value) => update({ [key]: value })} error={shown[key]} mono={key === 'steps'} testId={`rollout-${key}`} />;
        })}
      </div>
      {STRATEGY_FIELDS[form.strategy].length === 0 && (
        <p className="muted small" data-testid="rollout-no-limits">
          Nothing to set: a rolling rollout has no analysis and no limits.
        </p>
      )}
      {shown.form && (
        <p className="field-error" role="alert" data-testid="rollout-error">
          {shown.form}
        </p>
      )}
    </Dialog>
  );
}
