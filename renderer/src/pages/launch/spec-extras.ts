import { RESERVED_JOB_ENV, type JobSpecInput } from '../../../../shared/contract/training-spec';
import { checkNumber } from './number-check';

/**
 * The launch dialog's fields for running your own code: the workspace folder (mounted, with the
 * working directory inside it), datasets, environment variables, a checkpoint folder, retries and
 * priority; as typed, and checked into the job spec's parts.
 */
export interface WorkspaceForm {
  /** Host folder; empty for no workspace. */
  source: string;
  /** Where it appears in the container. */
  target: string;
  writable: boolean;
  /** Empty: the workspace's target (or the image's own when there is no workspace). */
  workingDir: string;
}

export interface DatasetRow {
  source: string;
  /** Empty: /data/<the source's last name>. */
  target: string;
}

export interface EnvRow {
  key: string;
  value: string;
}

export interface ExtrasForm {
  workspace: WorkspaceForm;
  datasets: DatasetRow[];
  env: EnvRow[];
  checkpoint: { enabled: boolean; dir: string; keepLast: string };
  retries: string;
  priority: string;
  /** Mounts of a re-run spec this dialog has no fields for (a second workspace): sent unchanged. */
  keptMounts: NonNullable<JobSpecInput['mounts']>;
  /** The runner a re-run spec asked for (the dialog has no field for it): sent unchanged; null for the app's default. */
  keptRunner: 'docker' | 'process' | null;
}

export const DEFAULT_WORKSPACE_TARGET = '/workspace';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function initialExtras(): ExtrasForm {
  return {
    workspace: { source: '', target: DEFAULT_WORKSPACE_TARGET, writable: false, workingDir: '' },
    datasets: [],
    env: [],
    checkpoint: { enabled: false, dir: '/checkpoints', keepLast: '3' },
    retries: '0',
    priority: '0',
    keptMounts: [],
    keptRunner: null,
  };
}

/** Where a dataset row is mounted when its target is left empty. */
export function defaultDatasetTarget(source: string): string {
  const name = source.trim().replace(/\/+$/, '').split('/').pop() ?? '';
  return name ? `/data/${name}` : '/data';
}

/** The working directory a job gets: the one typed, else the workspace's target, else none (the image's). */
export function effectiveWorkingDir(workspace: WorkspaceForm): string | undefined {
  const typed = workspace.workingDir.trim();
  if (typed) return typed;
  return workspace.source.trim() ? workspace.target.trim() || DEFAULT_WORKSPACE_TARGET : undefined;
}

type ExtrasSpec = Required<Pick<JobSpecInput, 'mounts' | 'env' | 'retries' | 'priority'>> & Pick<JobSpecInput, 'workingDir' | 'checkpoint' | 'runner'>;

const containerPath = (text: string): string | null => {
  if (!text.startsWith('/')) return 'must be an absolute path inside the container (starting with /)';
  if (text.replace(/\/+$/, '') === '') return 'cannot be / (the whole container)';
  return null;
};

/**
 * Checks the fields and builds their part of the spec; errors go into `errors` keyed
 * 'workspace.source', 'workspace.target', 'workingDir', 'ds.<i>.source|target', 'env.<i>.key',
 * 'checkpoint.dir', 'checkpoint.keepLast', 'retries', 'priority'.
 */
export function buildSpecExtras(form: ExtrasForm, errors: Record<string, string>): ExtrasSpec {
  const mounts: ExtrasSpec['mounts'] = [];
  const targets = new Map<string, string>();
  // Two mounts on one path: the later one is marked, naming the earlier.
  const claim = (target: string, key: string, label: string) => {
    const normal = target.replace(/\/+$/, '');
    if (targets.has(normal)) errors[key] = `${target} is already used by ${targets.get(normal)}`;
    else targets.set(normal, label);
  };

  const ws = form.workspace;
  const wsSource = ws.source.trim();
  const wsTarget = ws.target.trim() || DEFAULT_WORKSPACE_TARGET;
  if (wsSource) {
    if (!wsSource.startsWith('/')) errors['workspace.source'] = 'must be an absolute host path (starting with /)';
    const bad = containerPath(wsTarget);
    if (bad) errors['workspace.target'] = bad;
    else claim(wsTarget, 'workspace.target', 'the workspace');
    mounts.push({ source: wsSource, target: wsTarget, kind: 'workspace', writable: ws.writable });
  }
  const workingDir = effectiveWorkingDir(ws);
  if (workingDir !== undefined && !workingDir.startsWith('/')) errors.workingDir = 'must be an absolute path inside the container';

  form.datasets.forEach((row, i) => {
    const source = row.source.trim();
    const target = row.target.trim() || defaultDatasetTarget(source);
    if (!source && !row.target.trim()) return; // an empty row is ignored
    if (!source) errors[`ds.${i}.source`] = 'required: the host folder or file';
    else if (!source.startsWith('/')) errors[`ds.${i}.source`] = 'must be an absolute host path (starting with /)';
    const bad = containerPath(target);
    if (bad) errors[`ds.${i}.target`] = bad;
    else claim(target, `ds.${i}.target`, `dataset ${i + 1}`);
    mounts.push({ source, target, kind: 'dataset', writable: false });
  });
  for (const kept of form.keptMounts) {
    claim(kept.target, 'mounts', `the mount of ${kept.source}`);
    mounts.push(kept);
  }

  const env: Record<string, string> = {};
  form.env.forEach((row, i) => {
    const key = row.key.trim();
    if (!key && !row.value) return;
    if (!key) errors[`env.${i}.key`] = 'name required';
    else if (!ENV_NAME.test(key)) errors[`env.${i}.key`] = `'${key}' is not a valid variable name: letters, digits and _, not starting with a digit`;
    else if (RESERVED_JOB_ENV.includes(key)) errors[`env.${i}.key`] = `${key} is set by Orrery for every job; choose another name`;
    else if (Object.hasOwn(env, key)) errors[`env.${i}.key`] = `'${key}' is set twice`;
    else env[key] = row.value;
  });

  let checkpoint: ExtrasSpec['checkpoint'];
  if (form.checkpoint.enabled) {
    const dir = form.checkpoint.dir.trim();
    const bad = dir ? containerPath(dir) : 'required: the folder inside the container';
    if (bad) errors['checkpoint.dir'] = bad;
    else if (targets.has(dir.replace(/\/+$/, ''))) errors['checkpoint.dir'] = `${dir} is already used by ${targets.get(dir.replace(/\/+$/, ''))}`;
    const keep = checkNumber(form.checkpoint.keepLast, { required: true, integer: true, min: 1, max: 1000 });
    if (keep.error) errors['checkpoint.keepLast'] = keep.error;
    if (!bad && keep.value !== undefined) checkpoint = { dir, keepLast: keep.value };
  }
  const retries = checkNumber(form.retries, { integer: true, min: 0, max: 10 });
  if (retries.error) errors.retries = retries.error;
  const priority = checkNumber(form.priority, { integer: true, min: -100, max: 100 });
  if (priority.error) errors.priority = priority.error;

  return {
    mounts,
    env,
    retries: retries.value ?? 0,
    priority: priority.value ?? 0,
    ...(workingDir !== undefined ? { workingDir } : {}),
    ...(checkpoint ? { checkpoint } : {}),
    ...(form.keptRunner ? { runner: form.keptRunner } : {}),
  };
}

/** A host-path message from training.checkHostPath without its field prefix ("source: 'x' does not exist." → "'x' does not exist."). */
export function hostPathMessage(message: string): string {
  return message.replace(/^(?:spec\.)?[A-Za-z][\w.[\]]*:\s+/, '');
}
