import type { JobSpec, JobSpecInput } from '../../shared/contract/training-spec';
import type { SubmitOptions } from './jobs-command';
import { defaultJobName } from './jobs-values';

/** Where `--workspace` is mounted, and the job's working directory. */
export const WORKSPACE_TARGET = '/workspace';

/** The spec of a new job from `orrery jobs submit --image I … -- CMD`; Orrery fills the defaults and checks it. */
export function newJobSpec(options: SubmitOptions): JobSpecInput {
  const command = options.command ?? [];
  return {
    name: options.name ?? defaultJobName(command),
    ...(options.experiment !== undefined ? { experiment: options.experiment } : {}),
    image: options.image ?? '',
    command,
    env: options.env,
    hyperparameters: options.params,
    mounts: [...workspaceMounts(options), ...options.datasets],
    ...(options.workspace ? { workingDir: WORKSPACE_TARGET } : {}),
    resources: resources({ gpus: 0 }, options),
    ...(options.priority !== undefined ? { priority: options.priority } : {}),
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...(options.runner !== undefined ? { runner: options.runner } : {}),
  };
}

/**
 * `--from RUN_ID`: the spec of the job that made the run, with what the command line changes.
 * Params and env are merged key by key; a --workspace replaces the job's workspace mounts (and
 * makes /workspace the working directory); any --dataset replaces all its datasets.
 */
export function rerunSpec(spec: JobSpec, options: SubmitOptions): JobSpecInput {
  const mounts = [
    ...(options.workspace ? workspaceMounts(options) : spec.mounts.filter((m) => m.kind === 'workspace')),
    ...(options.datasets.length > 0 ? options.datasets : spec.mounts.filter((m) => m.kind === 'dataset')),
  ];
  return {
    ...spec,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.experiment !== undefined ? { experiment: options.experiment } : {}),
    ...(options.image !== undefined ? { image: options.image } : {}),
    ...(options.command !== undefined ? { command: options.command } : {}),
    env: { ...spec.env, ...options.env },
    hyperparameters: { ...spec.hyperparameters, ...options.params },
    mounts,
    ...(options.workspace ? { workingDir: WORKSPACE_TARGET } : {}),
    resources: resources(spec.resources, options),
    ...(options.priority !== undefined ? { priority: options.priority } : {}),
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...(options.runner !== undefined ? { runner: options.runner } : {}),
  };
}

function workspaceMounts(options: SubmitOptions): NonNullable<JobSpecInput['mounts']> {
  return options.workspace ? [{ source: options.workspace.source, target: WORKSPACE_TARGET, kind: 'workspace', writable: options.workspace.writable }] : [];
}

function resources(base: NonNullable<JobSpecInput['resources']>, options: SubmitOptions): NonNullable<JobSpecInput['resources']> {
  return {
    ...base,
    ...(options.gpus !== undefined ? { gpus: options.gpus } : {}),
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
    ...(options.memoryGb !== undefined ? { memoryGb: options.memoryGb } : {}),
  };
}
