import { z } from 'zod';
import { method, event, type EventsOf } from './define';
import { jobSpecSchema, sweepSchema, type JobSpec, type ParamSpace } from './training-spec';

export type JobStatus = 'queued' | 'running' | 'finished' | 'failed' | 'cancelled';

/**
 * What a queued job is doing before it can wait for resources: 'hashing-inputs' while its dataset
 * mounts are hashed (the reason says how far), null otherwise.
 */
export type JobStage = 'hashing-inputs';

export interface Job {
  jobId: string;
  name: string;
  status: JobStatus;
  spec: JobSpec;
  priority: number;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  experimentId: string;
  runId: string;
  attempt: number;
  runner: 'docker' | 'process' | null;
  gpuIndices: number[];
  exitCode: number | null;
  /** Why it ended (or why it waits), in words a user can read. */
  reason: string | null;
  /** Place in the queue, 1 = next; null unless queued (and while its inputs are being hashed). */
  queuePosition: number | null;
  /** A sub-state of 'queued': 'hashing-inputs' until its datasets are hashed; null otherwise. */
  stage?: JobStage | null;
}

export interface SweepSubmitted {
  /** The sweep's parent run; each trial is a child run (tag mlflow.parentRunId). */
  parentRunId: string;
  jobs: Job[];
  /** Said when the plan was cut (a grid larger than maxTrials). */
  warning: string | null;
}

export interface JobLogLine {
  jobId: string;
  runId: string;
  stream: 'stdout' | 'stderr' | 'orrery';
  line: string;
  at: number;
}

/** A Docker image on this machine, for the launch dialog's picker. */
export interface LocalImage {
  /** repo:tag ("orrery/python:local"). */
  tag: string;
  /** The image id (sha256:…). */
  id: string;
  sizeBytes: number;
  /** Epoch ms. */
  created: number;
}

export interface GpuHolderView {
  index: number;
  name: string;
  memoryTotalMb: number | null;
  /** The job that holds this GPU, or null when free. */
  jobId: string | null;
  jobName: string | null;
}

/** What Orrery's jobs hold of the machine right now (not what processes outside Orrery use). */
export interface ResourceUsageView {
  gpus: GpuHolderView[];
  cpus: { total: number; used: number };
  memoryBytes: { total: number; used: number };
}

/** A job id, or the id of the run the job made: either names the job. */
const jobId = z.string().regex(/^[0-9a-f]{32}$/, 'must be a job id or its run id (32 hex characters)');
const runId = z.string().regex(/^[0-9a-f]{32}$/, 'must be a run id (32 hex characters)');

/** The tag on a run made by "Re-run" (dialog or `orrery jobs submit --from`): the run it came from. */
export const RERUN_OF_TAG = 'orrery.rerun-of';

/** Tags of a sweep's parent run (the trials are its child runs, tag mlflow.parentRunId). */
export const SWEEP_TAG = 'orrery.sweep';
/** The search space as JSON (absent on sweeps made before it was recorded). */
export const SWEEP_SPACE_TAG = 'orrery.sweep.space';

/** One trial of a sweep: its latest attempt, the swept params' values and its objective. */
export interface SweepTrial {
  runId: string;
  jobId: string;
  name: string;
  /** The swept params' values for this trial. */
  params: Record<string, string | number | boolean>;
  /** The objective metric's latest value; null until logged (or not a finite number). */
  objectiveValue: number | null;
  status: JobStatus;
  attempt: number;
  startedAt: number | null;
  endedAt: number | null;
}

/** A sweep as its parent run's page shows it. */
export interface SweepView {
  parentRunId: string;
  strategy: 'grid' | 'random' | null;
  objective: { metric: string; mode: 'min' | 'max' } | null;
  /** The search space; null when the sweep was made before Orrery recorded it. */
  space: Record<string, ParamSpace> | null;
  maxTrials: number | null;
  maxParallel: number | null;
  seed: number | null;
  /** The params the sweep varies: the space's, or (space not recorded) those that differ between trials. */
  sweptParams: string[];
  bestRunId: string | null;
  /** Best first by the objective's mode; trials without a value last, in trial order. */
  trials: SweepTrial[];
}

/** A host path as the job would mount it, checked before submit (the launch dialog's path fields). */
export interface HostPathCheck {
  /** The path after following symlinks. */
  resolved: string;
  kind: 'folder' | 'file';
}

export const trainingMethods = {
  'training.submit': method<Job>()(
    z.object({ spec: jobSpecSchema, fromRunId: runId.optional() }).strict(),
    'Queue a training job; it starts when its resources are free. fromRunId: the run this one re-runs (tagged orrery.rerun-of).',
  ),
  'training.checkHostPath': method<HostPathCheck>()(
    z.object({ source: z.string(), kind: z.enum(['dataset', 'workspace']) }).strict(),
    "Whether a host folder or file may be mounted into a job (exists, readable, not refused by the mount rules); refuses naming 'source'.",
  ),
  'training.submitSweep': method<SweepSubmitted>()(
    z.object({ spec: jobSpecSchema, sweep: sweepSchema }).strict(),
    'Queue one trial per point of a search space (grid or random), as child runs of a sweep run.',
  ),
  'training.getSweep': method<SweepView>()(
    z.object({ runId }).strict(),
    'A sweep by its parent run: search space, objective, and its trials ranked by the objective (best first).',
  ),
  'training.listJobs': method<Job[]>()(z.object({ status: z.array(z.enum(['queued', 'running', 'finished', 'failed', 'cancelled'])).optional() }).strict(), 'Jobs, newest first.'),
  'training.getJob': method<Job>()(z.object({ jobId }).strict(), 'One job.'),
  'training.cancel': method<Job>()(z.object({ jobId }).strict(), 'Cancel a queued or running job.'),
  'training.retry': method<Job>()(z.object({ jobId }).strict(), 'Queue an ended job again as a new run.'),
  'training.listImages': method<LocalImage[]>()(z.object({}).strict(), 'Local Docker images a job can run in; empty when no Docker engine answers.'),
  'training.getResources': method<ResourceUsageView>()(z.object({}).strict(), 'Each GPU free or held by which job, and the CPUs and memory jobs hold.'),
  'training.getLogs': method<JobLogLine[]>()(
    z.object({ jobId, tail: z.number().int().min(1).max(100_000).default(1000), search: z.string().optional() }).strict(),
    "The last lines of a job's log, optionally only those containing a text.",
  ),
};

export const trainingEvents = {
  'training.job': event<Job>("A job's status changed"),
  'training.log': event<JobLogLine>('A line of a running job\'s output'),
};
export type TrainingEvents = EventsOf<typeof trainingEvents>;
