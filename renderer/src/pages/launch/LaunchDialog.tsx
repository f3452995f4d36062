import { useEffect, useMemo, useRef, useState } from 'react';
import { useClient } from '../../api/client-context';
import { Field } from '../../components/Field';
import { useLiveQuery } from '../../lib/use-live-query';
import { routeHref } from '../../routing/route';
import { navigate } from '../../routing/use-route';
import { toLoadError } from '../../stores/load-error';
import { useHardwareStore } from '../../stores/stores-context';
import { DatasetRows } from './DatasetRows';
import { EarlyStoppingFields } from './EarlyStoppingFields';
import { EnvRows } from './EnvRows';
import { GpuPicker } from './GpuPicker';
import { HyperparameterTable } from './HyperparameterTable';
import { ImagePicker } from './ImagePicker';
import { buildSubmission, fieldOfServerError, initialForm, suggestName, type FieldErrors, type LaunchForm, type MachineLimits } from './launch-form';
import { createLaunchMemory } from './launch-memory';
import { RunOptionsFields } from './RunOptionsFields';
import { SweepEditor } from './SweepEditor';
import { useHostPaths } from './use-host-paths';
import { WorkspaceFields } from './WorkspaceFields';
import '../../styles/forms.css';
import '../../styles/launch.css';

const GIB = 1024 ** 3;
/** The process runner ignores the image; the API still wants one named. */
const HOST_IMAGE = 'host';

interface LaunchDialogProps {
  onClose(): void;
  /** Prefill (a re-run, an example); without it the dialog opens with the last values used for `experiment`. */
  initial?: Partial<LaunchForm>;
  /** The experiment it opens for; defaults to the one last submitted to. */
  experiment?: string;
  /** A re-run: the run this job repeats (tagged orrery.rerun-of on the new run). */
  fromRunId?: string;
}

/** The group a field's error belongs to, for "touched" (a row's field counts for its table). */
function groupOf(key: string): string {
  if (key.startsWith('hp.')) return 'hyperparameters';
  if (key.startsWith('space.')) return 'sweep.space';
  if (key.startsWith('env.')) return 'env';
  return key;
}

/**
 * The "New job" dialog: image, command, your code (workspace, datasets, environment),
 * hyperparameters or a sweep space, GPUs, CPUs, memory, retries, priority, checkpoints, early
 * stopping and a time limit; checked field by field (host paths on the host) before anything is
 * sent. It remembers the last values per experiment. On submit it goes to the new run's page.
 */
export function LaunchDialog({ onClose, initial, experiment, fromRunId }: LaunchDialogProps) {
  const client = useClient();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const overview = useHardwareStore((s) => s.overview);
  const loadHardware = useHardwareStore((s) => s.load);
  const memory = useMemo(() => createLaunchMemory(), []);
  const [form, setForm] = useState<LaunchForm>(() => {
    if (initial) return { ...initialForm(), ...initial };
    const opened = experiment ?? memory.lastExperiment() ?? 'Default';
    return memory.recall(opened) ?? { ...initialForm(), experiment: opened };
  });
  // The images to pick from and what the machine has free, read once when the dialog opens.
  const choices = useLiveQuery((c) => Promise.all([c.call('training.listImages', {}), c.call('training.getResources', {})]), []);
  const images = choices.data?.[0] ?? null;
  const usage = choices.data?.[1] ?? null;
  const loadError = choices.error?.message ?? null;
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [edited, setEdited] = useState(false);
  const [attempted, setAttempted] = useState(false);
  const [server, setServer] = useState<{ field: string | null; message: string } | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const hostPaths = useHostPaths();

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
    if (attempted || touched.has(key) || touched.has(groupOf(key))) shown[key] = message;
  }
  // The host's verdict on a path, unless the field is already wrong as typed.
  for (const [key, message] of Object.entries(hostPaths.errors)) shown[key] ??= message;
  if (server?.field) shown[server.field] = server.message;

  function update(patch: Partial<LaunchForm>, ...keys: string[]) {
    setForm((f) => ({ ...f, ...patch }));
    if (keys.length) setTouched((t) => new Set([...t, ...keys]));
    if (!('name' in patch) && !('experiment' in patch)) setEdited(true);
    setServer(null);
  }

  /** The experiment field lost focus: an untouched dialog takes that experiment's last values. */
  function experimentChosen() {
    if (edited || initial) return;
    const recalled = memory.recall(form.experiment);
    if (recalled) setForm({ ...recalled, name: form.name });
  }

  /** Every host path checked on the host, all at once; false when one may not be mounted. */
  async function checkPaths(): Promise<boolean> {
    const checks = [hostPaths.check('workspace.source', form.workspace.source, 'workspace'), ...form.datasets.map((d, i) => hostPaths.check(`ds.${i}.source`, d.source, 'dataset'))];
    return (await Promise.all(checks)).every(Boolean);
  }

  async function submit() {
    setAttempted(true);
    setServer(null);
    if (!submission) return;
    setSubmitting(true);
    try {
      if (!(await checkPaths())) return;
      const runId =
        submission.kind === 'job'
          ? (await client.call('training.submit', { spec: submission.spec, ...(fromRunId ? { fromRunId } : {}) })).runId
          : (await client.call('training.submitSweep', { spec: submission.spec, sweep: submission.sweep })).parentRunId;
      memory.remember(form);
      onClose();
      navigate(routeHref('runs', [runId]));
    } catch (err) {
      const message = toLoadError(err).message;
      const field = mountFieldOf(message, form) ?? fieldOfServerError(message);
      setServer({ field: field && (field in fieldKeys || field.startsWith('ds.')) ? field : null, message });
    } finally {
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
          <h2 id="launch-title">{fromRunId ? 'Re-run a training job' : 'New training job'}</h2>
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
          {fromRunId && (
            <p className="muted" data-testid="rerun-note">
              Filled from run <code>{fromRunId.slice(0, 12)}</code>; change what you need. The new run links back to it.
            </p>
          )}

          <section className="launch-section">
            <h3>What to run</h3>
            <div className="field-grid">
              <Field label="Name" error={shown.name} hint={suggested && !form.name ? `defaults to “${suggested}”` : undefined} testId="field-name">
                {({ id, describedBy, invalid }) => (
                  <input id={id} placeholder={suggested || 'resnet-baseline'} aria-describedby={describedBy} aria-invalid={invalid || undefined} value={form.name} onChange={(e) => update({ name: e.target.value }, 'name')} />
                )}
              </Field>
              <Field label="Experiment" error={shown.experiment} testId="field-experiment">
                {({ id, describedBy }) => <input id={id} aria-describedby={describedBy} value={form.experiment} onChange={(e) => update({ experiment: e.target.value }, 'experiment')} onBlur={experimentChosen} />}
              </Field>
            </div>
            <ImagePicker images={images} value={form.image} error={shown.image} noEngine={noEngine} docker={docker} onChange={(image) => update({ image }, 'image')} />
            <Field
              label="Command"
              error={shown.command}
              hint="Split like a shell: quotes keep spaces together. Nothing is expanded. Relative paths start from the working directory."
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

          <section className="launch-section" data-testid="code-and-data">
            <h3>Code and data</h3>
            <WorkspaceFields
              value={form.workspace}
              errors={shown}
              onChange={(workspace, key) => {
                update({ workspace }, key);
                if (key === 'workspace.source') hostPaths.clear('workspace.source');
              }}
              onSourceBlur={() => void hostPaths.check('workspace.source', form.workspace.source, 'workspace')}
            />
            <h4>Datasets</h4>
            <DatasetRows
              rows={form.datasets}
              errors={shown}
              onChange={(datasets, key) => {
                update({ datasets }, key);
                // Removing a row moves the others: their verdicts are asked again on blur or submit.
                hostPaths.clear(key === 'datasets' ? 'ds.' : key);
              }}
              onSourceBlur={(i) => void hostPaths.check(`ds.${i}.source`, form.datasets[i]?.source ?? '', 'dataset')}
            />
            <p className="field-hint">Mounted read-only, hashed before the job starts, and recorded as the run&apos;s dataset inputs.</p>
            <h4>Environment variables</h4>
            <EnvRows rows={form.env} errors={shown} onChange={(env) => update({ env }, 'env')} />
            {form.keptMounts.length > 0 && (
              <p className="muted" data-testid="kept-mounts">
                Also mounted as before: {form.keptMounts.map((m) => `${m.source} → ${m.target}`).join(', ')}
              </p>
            )}
            {form.keptRunner && (
              <p className="muted" data-testid="kept-runner">
                {form.keptRunner === 'process' ? 'Runner: a plain process on this machine (no container), as the job it re-runs asked.' : 'Runner: a Docker container, as the job it re-runs asked.'}
              </p>
            )}
          </section>

          <section className="launch-section">
            <div className="section-head">
              <h3>{form.mode === 'single' ? 'Hyperparameters' : 'Sweep'}</h3>
              {!fromRunId && (
                <div className="segmented" role="radiogroup" aria-label="Single job or sweep">
                  <label>
                    <input type="radio" name="mode" checked={form.mode === 'single'} onChange={() => update({ mode: 'single' })} /> Single job
                  </label>
                  <label>
                    <input type="radio" name="mode" checked={form.mode === 'sweep'} onChange={() => update({ mode: 'sweep' })} /> Sweep
                  </label>
                </div>
              )}
            </div>
            {form.mode === 'sweep' && <h4>Fixed hyperparameters (every trial)</h4>}
            <HyperparameterTable rows={form.hyperparameters} errors={shown} onChange={(hyperparameters) => update({ hyperparameters }, 'hyperparameters')} />
            {shown.hyperparameters && <span className="field-error">{shown.hyperparameters}</span>}
            <p className="field-hint">
              The script reads them from <code>ORRERY_PARAMS</code> (JSON) or <code>/orrery/params.json</code>; they are logged as the run&apos;s params.
              {form.mode === 'sweep' && ' Each trial gets these plus its own point in the space below.'}
            </p>
            <label className="inline-check">
              <input type="checkbox" checked={form.passAsArgs} onChange={(e) => update({ passAsArgs: e.target.checked })} /> Also pass them as <code>--key=value</code> arguments
            </label>
            {form.mode === 'sweep' && (
              <>
                <h4>Swept parameters</h4>
                <SweepEditor sweep={form.sweep} errors={shown} onChange={(sweep) => update({ sweep }, 'sweep.space')} />
              </>
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
            <h3>Retries and checkpoints</h3>
            <RunOptionsFields value={form} errors={shown} onChange={(patch, key) => update(patch, key)} />
          </section>

          <EarlyStoppingFields value={form.earlyStopping} errors={shown} onChange={(earlyStopping, key) => (key ? update({ earlyStopping }, key) : update({ earlyStopping }))} />
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

/**
 * The field a server error about a mount names: "spec.mounts[1].source: …" is the workspace's or a
 * dataset row's, counting as buildSubmission orders them (the workspace first).
 */
function mountFieldOf(message: string, form: LaunchForm): string | null {
  const match = /^(?:spec\.)?mounts\[(\d+)\]\.(source|target)\b/.exec(message);
  if (!match) return null;
  const index = Number(match[1]);
  const offset = form.workspace.source.trim() ? 1 : 0;
  if (offset === 1 && index === 0) return `workspace.${match[2]}`;
  const row = index - offset;
  return row < form.datasets.length ? `ds.${row}.${match[2]}` : null;
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
  'workspace.source': true,
  'workspace.target': true,
  workingDir: true,
  env: true,
  'checkpoint.dir': true,
  'checkpoint.keepLast': true,
  retries: true,
  priority: true,
};
