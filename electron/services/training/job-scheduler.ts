import type { JobBook } from './job-book';
import type { JobFolders, PreparedJob } from './job-folders';
import type { JobFollower } from './job-follower';
import type { JobLauncher, RunningJob } from './job-launcher';
import type { JobRepository, StoredJob } from './job-repository';
import { JOB_USER_SOURCE_TAG, JOB_USER_TAG, messageOf } from './job-tags';
import { userString, type JobUser } from './job-user';
import type { RunTag, RunTracker } from './ports';
import type { ResourceManager } from './resource-manager';

export interface JobSchedulerDeps {
  book: JobBook;
  jobs: JobRepository;
  tracking: RunTracker;
  resources: ResourceManager;
  launcher: JobLauncher;
  folders: JobFolders;
  follower: JobFollower;
  /** Where the job reaches Orrery's MLflow API, and the token (scoped to its run) it logs with. */
  endpointFor: (job: StoredJob) => { uri: string; token: string };
}

/**
 * The queue's scheduler: starts every queued job whose resources are free (highest priority
 * first, then oldest; a sweep's trials at most `maxParallel` at once), launches it, and hands it
 * to the follower.
 */
export class JobScheduler {
  private scheduling = false;
  private rescheduled = false;

  constructor(private readonly deps: JobSchedulerDeps) {}

  schedule(): void {
    if (this.deps.book.closed) return;
    if (this.scheduling) {
      // Asked again while a pass runs (a job ended meanwhile): run another pass after this one.
      this.rescheduled = true;
      return;
    }
    this.scheduling = true;
    try {
      do {
        this.rescheduled = false;
        this.pass();
      } while (this.rescheduled);
    } finally {
      this.scheduling = false;
    }
  }

  /** Records a started job (running, its runner, image and user) and follows it. */
  began(job: StoredJob, running: RunningJob, gpuIndices: number[], user: JobUser, extraTags: RunTag[]): void {
    const { book, jobs, tracking } = this.deps;
    const startedAt = book.now();
    jobs.markRunning(job.jobId, { runner: running.runner, handle: running.handle, gpuIndices, now: startedAt });
    // The run starts when the job does, not when it was queued: the runs table and the jobs page then show one duration.
    tracking.updateRun(job.runId, { status: 'RUNNING', startTime: startedAt });
    const tags = [
      { key: 'orrery.runner', value: running.runner },
      ...(running.imageDigest ? [{ key: 'orrery.image.digest', value: running.imageDigest }] : []),
      { key: JOB_USER_TAG, value: userString(user) },
      { key: JOB_USER_SOURCE_TAG, value: user.source },
      ...extraTags,
    ];
    tracking.logBatch(job.runId, { metrics: [], params: [], tags });
    book.publish(job.jobId);
    this.deps.follower.follow({ ...job, gpuIndices, startedAt }, running);
  }

  private pass(): void {
    const { book, jobs, resources } = this.deps;
    for (const job of jobs.queue()) {
      // Already given its resources and starting (the row turns 'running' once it has).
      if (resources.allocationOf(job.jobId)) continue;
      if (job.sweepRunId && job.maxParallel !== null && this.runningTrials(job.sweepRunId) >= job.maxParallel) {
        jobs.setReason(job.jobId, `waiting: the sweep runs at most ${job.maxParallel} trials at once`);
        continue;
      }
      let allocation;
      try {
        allocation = resources.tryAllocate(job.jobId, job.spec.resources);
      } catch (error) {
        // The machine changed since it was queued (a GPU gone): it can never start here.
        book.end(job, { job: 'failed', run: 'FAILED', reason: messageOf(error) }, null);
        continue;
      }
      if (!allocation) {
        const missing = resources.shortfall(job.spec.resources);
        jobs.setReason(job.jobId, `waiting for ${missing.length > 0 ? missing.join(', ') : 'its GPUs, CPUs or memory to be free'}${this.replicasHolding()}`);
        continue;
      }
      void this.start(job, allocation.gpuIndices);
    }
  }

  /** "; model replicas (Deployments) hold 1.5 CPUs, 1.5 GB" when served models hold part of the machine. */
  private replicasHolding(): string {
    const replicas = this.deps.resources.holdings().filter((a) => a.jobId.startsWith('replica:'));
    if (replicas.length === 0) return '';
    const cpus = replicas.reduce((sum, a) => sum + a.cpus, 0);
    const gb = replicas.reduce((sum, a) => sum + a.memoryBytes, 0) / 1024 ** 3;
    const gpus = replicas.reduce((sum, a) => sum + a.gpuIndices.length, 0);
    const parts = [`${Number(cpus.toFixed(2))} CPUs`, `${Number(gb.toFixed(2))} GB`, ...(gpus > 0 ? [`${gpus} GPU${gpus === 1 ? '' : 's'}`] : [])];
    return `; ${replicas.length === 1 ? '1 model replica (Deployments) holds' : `${replicas.length} model replicas (Deployments) hold`} ${parts.join(', ')}`;
  }

  private runningTrials(sweepRunId: string): number {
    return this.deps.jobs.sweepJobs(sweepRunId).filter((j) => j.status === 'running' || this.deps.resources.allocationOf(j.jobId)).length;
  }

  private async start(job: StoredJob, gpuIndices: number[]): Promise<void> {
    const { book } = this.deps;
    let running: RunningJob;
    let prepared: PreparedJob;
    try {
      prepared = this.deps.folders.prepare(job);
      const endpoint = this.deps.endpointFor(job);
      running = await this.deps.launcher.launch({
        jobId: job.jobId,
        runId: job.runId,
        experimentId: job.experimentId,
        spec: prepared.spec,
        gpuIndices,
        user: prepared.user,
        trackingUri: endpoint.uri,
        trackingToken: endpoint.token,
        outputsDir: prepared.outputsDir,
        paramsFile: prepared.paramsFile,
        checkpointDir: prepared.checkpointDir,
      });
    } catch (error) {
      const reason = messageOf(error);
      book.writeLog(job, 'orrery', `Could not start: ${reason}`);
      book.end(job, { job: 'failed', run: 'FAILED', reason: `could not start: ${reason}` }, null);
      return;
    }
    this.began(job, running, gpuIndices, prepared.user, []);
  }
}
