import { useMemo, useState } from 'react';
import type { MonitorView } from '../../../../shared/contract/monitoring';
import { useClient } from '../../api/client-context';
import { Card } from '../../components/Card';
import { TextField } from '../../components/Field';
import { toLoadError } from '../../stores/load-error';
import { useActor } from '../models/use-actor';
import { buildSetReference, fieldOfReferenceError, initialReferenceForm, type ReferenceErrors, type ReferenceForm, type SourceKind } from './reference-form';

const SOURCES: ReadonlyArray<{ kind: SourceKind; label: string; hint: string }> = [
  { kind: 'file', label: 'A file', hint: 'a CSV or Parquet file on this machine' },
  { kind: 'run-artifact', label: 'A run artifact', hint: 'a CSV or Parquet file logged on a run' },
  { kind: 'run-dataset', label: 'A run dataset', hint: 'the dataset input logged on a run (its training data)' },
  { kind: 'requests', label: 'First logged requests', hint: "this deployment's first N logged rows, once they have arrived" },
];

/** "Set a reference": where the deployment's inputs are compared from, and how windows close. */
export function ReferenceFormCard({ deployment, onSet, replacing = false, onCancel }: { deployment: string; onSet(monitor: MonitorView): void; replacing?: boolean; onCancel?: () => void }) {
  const client = useClient();
  const actor = useActor();
  const [form, setForm] = useState<ReferenceForm>(initialReferenceForm);
  const [attempted, setAttempted] = useState(false);
  const [server, setServer] = useState<{ field: keyof ReferenceForm | 'form'; message: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const { errors, input } = useMemo(() => buildSetReference(form, deployment, actor), [form, deployment, actor]);
  const shown: ReferenceErrors = attempted ? { ...errors } : {};
  if (server) shown[server.field] = server.message;

  const update = (patch: Partial<ReferenceForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setServer(null);
  };

  async function submit() {
    setAttempted(true);
    if (!input) return;
    setSaving(true);
    try {
      onSet(await client.call('monitoring.setReference', input));
    } catch (err) {
      const { message } = toLoadError(err);
      setServer({ field: fieldOfReferenceError(message, form.sourceKind), message });
    } finally {
      setSaving(false);
    }
  }

  const text = (key: keyof ReferenceForm, label: string, hint?: string, mono = false, placeholder?: string) => (
    <TextField label={label} value={String(form[key])} onChange={(value) => update({ [key]: value })} error={shown[key]} hint={hint} mono={mono} testId={`reference-${key}`} input={placeholder ? { placeholder } : {}} />
  );

  return (
    <Card title={replacing ? 'Change the reference' : 'Set a reference'} testId="reference-form" className="deploy-span-all">
      <p className="muted small">
        Monitoring compares what this deployment receives, window by window, with a reference: data the model is known to do well on. Choose it, and how often a window closes.
        {replacing && ' A new reference starts new windows: the windows checked against the current one are removed. If the new one cannot be read, the current one stays.'}
      </p>
      <form
        className="inline-form reference-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <fieldset className="reference-sources">
          <legend>Reference</legend>
          {SOURCES.map((s) => (
            <label key={s.kind} className="inline-check" title={s.hint}>
              <input type="radio" name="reference-source" value={s.kind} checked={form.sourceKind === s.kind} onChange={() => update({ sourceKind: s.kind })} data-testid={`reference-source-${s.kind}`} />
              {s.label}
            </label>
          ))}
        </fieldset>
        <div className="field-grid reference-source-fields">
          {form.sourceKind === 'file' && text('path', 'File path', 'CSV or Parquet, read on this machine', true, '/data/train.csv')}
          {(form.sourceKind === 'run-artifact' || form.sourceKind === 'run-dataset') && text('runId', 'Run id', undefined, true)}
          {form.sourceKind === 'run-artifact' && text('artifactPath', 'Artifact path', 'inside the run, e.g. data/train.csv', true)}
          {form.sourceKind === 'run-dataset' && text('datasetName', 'Dataset name', "optional: the run's only dataset when empty")}
          {form.sourceKind === 'requests' && text('count', 'Rows', 'the first N logged rows become the reference (10–1,000,000)')}
        </div>
        <div className="field-grid">
          {text('windowRequests', 'Rows per window', 'a window closes every N logged rows; empty: by time only')}
          {text('windowMinutes', 'Minutes per window', 'and/or every M minutes; empty: by rows only')}
          {text('driftShare', 'Drift share', 'dataset drift when this share of columns drifts (default 0.5)')}
        </div>
        {shown.form && (
          <p className="field-error" role="alert" data-testid="reference-error">
            {shown.form}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={saving} data-testid="reference-submit">
            {saving ? 'Reading the reference…' : 'Set reference'}
          </button>
          {onCancel && (
            <button type="button" className="btn" disabled={saving} onClick={onCancel} data-testid="reference-cancel">
              Cancel
            </button>
          )}
        </div>
      </form>
    </Card>
  );
}
