import { useEffect, useId, useMemo, useState } from 'react';
import type { Deployment } from '../../../../shared/contract/serving';
import type { RegisteredModelSummary } from '../../../../shared/contract/registry';
import { useClient } from '../../api/client-context';
import { Dialog } from '../../components/Dialog';
import { Field, TextField } from '../../components/Field';
import { toLoadError } from '../../stores/load-error';
import { useActor } from '../models/use-actor';
import { versionChoices as pickerChoices, type VersionChoice } from './servable-versions';
import { buildCreateDeployment, fieldOfCreateError, initialDeploymentForm, suggestDeploymentName, type DeploymentForm, type FieldErrors } from './deployment-form';

interface CreateDeploymentDialogProps {
  /** From a model version page: that model and version. */
  prefill?: { model: string; version: string };
  onClose(): void;
  onCreated(deployment: Deployment): void;
}

/** "New deployment": which model version to serve, with how many replicas and resources, and how it is guarded. */
export function CreateDeploymentDialog({ prefill, onClose, onCreated }: CreateDeploymentDialogProps) {
  const client = useClient();
  const actor = useActor();
  const modelsId = useId();
  const versionsId = useId();
  const [form, setForm] = useState<DeploymentForm>(() => initialDeploymentForm(prefill));
  const [nameTouched, setNameTouched] = useState(false);
  const [models, setModels] = useState<RegisteredModelSummary[]>([]);
  const [versionChoices, setVersionChoices] = useState<VersionChoice[]>([]);
  const [attempted, setAttempted] = useState(false);
  const [server, setServer] = useState<{ field: keyof DeploymentForm | 'form'; message: string } | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    let live = true;
    client.call('registry.listModels', {}).then(
      (list) => live && setModels(list),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client]);

  // The chosen model's versions and aliases, to pick from.
  const model = models.find((m) => m.name === form.model.trim()) ?? null;
  useEffect(() => {
    if (!model) {
      setVersionChoices([]);
      return;
    }
    let live = true;
    client.call('registry.getModel', { name: model.name }).then(
      (m) => {
        if (!live) return;
        const { versions, aliases } = pickerChoices(m);
        setVersionChoices([...aliases, ...versions]);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, model]);

  const { errors, input } = useMemo(() => buildCreateDeployment(form, actor), [form, actor]);
  const typedUnservable = versionChoices.find((c) => c.value === form.version.trim())?.unservable ?? null;
  const shown: FieldErrors = attempted ? { ...errors } : {};
  if (server) shown[server.field] = server.message;

  function update(patch: Partial<DeploymentForm>) {
    setForm((f) => ({ ...f, ...patch }));
    setServer(null);
  }

  async function submit() {
    setAttempted(true);
    if (!input) return;
    setSaving(true);
    try {
      const created = await client.call('serving.createDeployment', input);
      onCreated(created);
      onClose();
    } catch (err) {
      const { message } = toLoadError(err);
      setServer({ field: fieldOfCreateError(message), message });
      setSaving(false);
    }
  }

  const text = (key: keyof DeploymentForm, label: string, hint?: string, mono = false) => (
    <TextField
      label={label}
      value={String(form[key])}
      onChange={(value) => update({ [key]: value })}
      error={shown[key]}
      hint={hint}
      mono={mono}
      testId={`deploy-${key}`}
    />
  );
  const check = (key: 'requireApproval' | 'requireToken' | 'logRequests', label: string, hint: string) => (
    <label className="inline-check" title={hint}>
      <input type="checkbox" checked={form[key]} onChange={(e) => update({ [key]: e.target.checked })} data-testid={`deploy-${key}`} />
      {label}
    </label>
  );

  return (
    <Dialog
      title="New deployment"
      testId="create-deployment-dialog"
      onClose={onClose}
      onSubmit={() => void submit()}
      submit={{ label: 'Deploy', busyLabel: 'Deploying…', busy: saving, testId: 'deploy-submit' }}
    >
      <div className="field-grid">
        <Field label="Model" error={shown.model} testId="deploy-model">
          {({ id, describedBy, invalid }) => (
            <>
              <input
                id={id}
                list={modelsId}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={form.model}
                autoFocus={!prefill}
                onChange={(e) => {
                  const value = e.target.value;
                  update({ model: value, ...(nameTouched ? {} : { name: suggestDeploymentName(value) }) });
                }}
              />
              <datalist id={modelsId}>
                {models.map((m) => (
                  <option key={m.name} value={m.name} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label="Version or @alias" error={shown.version} hint={typedUnservable ? `${form.version.trim()}: ${typedUnservable}.` : 'Resolved now and recorded.'} testId="deploy-version">
          {({ id, describedBy, invalid }) => (
            <>
              <input id={id} className="mono" list={versionsId} aria-describedby={describedBy} aria-invalid={invalid} value={form.version} onChange={(e) => update({ version: e.target.value })} placeholder="3 or @champion" />
              <datalist id={versionsId}>
                {versionChoices.map((v) => (
                  <option key={v.value} value={v.value} label={v.unservable ? `${v.value} (${v.unservable})` : undefined} disabled={v.unservable !== null} />
                ))}
              </datalist>
            </>
          )}
        </Field>
      </div>
      <TextField
        label="Deployment name"
        value={form.name}
        onChange={(value) => {
          setNameTouched(true);
          update({ name: value });
        }}
        error={shown.name}
        hint="Lowercase letters, digits and '-'; orrery deploy commands use this name."
        mono
        testId="deploy-name"
      />
      <div className="field-grid">
        {text('replicas', 'Replicas', '1–16')}
        {text('cpus', 'CPUs per replica', 'default 0.5')}
        {text('memoryGb', 'Memory per replica (GB)', 'default 0.5')}
        {text('gpus', 'GPUs per replica', 'default 0')}
        {text('port', 'Port', 'optional: one is chosen and kept', true)}
        {text('timeoutSeconds', 'Request timeout (s)', 'default 60; longer is a 504')}
      </div>
      {text('image', 'Serving image', 'orrery/serve:local, or a local image built FROM it', true)}
      {text('promoteAlias', 'Promote alias', 'optional: an alias (champion) moved to each version this deployment promotes', true)}
      <div className="deploy-checks">
        {check('requireApproval', 'Require approval', 'Only versions approved in the registry may be deployed here.')}
        {check('requireToken', 'Require a token', 'Callers send Authorization: Bearer <token>.')}
        {check('logRequests', 'Log requests', 'Keep inputs and predictions in the request log (for monitoring).')}
      </div>
      {shown.form && (
        <p className="field-error" role="alert" data-testid="deploy-error">
          {shown.form}
        </p>
      )}
    </Dialog>
  );
}
