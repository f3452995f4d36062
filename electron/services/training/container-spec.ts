import path from 'node:path';
import type Docker from 'dockerode';
import type { JobSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import { deviceRequestsFor } from '../docker/device-requests';
import { nanoCpus } from './resource-manager';

/** Where a job's files appear inside its container. */
export const CONTAINER_OUTPUTS_DIR = '/orrery/outputs';
export const CONTAINER_PARAMS_FILE = '/orrery/params.json';

/** Labels on every container Orrery starts; `listManaged` finds them again after a restart. */
export const LABEL_JOB_ID = 'dev.orrery.job-id';
export const LABEL_RUN_ID = 'dev.orrery.run-id';
export const LABEL_EXPERIMENT_ID = 'dev.orrery.experiment-id';
export const LABEL_MANAGED = 'dev.orrery.managed';

/** Processes a job may have at once: generous for DataLoader workers, a stop for fork bombs. */
export const DEFAULT_PIDS_LIMIT = 4096;

const GIB = 1024 ** 3;

/** Variables Orrery sets itself; a job's own env cannot replace them. */
export const RESERVED_ENV = [
  'ORRERY_PARAMS',
  'ORRERY_PARAMS_FILE',
  'ORRERY_OUTPUTS_DIR',
  'ORRERY_JOB_ID',
  'MLFLOW_TRACKING_URI',
  'MLFLOW_TRACKING_TOKEN',
  'MLFLOW_RUN_ID',
  'MLFLOW_EXPERIMENT_ID',
  'PYTHONUNBUFFERED',
] as const;

export interface ContainerSpecInput {
  jobId: string;
  runId: string;
  experimentId: string;
  spec: JobSpec;
  /** nvidia-smi indices the resource manager allocated; empty for a CPU job. */
  gpuIndices: readonly number[];
  trackingUri: string;
  trackingToken: string;
  /** Host folder for the run's outputs, mounted read-write at /orrery/outputs. */
  outputsHostDir: string;
  /** Host file holding the hyperparameters as JSON, mounted read-only at /orrery/params.json. */
  paramsHostFile: string;
  /** More variables from Orrery itself (a sweep id, ...): they override the job's env, not the reserved ones. */
  extraEnv?: Readonly<Record<string, string>>;
  /**
   * `uid:gid` to run as instead of the image's user, whatever that is (root in most images):
   * the job's user, whom Orrery made its outputs and checkpoint folders writable for.
   */
  user?: string;
  pidsLimit?: number;
}

/** `--key=value` for each hyperparameter, in the order they were given. */
export function hyperparameterArgs(hyperparameters: JobSpec['hyperparameters']): string[] {
  return Object.entries(hyperparameters).map(([key, value]) => `--${key}=${String(value)}`);
}

/**
 * The Docker Engine API's create-container body for one attempt of a job. Pure: it reads nothing
 * and touches nothing, so every field is checked by unit tests.
 */
export function buildContainerSpec(input: ContainerSpecInput): Docker.ContainerCreateOptions {
  const { spec } = input;
  const resources = spec.resources;

  const env: Record<string, string> = { ...spec.env, ...input.extraEnv };
  // An image built FROM a CUDA base sets NVIDIA_VISIBLE_DEVICES=all; where the NVIDIA runtime is
  // the engine's default, that alone would hand the job every GPU, including those other jobs hold.
  // So it always names exactly the allocated GPUs (the engine sets the same from DeviceIDs), or none.
  env['NVIDIA_VISIBLE_DEVICES'] = input.gpuIndices.length === 0 ? 'void' : input.gpuIndices.join(',');
  Object.assign(env, {
    ORRERY_PARAMS: JSON.stringify(spec.hyperparameters),
    ORRERY_PARAMS_FILE: CONTAINER_PARAMS_FILE,
    ORRERY_OUTPUTS_DIR: CONTAINER_OUTPUTS_DIR,
    ORRERY_JOB_ID: input.jobId,
    MLFLOW_TRACKING_URI: input.trackingUri,
    MLFLOW_TRACKING_TOKEN: input.trackingToken,
    MLFLOW_RUN_ID: input.runId,
    MLFLOW_EXPERIMENT_ID: input.experimentId,
    PYTHONUNBUFFERED: '1',
  } satisfies Record<(typeof RESERVED_ENV)[number], string>);

  const hostConfig: Docker.HostConfig = {
    // Containers reach Orrery's tracking server on 127.0.0.1.
    NetworkMode: 'host',
    SecurityOpt: ['no-new-privileges'],
    CapDrop: ['ALL'],
    PidsLimit: input.pidsLimit ?? DEFAULT_PIDS_LIMIT,
    // We read the exit code (and OOMKilled) after the container stops; the runner removes it.
    AutoRemove: false,
    // A real PID 1 that reaps zombies (DataLoader workers) and passes SIGTERM on to the script.
    Init: true,
    Mounts: mountsFor(input),
  };
  if (resources.cpus !== undefined) hostConfig.NanoCpus = nanoCpus(resources.cpus);
  if (resources.memoryGb !== undefined) {
    hostConfig.Memory = Math.round(resources.memoryGb * GIB);
    // Equal to Memory: no swap on top, so the limit is the limit and an overrun is an OOM kill.
    hostConfig.MemorySwap = hostConfig.Memory;
  }
  if (resources.shmGb !== undefined) hostConfig.ShmSize = Math.round(resources.shmGb * GIB);
  const deviceRequests = deviceRequestsFor(input.gpuIndices);
  if (deviceRequests.length > 0) hostConfig.DeviceRequests = deviceRequests;

  const options: Docker.ContainerCreateOptions = {
    Image: spec.image,
    Cmd: spec.passHyperparametersAsArgs ? [...spec.command, ...hyperparameterArgs(spec.hyperparameters)] : [...spec.command],
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Labels: {
      [LABEL_JOB_ID]: input.jobId,
      [LABEL_RUN_ID]: input.runId,
      [LABEL_EXPERIMENT_ID]: input.experimentId,
      [LABEL_MANAGED]: 'true',
    },
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    OpenStdin: false,
    HostConfig: hostConfig,
  };
  if (spec.workingDir !== undefined) options.WorkingDir = spec.workingDir;
  if (input.user !== undefined) options.User = input.user;
  return options;
}

function mountsFor(input: ContainerSpecInput): Docker.MountSettings[] {
  const mounts: Docker.MountSettings[] = [
    ...input.spec.mounts.map((mount) => ({
      Type: 'bind' as const,
      Source: mount.source,
      Target: mount.target,
      // Datasets are hashed and recorded as run inputs: the job must not change them. A workspace
      // is read-only too unless the user marked it writable.
      ReadOnly: mount.kind === 'dataset' || !mount.writable,
    })),
    { Type: 'bind', Source: input.outputsHostDir, Target: CONTAINER_OUTPUTS_DIR, ReadOnly: false },
    { Type: 'bind', Source: input.paramsHostFile, Target: CONTAINER_PARAMS_FILE, ReadOnly: true },
  ];
  const seen = new Set<string>();
  for (const mount of mounts) {
    // A relative source would be taken as a named volume by Binds and refused by Mounts with a
    // message about the engine, not the job.
    if (!path.isAbsolute(mount.Source)) {
      throw new OrreryError('INVALID_INPUT', `Mount source "${mount.Source}" must be an absolute path on this machine`);
    }
    const target = path.posix.normalize(mount.Target).replace(/(.)\/$/, '$1');
    if (seen.has(target)) {
      const reserved = target === CONTAINER_OUTPUTS_DIR || target === CONTAINER_PARAMS_FILE;
      throw new OrreryError(
        'INVALID_INPUT',
        reserved ? `Mount target ${target} is reserved for Orrery` : `Two mounts share the target ${target}`,
      );
    }
    seen.add(target);
  }
  return mounts;
}
