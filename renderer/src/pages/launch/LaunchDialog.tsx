import { useEffect, useMemo, useRef, useState } from 'react';
import type { LocalImage, ResourceUsageView } from '../../../../shared/contract/index';
import { useClient } from '../../api/client-context';
import { Badge } from '../../components/Badge';
import { CopyableCode } from '../../components/CopyableCode';
import { formatBytes, formatMib } from '../../lib/format';
import { routeHref } from '../../routing/route';
import { navigate } from '../../routing/use-route';
import { useLiveQuery } from '../../lib/use-live-query';
import { toLoadError } from '../../stores/load-error';
import { useHardwareStore } from '../../stores/stores-context';
import { Field } from '../../components/Field';
import { HyperparameterTable } from './HyperparameterTable';
import { buildSubmission, fieldOfServerError, initialForm, suggestName, type FieldErrors, type LaunchForm, type MachineLimits } from './launch-form';
import { SweepEditor } from './SweepEditor';
import '../../styles/forms.css';
import '../../styles/launch.css';

const GIB = 1024 ** 3;
/** The process runner ignores the image; the API still wants one named. */
const HOST_IMAGE = 'host';

interface LaunchDialogProps {
  onClose(): void;
  /** Prefill (a retry with changes, an example). */
  initial?: Partial<LaunchForm>;
}

/**
 * The "New job" dialog: image, command, hyperparameters or a sweep space, GPUs, CPUs, memory,
 * early stopping and a time limit; checked field by field before anything is sent. On submit
 * it goes to the new run's page.
 */
export function LaunchDialog({ onClose, initial }: LaunchDialogProps) {
  const client = useClient();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const overview = useHardwareStore((s) => s.overview);
  const loadHardware = useHardwareStore((s) => s.load);
  const [form, setForm] = useState<LaunchForm>(() => ({ ...initialForm(), ...initial }));
  // The images to pick from and what the machine has free, read once when the dialog opens.
  const choices = useLiveQuery((c) => Promise.all([c.call('training.listImages', {}), c.call('training.getResources', {})]), []);
  const images = choices.data?.[0] ?? null;
  const usage = choices.data?.[1] ?? null;
  const loadError = choices.error?.message ?? null;
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [server, setServer] = useState<{ field: string | null; message: string } | null>(null);
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  useEffect(() => {
    if (!overview) void loadHardware();
  }, [overview, loadHardware]);

  const docker = overview?.docker ?? null;
  const noEngine = docker !== null && docker.state !== 'ready';

  // Pick a sensible image once the list is known: the project's own, else the newest.
  useEffect(() => {
    if (images === null || form.image) return;
    if (images.length === 0) {
      if (noEngine) setForm((f) => ({ ...f, image: HOST_IMAGE }));
      return;
    }
    const preferred = images.find((i) => i.tag === 'orrery/python:local') ?? images[0]!;
    setForm((f) => ({ ...f, image: preferred.tag }));
  }, [images, noEngine, form.image]);

  const limits: MachineLimits = useMemo(
    () => ({
      cpus: usage?.cpus.total ?? overview?.cpu.threads ?? 1024,
      memoryGb: (usage?.memoryBytes.total ?? overview?.memory.totalBytes ?? 65536 * GIB) / GIB,
      gpuIndices: usage?.gpus.map((g) => g.index) ?? [],
    }),
    [usage, overview],
  );

  const { errors, submission } = useMemo(() => buildSubmission(form, limits), [form, limits]);
  const shown: FieldErrors = {};
  for (const [key, message] of Object.entries(errors)) {
    const group = key.startsWith('hp.') ? 'hyperparameters' : key.startsWith('space.') ? 'sweep.space' : key;
    if (attempted || touched.has(key) || touched.has(group)) shown[key] = message;
  }
  if (server?.field) shown[server.field] = server.message;

  function update(patch: Partial<LaunchForm>, ...keys: string[]) {
    setForm((f) => ({ ...f, ...patch }));
    if (keys.length) setTouched((t) => new Set([...t, ...keys]));
    setServer(null);
  }

  async function submit() {
    setAttempted(true);
    setServer(null);
    if (!submission) return;
    setSubmitting(true);
    try {
      const runId =
        submission.kind === 'job'
          ? (await client.call('training.submit', { spec: submission.spec })).runId
          : (await client.call('training.submitSweep', { spec: submission.spec, sweep: submission.sweep })).parentRunId;
      onClose();
      navigate(routeHref('runs', [runId]));
    } catch (err) {
      const message = toLoadError(err).message;
      const field = fieldOfServerError(message);
      setServer({ field: field && field in fieldKeys ? field : null, message });
      setSubmitting(false);
    }
  }

  const suggested = suggestName(form.command);
  const memTotal = usage?.memoryBytes.total ?? overview?.memory.totalBytes ?? null;

  return (
    <dialog
      ref={dialogRef}
      className="dialog launch-dialog"
      aria-labelledby="launch-title"
      data-testid="launch-dialog"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form
        method="dialog"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <header className="dialog-head">
          <h2 id="launch-title">New training job</h2>
          <button type="button" className="btn btn-small" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        <div className="dialog-body">
          {server && !server.field && (
            <div className="notice notice-error" role="alert" data-testid="launch-server-error">
              <p>{server.message}</p>
            </div>
          )}
          {loadError && (
            <div className="notice notice-error" role="alert">
              <p>Could not read the images and resources: {loadError}</p>
            </div>
          )}

          <section className="launch-section">
            <h3>What to run</h3>
            <div className="field-grid">
              <Field label="Name" error={shown.name} hint={suggested && !form.name ? `defaults to “${suggested}”` : undefined} testId="field-name">
                {({ id, describedBy, invalid }) => (
                  <input id={id} placeholder={suggested || 'resnet-baseline'} aria-describedby={describedBy} aria-invalid={invalid || undefined} value={form.name} onChange={(e) => update({ name: e.target.value }, 'name')} />
                )}
              </Field>
              <Field label="Experiment" error={shown.experiment}>
                {({ id, describedBy }) => <input id={id} aria-describedby={describedBy} value={form.experiment} onChange={(e) => update({ experiment: e.target.value }, 'experiment')} />}
              </Field>
            </div>
            <ImagePicker images={images} value={form.image} error={shown.image} noEngine={noEngine} docker={docker} onChange={(image) => update({ image }, 'image')} />
            <Field
              label="Command"
              error={shown.command}
              hint="Split like a shell: quotes keep spaces together. Nothing is expanded."
              testId="field-command"
            >
              {({ id, describedBy, invalid }) => (
                <input
                  id={id}
                  className="mono"
                  placeholder="python3 train.py --epochs 10"
                  spellCheck={false}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                  value={form.command}
                  onChange={(e) => update({ command: e.target.value }, 'command')}
                />
              )}
            </Field>
          </section>

          <section className="launch-section">
            <div className="section-head">
              <h3>{form.mode === 'single' ? 'Hyperparameters' : 'Sweep'}</h3>
              <div className="segmented" role="radiogroup" aria-label="Single job or sweep">
                <label>
                  <input type="radio" name="mode" checked={form.mode === 'single'} onChange={() => update({ mode: 'single' })} /> Single job
                </label>
                <label>
                  <input type="radio" name="mode" checked={form.mode === 'sweep'} onChange={() => update({ mode: 'sweep' })} /> Sweep
                </label>
              </div>
            </div>
            {form.mode === 'single' ? (
              <>
                <HyperparameterTable rows={form.hyperparameters} errors={shown} onChange={(hyperparameters) => update({ hyperparameters }, 'hyperparameters')} />
                {shown.hyperparameters && <span className="field-error">{shown.hyperparameters}</span>}
                <p className="field-hint">
                  The script reads them from <code>ORRERY_PARAMS</code> (JSON) or <code>/orrery/params.json</code>; they are logged as the run's params.
                </p>
                <label className="inline-check">
                  <input type="checkbox" checked={form.passAsArgs} onChange={(e) => update({ passAsArgs: e.target.checked })} /> Also pass them as <code>--key=value</code> arguments
                </label>
              </>
            ) : (
              <SweepEditor sweep={form.sweep} errors={shown} onChange={(sweep) => update({ sweep }, 'sweep.space')} />
            )}
          </section>

          <section className="launch-section">
            <h3>Resources</h3>
            <GpuPicker usage={usage} form={form} error={shown.gpus} onChange={(patch) => update(patch, 'gpus')} />
            <div className="field-grid">
              <Field label="CPUs" error={shown.cpus} hint={`up to ${limits.cpus} (no limit when empty)`} testId="field-cpus">
                {({ id, describedBy, invalid }) => (
                  <input id={id} type="number" min={0} step="0.5" max={limits.cpus} aria-describedby={describedBy} aria-invalid={invalid || undefined} value={form.cpus} onChange={(e) => update({ cpus: e.target.value }, 'cpus')} />
                )}
              </Field>
              <Field label="Memory (GB)" error={shown.memoryGb} hint={`up to ${memTotal === null ? '—' : `${Number((memTotal / GIB).toFixed(1))} GB`} (no limit when empty)`} testId="field-memory">
                {({ id, describedBy, invalid }) => (
                  <input
                    id={id}
                    type="number"
                    min={0}
                    step="0.5"
                    max={Number(limits.memoryGb.toFixed(2))}
                    aria-describedby={describedBy}
                    aria-invalid={invalid || undefined}
                    value={form.memoryGb}
                    onChange={(e) => update({ memoryGb: e.target.value }, 'memoryGb')}
                  />
                )}
              </Field>
              <Field label="Time limit (minutes)" error={shown.timeoutMinutes} hint="stopped after this long; empty for none" testId="field-timeout">
                {({ id, describedBy, invalid }) => (
                  <input id={id} type="number" min={0} aria-describedby={describedBy} aria-invalid={invalid || undefined} value={form.timeoutMinutes} onChange={(e) => update({ timeoutMinutes: e.target.value }, 'timeoutMinutes')} />
                )}
              </Field>
            </div>
            <label className="inline-check" data-testid="field-allow-root">
              <input type="checkbox" checked={form.allowRoot} onChange={(e) => update({ allowRoot: e.target.checked })} /> Allow running as root{' '}
              <span className="muted">only for images that need it; otherwise the job runs as an unprivileged user</span>
            </label>
          </section>

          <section className="launch-section">
            <label className="inline-check section-toggle">
              <input
                type="checkbox"
                checked={form.earlyStopping.enabled}
                onChange={(e) => update({ earlyStopping: { ...form.earlyStopping, enabled: e.target.checked } })}
              />{' '}
              <h3>Early stopping</h3>
              <span className="muted">stop when a metric stops improving</span>
            </label>
            {form.earlyStopping.enabled && (
              <div className="field-grid">
                <Field label="Metric" error={shown['earlyStopping.metric']}>
                  {({ id, describedBy, invalid }) => (
                    <span className="input-pair">
                      <input id={id} placeholder="val_loss" aria-describedby={describedBy} aria-invalid={invalid || undefined} value={form.earlyStopping.metric} onChange={(e) => update({ earlyStopping: { ...form.earlyStopping, metric: e.target.value } }, 'earlyStopping.metric')} />
                      <select aria-label="Early stopping direction" value={form.earlyStopping.mode} onChange={(e) => update({ earlyStopping: { ...form.earlyStopping, mode: e.target.value as 'min' | 'max' } })}>
                        <option value="min">lower is better</option>
                        <option value="max">higher is better</option>
                      </select>
                    </span>
                  )}
                </Field>
                <Field label="Patience (evaluations)" error={shown['earlyStopping.patience']}>
                  {({ id, describedBy, invalid }) => (
                    <input id={id} type="number" min={1} aria-describedby={describedBy} aria-invalid={invalid || undefined} value={form.earlyStopping.patience} onChange={(e) => update({ earlyStopping: { ...form.earlyStopping, patience: e.target.value } }, 'earlyStopping.patience')} />
                  )}
                </Field>
                <Field label="Min improvement" error={shown['earlyStopping.minDelta']}>
                  {({ id, describedBy, invalid }) => (
                    <input id={id} type="number" min={0} step="any" aria-describedby={describedBy} aria-invalid={invalid || undefined} value={form.earlyStopping.minDelta} onChange={(e) => update({ earlyStopping: { ...form.earlyStopping, minDelta: e.target.value } }, 'earlyStopping.minDelta')} />
                  )}
                </Field>
              </div>
            )}
          </section>
        </div>
        <footer className="dialog-foot">
          {attempted && !submission && <span className="field-error">Fix the fields marked above.</span>}
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={submitting} data-testid="launch-submit">
            {submitting ? 'Submitting…' : form.mode === 'sweep' ? 'Start sweep' : 'Start job'}
          </button>
        </footer>
      </form>
    </dialog>
  );
}

/** Field keys the dialog shows errors next to; a server error naming another goes to the top. */
const fieldKeys: Record<string, true> = {
  name: true,
  experiment: true,
  image: true,
  command: true,
  hyperparameters: true,
  cpus: true,
  memoryGb: true,
  gpus: true,
  timeoutMinutes: true,
  'earlyStopping.metric': true,
  'earlyStopping.patience': true,
  'earlyStopping.minDelta': true,
  'sweep.space': true,
  'sweep.maxTrials': true,
  'sweep.maxParallel': true,
  'sweep.objective': true,
};

interface ImagePickerProps {
  images: LocalImage[] | null;
  value: string;
  error: string | undefined;
  noEngine: boolean;
  docker: { message: string; fix: string | null } | null;
  onChange(image: string): void;
}

function ImagePicker({ images, value, error, noEngine, docker, onChange }: ImagePickerProps) {
  if (images === null) return <p className="muted">Reading local images…</p>;
  if (images.length === 0) {
    return (
      <div className="notice notice-warn" data-testid="no-images">
        <div>
          {noEngine ? (
            <>
              <p>
                <strong>No Docker engine, so no images:</strong> this job will run as a plain process on this machine, with the same environment, logs
                and metrics but no isolation. {docker?.message}
              </p>
              {docker?.fix && <CopyableCode code={docker.fix} />}
            </>
          ) : (
            <p>
              <strong>No local Docker images.</strong> Build one (<code>npm run images</code> builds <code>orrery/python:local</code>) or{' '}
              <code>docker pull</code> one, then open this dialog again.
            </p>
          )}
          {error && <span className="field-error">{error}</span>}
        </div>
      </div>
    );
  }
  return (
    <Field label="Image" error={error} hint="Local images only; nothing is pulled." testId="field-image">
      {({ id, describedBy, invalid }) => (
        <select id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} value={value} onChange={(e) => onChange(e.target.value)}>
          {!images.some((i) => i.tag === value) && <option value="">Pick an image…</option>}
          {images.map((image) => (
            <option key={image.tag} value={image.tag}>
              {image.tag} · {formatBytes(image.sizeBytes)} · {new Date(image.created).toLocaleDateString()}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

interface GpuPickerProps {
  usage: ResourceUsageView | null;
  form: LaunchForm;
  error: string | undefined;
  onChange(patch: Partial<LaunchForm>): void;
}

function GpuPicker({ usage, form, error, onChange }: GpuPickerProps) {
  const gpus = usage?.gpus ?? [];
  if (usage && gpus.length === 0) {
    return (
      <p className="muted" data-testid="gpu-picker">
        No NVIDIA GPU on this machine: the job runs on the CPU.
      </p>
    );
  }
  const toggle = (index: number, on: boolean) =>
    onChange({ gpuMode: 'pick', gpuPicked: on ? [...form.gpuPicked.filter((i) => i !== index), index] : form.gpuPicked.filter((i) => i !== index) });
  return (
    <fieldset className="gpu-picker" data-testid="gpu-picker" aria-invalid={error ? true : undefined}>
      <legend>GPUs</legend>
      <div className="segmented">
        <label>
          <input type="radio" name="gpu-mode" checked={form.gpuMode === 'none'} onChange={() => onChange({ gpuMode: 'none' })} /> No GPU
        </label>
        <label>
          <input type="radio" name="gpu-mode" checked={form.gpuMode === 'count'} onChange={() => onChange({ gpuMode: 'count' })} /> Any
          <input
            className="gpu-count"
            type="number"
            min={1}
            max={gpus.length}
            aria-label="How many GPUs"
            value={form.gpuCount}
            onFocus={() => onChange({ gpuMode: 'count' })}
            onChange={(e) => onChange({ gpuMode: 'count', gpuCount: e.target.value })}
          />{' '}
          free
        </label>
        <label>
          <input type="radio" name="gpu-mode" checked={form.gpuMode === 'pick'} onChange={() => onChange({ gpuMode: 'pick' })} /> These:
        </label>
      </div>
      <ul className="gpu-list">
        {gpus.map((gpu) => (
          <li key={gpu.index} className="gpu-row" data-testid="gpu-option">
            <label>
              <input type="checkbox" checked={form.gpuMode === 'pick' && form.gpuPicked.includes(gpu.index)} onChange={(e) => toggle(gpu.index, e.target.checked)} />
              <span className="mono">GPU {gpu.index}</span>
              <span>{gpu.name}</span>
              <span className="muted">{formatMib(gpu.memoryTotalMb)}</span>
              {gpu.jobId ? (
                <Badge tone="warn">busy: {gpu.jobName ?? gpu.jobId.slice(0, 8)}</Badge>
              ) : (
                <Badge tone="ok">free</Badge>
              )}
            </label>
          </li>
        ))}
      </ul>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </fieldset>
  );
}
