import path from 'node:path';
import type { JobSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import { datasetDigest, type DigestProgress } from './dataset-digest';
import type { JobBook } from './job-book';
import type { JobRepository } from './job-repository';
import { messageOf } from './job-tags';
import { checkMountSource, type MountPolicy } from './mount-policy';
import type { RunDatasetInput, RunTracker } from './ports';

/** How often a hashing job's progress is written and published. */
const HASH_PROGRESS_MS = 500;

/** Hashing the datasets of one or more jobs (a sweep's trials share one). */
interface HashTask {
  controller: AbortController;
  jobIds: Set<string>;
}

export interface InputHashingDeps {
  book: JobBook;
  jobs: JobRepository;
  tracking: RunTracker;
  policy: MountPolicy;
  /** Hashed jobs join the line: let the queue look again. */
  schedule: () => void;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * Hashing the dataset mounts of queued jobs off the request path, showing progress in their
 * reason, and recording the digests as each run's inputs; then the jobs join the line.
 */
export class InputHashing {
  private readonly tasks = new Map<string, HashTask>();

  constructor(private readonly deps: InputHashingDeps) {}

  has(jobId: string): boolean {
    return this.tasks.has(jobId);
  }

  /**
   * Hashes the dataset mounts of `jobIds` (queued in the 'hashing-inputs' stage, all with these
   * mounts). A dataset that cannot be hashed fails them with the reason. Cancelling every job
   * waiting on it stops the hash.
   */
  start(jobIds: string[], spec: JobSpec): void {
    const task: HashTask = { controller: new AbortController(), jobIds: new Set(jobIds) };
    for (const jobId of jobIds) this.tasks.set(jobId, task);
    void this.run(task, spec).finally(() => {
      for (const jobId of task.jobIds) if (this.tasks.get(jobId) === task) this.tasks.delete(jobId);
    });
  }

  /** The job no longer waits for its hash (it was cancelled); the hash stops once no job is left waiting for it. */
  drop(jobId: string): void {
    const task = this.tasks.get(jobId);
    if (!task) return;
    task.jobIds.delete(jobId);
    this.tasks.delete(jobId);
    if (task.jobIds.size === 0) task.controller.abort(new OrreryError('CONFLICT', 'cancelled'));
  }

  /** Orrery is closing: a restart hashes them again (their stage is kept). */
  close(): void {
    for (const task of new Set(this.tasks.values())) task.controller.abort(new OrreryError('UNAVAILABLE', 'Orrery is closing'));
    this.tasks.clear();
  }

  private async run(task: HashTask, spec: JobSpec): Promise<void> {
    const { book, jobs } = this.deps;
    const { signal } = task.controller;
    const datasets = spec.mounts.flatMap((mount, index) => (mount.kind === 'dataset' ? [{ mount, index }] : []));
    const inputs: RunDatasetInput[] = [];
    let shownAt = 0;
    try {
      for (const [n, { mount, index }] of datasets.entries()) {
        const field = `spec.mounts[${index}].source`;
        const name = path.basename(mount.source) || mount.source;
        let counted = false;
        const show = (progress: DigestProgress | null, force = false) => {
          // The first count is shown at once (the listing is done), later ones at most every HASH_PROGRESS_MS.
          const firstCount = !counted && progress !== null && progress.filesTotal !== null;
          if (!force && !firstCount && book.now() - shownAt < HASH_PROGRESS_MS) return;
          if (firstCount) counted = true;
          shownAt = book.now();
          const which = datasets.length > 1 ? ` (dataset ${n + 1} of ${datasets.length})` : '';
          const files =
            progress === null || progress.filesTotal === null
              ? 'listing files'
              : `${progress.filesDone.toLocaleString('en-US')} of ${progress.filesTotal.toLocaleString('en-US')} files, ${formatBytes(progress.bytesDone)}`;
          this.showStage(task, `hashing inputs: ${name}${which}: ${files}`);
        };
        show(null, true);
        let digest: string;
        try {
          const source = checkMountSource(mount.source, field, this.deps.policy);
          digest = await datasetDigest(source, { signal, onProgress: (progress) => show(progress) });
        } catch (error) {
          if (signal.aborted) throw error;
          const message = messageOf(error);
          throw new OrreryError('INVALID_INPUT', message.startsWith(`${field}:`) ? message : `${field}: ${message}`);
        }
        inputs.push({
          name,
          digest,
          sourceType: 'local',
          source: JSON.stringify({ uri: mount.source, mountedAt: mount.target }),
          schema: null,
          profile: null,
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
        });
      }
    } catch (error) {
      if (signal.aborted) return; // cancelled (cancel() ended the jobs) or Orrery is closing
      for (const jobId of task.jobIds) {
        const job = jobs.get(jobId);
        if (job?.status !== 'queued') continue;
        const reason = `could not hash its inputs: ${messageOf(error)}`;
        book.writeLog(job, 'orrery', reason);
        book.end(job, { job: 'failed', run: 'FAILED', reason }, null);
      }
      return;
    }
    for (const jobId of task.jobIds) {
      const job = jobs.get(jobId);
      if (job?.status !== 'queued') continue;
      try {
        if (inputs.length) this.deps.tracking.logInputs(job.runId, inputs);
      } catch (error) {
        book.end(job, { job: 'failed', run: 'FAILED', reason: `its inputs could not be recorded: ${messageOf(error)}` }, null);
        continue;
      }
      if (jobs.setStage(jobId, null, null)) book.publish(jobId);
    }
    this.deps.schedule();
  }

  private showStage(task: HashTask, reason: string): void {
    for (const jobId of task.jobIds) {
      if (this.deps.jobs.setStage(jobId, 'hashing-inputs', reason)) this.deps.book.publish(jobId);
    }
  }
}
