import { randomUUID } from 'node:crypto';
import type { Job } from '../../../shared/contract/training';
import type { JobSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import type { JobBook } from './job-book';
import type { JobRepository } from './job-repository';
import type { RunTag, RunTracker } from './ports';

export interface EnqueueOptions {
  rootJobId?: string;
  sweepRunId?: string;
  maxParallel?: number;
  extraTags?: RunTag[];
  /** The caller hashes the datasets (of several jobs at once). */
  deferHashing?: boolean;
}

export interface JobIntakeDeps {
  book: JobBook;
  jobs: JobRepository;
  tracking: RunTracker;
  /** The runner a job will be launched with ('docker' or 'process'), recorded on its run. */
  runnerKind: (spec: JobSpec) => string;
  /** Hashes the dataset mounts of jobs waiting in the 'hashing-inputs' stage. */
  hashInputs: (jobIds: string[], spec: JobSpec) => void;
  schedule: () => void;
}

/** Taking a job into the queue: its experiment (made when new), its run with params and tags, its row. */
export class JobIntake {
  constructor(private readonly deps: JobIntakeDeps) {}

  /** The experiment named `name`, created when there is none. */
  experimentFor(name: string): string {
    const { tracking } = this.deps;
    try {
      return tracking.getExperimentByName(name).experimentId;
    } catch (error) {
      if (!(error instanceof OrreryError && error.code === 'NOT_FOUND')) throw error;
      return tracking.createExperiment(name);
    }
  }

  /**
   * Creates the job's run and row and returns at once. A job with dataset mounts waits in the
   * 'hashing-inputs' stage while they are hashed (unless `deferHashing`: the caller hashes for
   * several jobs at once); the others join the line now.
   */
  enqueue(spec: JobSpec, attempt: number, retryOf: string | null, options: EnqueueOptions = {}): Job {
    const { tracking, book } = this.deps;
    const experimentId = this.experimentFor(spec.experiment);
    const jobId = randomUUID().replaceAll('-', '');
    const tags = [
      { key: 'orrery.job-id', value: jobId },
      { key: 'orrery.command', value: spec.command.join(' ') },
      { key: 'orrery.image', value: spec.image },
      { key: 'orrery.runner', value: this.deps.runnerKind(spec) },
      { key: 'orrery.attempt', value: String(attempt) },
      ...(retryOf ? [{ key: 'orrery.retry-of', value: retryOf }] : []),
      ...(options.extraTags ?? []),
    ];
    const run = tracking.createRun({ experimentId, name: attempt > 1 ? `${spec.name} (attempt ${attempt})` : spec.name, tags });
    tracking.updateRun(run.runId, { status: 'SCHEDULED' });
    const params = Object.entries(spec.hyperparameters).map(([key, value]) => ({ key, value: String(value) }));
    for (let i = 0; i < params.length; i += 100) tracking.logBatch(run.runId, { metrics: [], params: params.slice(i, i + 100), tags: [] });
    const hashing = spec.mounts.some((mount) => mount.kind === 'dataset');
    this.deps.jobs.insert({
      jobId,
      spec,
      experimentId: Number(experimentId),
      runId: run.runId,
      attempt,
      now: book.now(),
      rootJobId: options.rootJobId ?? jobId,
      sweepRunId: options.sweepRunId ?? null,
      maxParallel: options.maxParallel ?? null,
      stage: hashing ? 'hashing-inputs' : null,
      reason: hashing ? 'hashing inputs: waiting to start' : null,
    });
    book.publish(jobId);
    if (hashing && !options.deferHashing) this.deps.hashInputs([jobId], spec);
    if (!hashing) this.deps.schedule();
    return book.get(jobId);
  }
}
