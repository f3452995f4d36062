import type { LocalImage } from '../../../shared/contract/training';
import type { JobSpec } from '../../../shared/contract/training-spec';
import type { JobUser } from './job-user';

export interface LaunchRequest {
  jobId: string;
  runId: string;
  experimentId: string;
  /** Its mounts' sources are already resolved through symlinks and checked against the mount policy. */
  spec: JobSpec;
  gpuIndices: number[];
  /** Who the job runs as (root only when the spec allows it); its folders are already writable for it. */
  user: JobUser;
  trackingUri: string;
  trackingToken: string;
  /** Host folder the job writes outputs to (collected as artifacts at exit). */
  outputsDir: string;
  /** Host file holding the hyperparameters as JSON. */
  paramsFile: string;
  /** Host folder kept across retries, mounted at spec.checkpoint.dir, when the job asked for one. */
  checkpointDir: string | null;
}

export interface JobExit {
  exitCode: number | null;
  oomKilled: boolean;
  /** The runner's own failure (could not wait on it), if any. */
  error: string | null;
}

/** A started job, whichever runner started it. */
export interface RunningJob {
  readonly runner: 'docker' | 'process';
  /** Container id or process id: what a later start reattaches to. */
  readonly handle: string;
  readonly imageDigest: string | null;
  /** 'orrery' lines are the runner's own notes for the job's log (what it did with the spec). */
  onLine(listener: (stream: 'stdout' | 'stderr' | 'orrery', line: string) => void): void;
  wait(): Promise<JobExit>;
  stop(graceSeconds: number): Promise<void>;
  stats(): Promise<{ cpuPercent: number; memoryBytes: number } | null>;
  /** Stop following without stopping the job (Orrery is closing; a later start reattaches). */
  detach(): void;
}

/**
 * A job's container that was created but never started: Orrery stopped between the two. What the
 * next start needs to decide whether it may still run.
 */
export interface UnstartedJob {
  handle: string;
  jobId: string;
  /** Its bind mounts as the engine holds them. */
  mounts: Array<{ source: string; target: string; readOnly: boolean }>;
  /** `uid:gid` (or a name) it would run as: its own User, else its image's; '' means root. */
  user: string;
  /** nvidia-smi indices it was given. */
  gpuIndices: number[];
  env: Record<string, string>;
  /** What makes it more privileged than a container Orrery creates (privileged, added capabilities, …). */
  privileges: string[];
}

/** Starts jobs: in Docker containers, or as plain processes where no engine exists. */
export interface JobLauncher {
  /** The runner of a job whose spec names none (spec.runner absent). */
  readonly kind: 'docker' | 'process';
  /** Refuse what can never start (an unknown image), with the reason, before anything is queued. */
  validate(spec: JobSpec): Promise<void>;
  launch(request: LaunchRequest): Promise<RunningJob>;
  /**
   * After a restart: follow a job still running under `handle`, or tell how it ended while
   * Orrery was closed. Null when the handle is gone (the container was removed), or when `runner`
   * (the one the job was recorded as started by) is not one this launcher starts jobs with.
   */
  reattach(handle: string, since: number, runner: 'docker' | 'process'): Promise<RunningJob | { ended: JobExit; finishedAt: number | null } | null>;
  /** Images a job can run in (Docker only; none without an engine). */
  images?(): Promise<LocalImage[]>;
  /** After a restart: job containers that were created but never started (Docker only). */
  unstarted?(): Promise<UnstartedJob[]>;
  /** Starts one of those after all; follows it like a launched job. */
  startUnstarted?(handle: string): Promise<RunningJob>;
  /** Removes one of those. */
  discard?(handle: string): Promise<void>;
}
