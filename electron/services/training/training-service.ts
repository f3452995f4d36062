import fs from 'node:fs';
import { PARENT_RUN_TAG } from '../../../shared/contract/tracking';
import { RERUN_OF_TAG, type HostPathCheck, type Job, type JobLogLine, type JobStatus, type LocalImage, type ResourceUsageView, type SweepSubmitted, type SweepView } from '../../../shared/contract/training';
import type { JobSpec, SweepSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import type { EventBus } from '../events/event-bus';
import { InputHashing } from './input-hashing';
import { JobBook } from './job-book';
import { JobFolders } from './job-folders';
import { JobFollower } from './job-follower';
import { JobIntake } from './job-intake';
import type { JobLauncher } from './job-launcher';
import { JobRecovery } from './job-recovery';
import type { JobRepository, StoredJob } from './job-repository';
import { JobScheduler } from './job-scheduler';
import { JobSpecCheck } from './job-spec-check';
import { orreryIdentity, type ProcessIdentity } from './job-user';
import { checkMountSource, checkWorkspaceFolder, defaultMountPolicy, type MountPolicy } from './mount-policy';
import type { GpuSampleReader, RunArtifactsWriter, RunTracker } from './ports';
import { GIB, type Allocation, type JobResources, type ResourceManager } from './resource-manager';
import { planSweep } from './sweep-planner';
import { SweepRuns } from './sweep-runs';
import { SweepReader } from './sweep-view';

export { JOB_USER_SOURCE_TAG, JOB_USER_TAG, RECOVERY_REASON_TAG, RECOVERY_TAG } from './job-tags';

export interface TrainingServiceDeps {
  jobs: JobRepository;
  /** Each job's run (TrackingService). */
  tracking: RunTracker;
  /** Where a job's outputs go as its run's artifacts (ArtifactStore). */
  artifacts: RunArtifactsWriter;
  bus: EventBus;
  launcher: JobLauncher;
  resources: ResourceManager;
  dataDir: string;
  /** Where jobs reach Orrery's MLflow API (known once the HTTP server listens). */
  /** A job's token is scoped to its own run (and child runs), so it cannot reach anything else. */
  trackingEndpoint: (runId: string) => { uri: string; token: string };
  gpuSamples?: GpuSampleReader;
  now?: () => number;
  systemMetricsIntervalMs?: number;
  /** Which host folders jobs may mount; by default the data dir, home folder and Docker sockets of this machine. */
  mountPolicy?: MountPolicy;
  /** Orrery's own uid and gid (tests pretend to be another user); by default the process's. */
  identity?: ProcessIdentity;
}

/**
 * The training queue: accepts job specs, starts them when their resources are free, follows
 * their logs and metrics into their run, stops them on cancel, timeout or early stopping, and
 * records how each ended. Docker jobs outlive the app and are followed again at the next start.
 * A facade over its parts (intake, input hashing, scheduler, follower, sweeps, recovery).
 */
export class TrainingService {
  private readonly specs: JobSpecCheck;
  private readonly book: JobBook;
  private readonly hashing: InputHashing;
  private readonly intake: JobIntake;
  private readonly follower: JobFollower;
  private readonly scheduler: JobScheduler;
  private readonly sweeps: SweepRuns;
  private readonly sweepReader: SweepReader;
  private readonly recovery: JobRecovery;
  /** Holders that are not jobs (model replicas) and how to name them. */
  private readonly reservations = new Map<string, string>();

  constructor(private readonly deps: TrainingServiceDeps) {
    const now = deps.now ?? Date.now;
    const { jobs, tracking, bus, resources, launcher } = deps;
    const specs = new JobSpecCheck(deps.mountPolicy ?? defaultMountPolicy(deps.dataDir), deps.identity ?? orreryIdentity());
    const folders = new JobFolders(deps.dataDir, specs, deps.artifacts);
    const endpointFor = (job: StoredJob) => deps.trackingEndpoint(job.runId);
    const schedule = () => this.scheduler.schedule();
    const hashInputs = (jobIds: string[], spec: JobSpec) => this.hashing.start(jobIds, spec);
    const book = new JobBook({
      jobs,
      tracking,
      bus,
      resources,
      folders,
      now,
      afterEnd: (job) => {
        if (job?.sweepRunId) this.sweeps.update(job.sweepRunId);
        schedule();
      },
    });
    this.specs = specs;
    this.book = book;
    this.hashing = new InputHashing({ book, jobs, tracking, policy: specs.policy, schedule });
    this.intake = new JobIntake({ book, jobs, tracking, runnerKind: (spec) => spec.runner ?? launcher.kind, hashInputs, schedule });
    this.follower = new JobFollower({
      book,
      tracking,
      bus,
      folders,
      gpuSamples: deps.gpuSamples,
      systemMetricsIntervalMs: deps.systemMetricsIntervalMs,
      retry: (job) => this.retryFailed(job),
    });
    this.scheduler = new JobScheduler({ book, jobs, tracking, resources, launcher, folders, follower: this.follower, endpointFor });
    this.sweeps = new SweepRuns({ book, jobs, tracking, intake: this.intake, hashInputs });
    this.sweepReader = new SweepReader({ jobs, tracking });
    this.recovery = new JobRecovery({
      book,
      jobs,
      launcher,
      resources,
      specs,
      folders,
      follower: this.follower,
      scheduler: this.scheduler,
      hashing: this.hashing,
      endpointFor,
    });
  }

  /** fromRunId: the run this job re-runs (its spec edited or not); the new run is tagged with it. */
  async submit(spec: JobSpec, fromRunId?: string): Promise<Job> {
    if (fromRunId !== undefined) this.checkRunExists(fromRunId);
    this.specs.check(spec);
    await this.admit(spec);
    return this.intake.enqueue(spec, 1, null, fromRunId ? { extraTags: [{ key: RERUN_OF_TAG, value: fromRunId }] } : {});
  }

  private checkRunExists(runId: string): void {
    try {
      this.deps.tracking.getRun(runId);
    } catch (error) {
      if (error instanceof OrreryError && error.code === 'NOT_FOUND') throw new OrreryError('INVALID_INPUT', `fromRunId: no run with id ${runId}.`);
      throw error;
    }
  }

  /** A host path as a job would mount it: exists, readable, allowed by the mount rules. */
  checkHostPath(source: string, kind: 'dataset' | 'workspace'): HostPathCheck {
    const resolved = checkMountSource(source, 'source', this.specs.policy);
    if (kind === 'workspace') checkWorkspaceFolder(resolved, source, 'source');
    return { resolved, kind: fs.statSync(resolved).isDirectory() ? 'folder' : 'file' };
  }

  /** Queues one trial per point of the search space, each a child run of one sweep parent run. */
  async submitSweep(spec: JobSpec, sweep: SweepSpec): Promise<SweepSubmitted> {
    this.specs.check(spec);
    const plan = planSweep(sweep);
    await this.admit(spec);
    return this.sweeps.expand(spec, sweep, plan);
  }

  /** A sweep by its parent run: its space, objective and trials, best first. */
  getSweep(runId: string): SweepView {
    return this.sweepReader.read(runId);
  }

  list(statuses?: readonly JobStatus[]): Job[] {
    return this.book.list(statuses);
  }

  get(jobId: string): Job {
    return this.book.get(jobId);
  }

  /** Each GPU free or held by which job (by name too), and the CPUs and memory jobs hold. */
  resourceUsage(): ResourceUsageView {
    const usage = this.deps.resources.usage();
    return {
      gpus: usage.gpus.map((gpu) => ({
        index: gpu.index,
        name: gpu.name,
        memoryTotalMb: gpu.memoryTotalMb,
        jobId: gpu.jobId,
        jobName: gpu.jobId ? (this.deps.jobs.get(gpu.jobId)?.name ?? null) : null,
      })),
      cpus: { total: usage.cpus.total, used: usage.cpus.used },
      memoryBytes: { total: usage.memoryBytes.total, used: usage.memoryBytes.used },
    };
  }

  /**
   * Take resources for something that is not a job (a model replica) now, or never: it does not
   * queue. Refuses CONFLICT naming the jobs and replicas that hold what is missing.
   */
  reserve(holderId: string, holderLabel: string, resources: { gpus: number; cpus: number; memoryGb: number }): Allocation {
    const asked: JobResources = { gpus: resources.gpus, cpus: resources.cpus, memoryGb: resources.memoryGb };
    const fit = this.deps.resources.check(asked);
    if (!fit.ok) throw new OrreryError('INVALID_INPUT', fit.reason.replace(/^resources\./, ''));
    const allocation = this.deps.resources.tryAllocate(holderId, asked);
    if (allocation === null) throw new OrreryError('CONFLICT', this.busyReason(asked));
    this.reservations.set(holderId, holderLabel);
    return allocation;
  }

  /** Give back what reserve() took; queued jobs may start in it. */
  release(holderId: string): void {
    this.reservations.delete(holderId);
    if (this.deps.resources.release(holderId)) this.schedule();
  }

  /** After a restart: what a running replica holds, recorded even when it clashes (it runs either way). */
  restore(holderId: string, holderLabel: string, allocation: Omit<Allocation, 'jobId'>): void {
    this.reservations.set(holderId, holderLabel);
    const { conflicts } = this.deps.resources.restore({ ...allocation, jobId: holderId });
    for (const conflict of conflicts) console.error(`[training] ${conflict}`);
  }

  /** Who holds the resources a reservation could not get, in words. */
  private busyReason(asked: JobResources): string {
    const usage = this.deps.resources.usage();
    const holderName = (id: string) => this.reservations.get(id) ?? `job ${this.deps.jobs.get(id)?.name ?? id} (${id.slice(0, 8)})`;
    const parts: string[] = [];
    const gpusAsked = typeof asked.gpus === 'number' ? asked.gpus : asked.gpus.length;
    const freeGpus = usage.gpus.filter((gpu) => gpu.jobId === null).length;
    if (gpusAsked > freeGpus) {
      const holders = [...new Set(usage.gpus.flatMap((gpu) => gpu.jobIds))].map(holderName);
      parts.push(`${gpusAsked} GPU${gpusAsked === 1 ? '' : 's'} asked, ${freeGpus} free (held by ${holders.join(', ')})`);
    }
    const holdersOf = (what: (a: NonNullable<ReturnType<ResourceManager['allocationOf']>>) => number) =>
      this.holderIds()
        .filter((id) => what(this.deps.resources.allocationOf(id)!) > 0)
        .map(holderName);
    if ((asked.cpus ?? 0) > usage.cpus.free) parts.push(`${asked.cpus} CPUs asked, ${Number(usage.cpus.free.toFixed(2))} free (held by ${holdersOf((a) => a.cpus).join(', ')})`);
    const memoryGb = asked.memoryGb ?? 0;
    if (memoryGb * GIB > usage.memoryBytes.free) {
      parts.push(`${memoryGb} GB of memory asked, ${Number((usage.memoryBytes.free / GIB).toFixed(2))} GB free (held by ${holdersOf((a) => a.memoryBytes).join(', ')})`);
    }
    return `Not enough free resources: ${parts.join('; ') || 'the machine is full'}.`;
  }

  private holderIds(): string[] {
    const ids = new Set<string>(this.reservations.keys());
    for (const job of this.deps.jobs.list(['running'])) ids.add(job.jobId);
    return [...ids].filter((id) => this.deps.resources.allocationOf(id) !== null);
  }

  /** Local images a job can run in; none when jobs run as plain processes. */
  async images(): Promise<LocalImage[]> {
    return (await this.deps.launcher.images?.()) ?? [];
  }

  /** jobId: the job's id or its run's. */
  async cancel(id: string): Promise<Job> {
    const job = this.get(id);
    const jobId = job.jobId;
    if (job.status === 'queued' && (this.hashing.has(jobId) || job.stage === 'hashing-inputs')) {
      this.book.end(job, { job: 'cancelled', run: 'KILLED', reason: 'cancelled while its inputs were being hashed' }, null);
      this.hashing.drop(jobId);
    } else if (job.status === 'queued') {
      this.book.end(job, { job: 'cancelled', run: 'KILLED', reason: 'cancelled before it started' }, null);
    } else if (job.status === 'running') {
      await this.follower.stop(jobId, { kind: 'cancel' });
    } else {
      throw new OrreryError('CONFLICT', `Job ${jobId} has already ${job.status === 'cancelled' ? 'been cancelled' : job.status}.`);
    }
    return this.get(jobId);
  }

  async retry(id: string): Promise<Job> {
    const job = this.get(id);
    if (job.status === 'queued' || job.status === 'running') throw new OrreryError('CONFLICT', `Job ${job.jobId} is still ${job.status}.`);
    this.specs.check(job.spec);
    return this.intake.enqueue(job.spec, job.attempt + 1, job.runId);
  }

  logs(id: string, tail: number, search?: string): JobLogLine[] {
    return this.book.logs(this.get(id).jobId, tail, search);
  }

  /** At start: follow jobs that kept running while Orrery was closed, record those that ended. */
  reattach(): Promise<void> {
    return this.recovery.reattach();
  }

  /**
   * Stop following. Containers keep running and are followed again at the next start; a plain
   * process cannot be, so it is stopped rather than left running unwatched.
   */
  close(): void {
    this.book.closed = true;
    this.hashing.close();
    this.follower.close();
  }

  /** Starts every queued job whose resources are free, highest priority first, then oldest. */
  schedule(): void {
    this.scheduler.schedule();
  }

  /** The machine can hold the job, and the launcher accepts it (its image exists, ...). */
  private async admit(spec: JobSpec): Promise<void> {
    const fit = this.deps.resources.check(spec.resources);
    if (!fit.ok) throw new OrreryError('INVALID_INPUT', fit.reason);
    await this.deps.launcher.validate(spec);
  }

  /** A job that failed on its own with retries left: its next attempt, in the same sweep. */
  private retryFailed(job: StoredJob): void {
    try {
      this.intake.enqueue(job.spec, job.attempt + 1, job.runId, {
        rootJobId: job.rootJobId,
        ...(job.sweepRunId ? { sweepRunId: job.sweepRunId, maxParallel: job.maxParallel ?? 1, extraTags: [{ key: PARENT_RUN_TAG, value: job.sweepRunId }] } : {}),
      });
    } catch {
      // The experiment or store refused the new attempt; this attempt's end stands.
    }
  }
}
