import { useEffect, useId, useMemo, useState } from 'react';
import { rolloutStrategies, type Deployment } from '../../../../shared/contract/serving';
import { useClient } from '../../api/client-context';
import { Dialog } from '../../components/Dialog';
import { Field, TextField } from '../../components/Field';
import { toLoadError } from '../../stores/load-error';
import { useActor } from '../models/use-actor';
import { ROLLOUT_DEFAULTS, STRATEGY_FIELDS, STRATEGY_HELP, buildStartRollout, fieldOfRolloutError, initialRolloutForm, type RolloutErrors, type RolloutField, type RolloutForm } from './rollout-form';

interface StartRolloutDialogProps {
  deployment: Deployment;
  onClose(): void;
  onStarted(next: Deployment): void;
}

const FIELD_LABELS: Record<Exclude<RolloutField, 'version'>, { label: string; hint: string }> = {
  steps: { label: 'Steps (% of traffic)', hint: `default ${ROLLOUT_DEFAULTS.steps}; the last is 100` },
  minRequests: { label: 'Minimum requests per step', hint: `default ${ROLLOUT_DEFAULTS.minRequests}; below it the rollout waits for traffic` },
  intervalSeconds: { label: 'Minimum time per step (s)', hint: `default ${ROLLOUT_DEFAULTS.intervalSeconds}` },
  maxErrorPercent: { label: 'Maximum error rate (%)', hint: `default ${ROLLOUT_DEFAULTS.maxErrorPercent}` },
  maxP95Ms: { label: 'Maximum p95 (ms)', hint: 'default none' },
  maxP95Factor: { label: 'Maximum p95 × stable', hint: `default ${ROLLOUT_DEFAULTS.maxP95Factor}` },
  failureLimit: { label: 'Failed checks in a row to roll back', hint: `default ${ROLLOUT_DEFAULTS.failureLimit}` },
  shadowShare: { label: 'Share copied to the shadow (%)', hint: `default ${ROLLOUT_DEFAULTS.shadowShare}` },
};

/** "Start rollout": the new version, the strategy and its limits (defaults filled in), checked field by field. */
export function StartRolloutDialog({ deployment, onClose, onStarted }: StartRolloutDialogProps) {
  const client = useClient();
  const actor = useActor();
  const versionsId = useId();
  const [form, setForm] = useState<RolloutForm>(() => initialRolloutForm());
  const [choices, setChoices] = useState<string[]>([]);
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
        const others = m.versions.map((v) => v.version).filter((v) => !serving.has(v)).sort((a, b) => b - a);
        setChoices([...others.map(String), ...Object.keys(m.aliases).map((a) => `@${a}`)]);
        if (others[0] !== undefined) setForm((f) => (f.version === '' ? { ...f, version: String(others[0]) } : f));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, deployment.modelName, serving]);

  const { errors, input } = useMemo(() => buildStartRollout(form, deployment.name, actor), [form, deployment.name, actor]);
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
      <Field label="Version or @alias" error={shown.version} hint={`of ${deployment.modelName}; serving now: v${[...serving].join(', v')}`} testId="rollout-version">
        {({ id, describedBy, invalid }) => (
          <>
            <input id={id} className="mono" list={versionsId} aria-describedby={describedBy} aria-invalid={invalid} value={form.version} onChange={(e) => update({ version: e.target.value })} autoFocus />
            <datalist id={versionsId}>
              {choices.map((v) => (
                <option key={v} value={v} />
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
          const { label, hint } = FIELD_LABELS[key as Exclude<RolloutField, 'version'>];
          return <TextField key={key} label={label} hint={hint} value={form[key]} onChange={(value) => update({ [key]: value })} error={shown[key]} mono={key === 'steps'} testId={`rollout-${key}`} />;
        })}
      </div>
      {shown.form && (
        <p className="field-error" role="alert" data-testid="rollout-error">
          {shown.form}
        </p>
      )}
    </Dialog>
  );
}
