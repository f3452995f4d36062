import { z } from 'zod';
import { method, event, type EventsOf } from './define';
import { jobSpecSchema, sweepSchema, type JobSpec } from './training-spec';

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

const jobId = z.string().regex(/^[0-9a-f]{32}$/, 'must be a job id');

export const trainingMethods = {
  'training.submit': method<Job>()(z.object({ spec: jobSpecSchema }).strict(), 'Queue a training job; it starts when its resources are free.'),
  'training.submitSweep': method<SweepSubmitted>()(
    z.object({ spec: jobSpecSchema, sweep: sweepSchema }).strict(),
    'Queue one trial per point of a search space (grid or random), as child runs of a sweep run.',
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
