import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Job, JobLogLine, JobStatus, LocalImage, ResourceUsageView, SweepSubmitted } from '../../../shared/contract/training';
import type { JobSpec, SweepSpec } from '../../../shared/contract/training-spec';
import { bestTrial, planSweep } from './sweep-planner';
import { datasetDigest, type DigestProgress } from './dataset-digest';
import type { GpuSample } from '../../../shared/contract/hardware';
import { OrreryError } from '../../../shared/errors';
import type { EventBus } from '../events/event-bus';
import type { ArtifactStore } from '../tracking/artifact-store';
import type { TrackingService } from '../tracking/tracking-service';
import { EarlyStopping } from './early-stopping';
import type { JobExit, JobLauncher, RunningJob, UnstartedJob } from './job-launcher';
import { handOverWorkspace, jobUserFor, orreryIdentity, prepareJobFolder, userString, writableWorkspacesToChown, type JobUser, type ProcessIdentity } from './job-user';
import { CONTAINER_OUTPUTS_DIR, CONTAINER_PARAMS_FILE } from './container-spec';
import { checkMountSource, checkMountTargets, defaultMountPolicy, resolveMounts, type MountPolicy, type ResolvedMount } from './mount-policy';
import { outcomeOf, type Outcome, type StopCause } from './job-outcome';
import type { JobRepository, StoredJob } from './job-repository';
import { createMetricLineState, parseMetricLine } from './metric-line-parser';
import type { ResourceManager } from './resource-manager';

export interface TrainingServiceDeps {
  jobs: JobRepository;
  tracking: TrackingService;
  artifacts: ArtifactStore;
  bus: EventBus;
  launcher: JobLauncher;
  resources: ResourceManager;
  dataDir: string;
  /** Where jobs reach Orrery's MLflow API (known once the HTTP server listens). */
  /** A job's token is scoped to its own run (and child runs), so it cannot reach anything else. */
  trackingEndpoint: (runId: string) => { uri: string; token: string };
  gpuSamples?: () => Promise<GpuSample[]>;
  now?: () => number;
  systemMetricsIntervalMs?: number;
  /** Which host folders jobs may mount; by default the data dir, home folder and Docker sockets of this machine. */
  mountPolicy?: MountPolicy;
  /** Orrery's own uid and gid (tests pretend to be another user); by default the process's. */
  identity?: ProcessIdentity;
}

/** Hashing the datasets of one or more jobs (a sweep's trials share one). */
interface HashTask {
  controller: AbortController;
  jobIds: Set<string>;
}

/** What a job is launched with once its spec has passed the mount policy and the user rule again. */
interface Prepared {
  spec: JobSpec;
  user: JobUser;
  outputsDir: string;
  paramsFile: string;
  checkpointDir: string | null;
}

interface Active {
  job: StoredJob;
  running: RunningJob;
  cause: StopCause | null;
  log: fs.WriteStream;
  cleanup: Array<() => void>;
}

const STOP_GRACE_SECONDS = 10;
const PARENT_TAG = 'mlflow.parentRunId';
/** The run tags saying who the job ran as (`uid:gid`) and why that user. */
export const JOB_USER_TAG = 'orrery.job_user';
export const JOB_USER_SOURCE_TAG = 'orrery.job_user.source';
/** Set on a run whose container was created but not started when Orrery stopped: what the next start did with it. */
export const RECOVERY_TAG = 'orrery.recovery';
export const RECOVERY_REASON_TAG = 'orrery.recovery.reason';
/** How often a hashing job's progress is written and published. */
const HASH_PROGRESS_MS = 500;

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

function isRootUser(user: string): boolean {
  const name = user.split(':')[0] ?? '';
  return name === '' || name === '0' || name === 'root';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parseObjective(text: string | undefined): SweepSpec['objective'] | null {
  const match = /^(min|max) (.+)$/.exec(text ?? '');
  return match ? { mode: match[1] as 'min' | 'max', metric: match[2]! } : null;
}

/**
 * The training queue: accepts job specs, starts them when their resources are free, follows
 * their logs and metrics into their run, stops them on cancel, timeout or early stopping, and
 * records how each ended. Docker jobs outlive the app and are followed again at the next start.
 */
export class TrainingService {
  private readonly active = new Map<string, Active>();
  private readonly sweepObjectives = new Map<string, SweepSpec['objective']>();
  private readonly hashTasks = new Map<string, HashTask>();
  private readonly now: () => number;
  private readonly policy: MountPolicy;
  private readonly identity: ProcessIdentity;
  private scheduling = false;
  private rescheduled = false;
  private closed = false;

  constructor(private readonly deps: TrainingServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.policy = deps.mountPolicy ?? defaultMountPolicy(deps.dataDir);
    this.identity = deps.identity ?? orreryIdentity();
  }

  /**
   * The mount policy and the user rule, as a job would be launched now: every mount resolved and
   * allowed, and no writable workspace Orrery would refuse to hand to the job's user.
   */
  private checkSpec(spec: JobSpec): { mounts: ResolvedMount[]; user: JobUser } {
    checkMountTargets(spec.mounts, [CONTAINER_OUTPUTS_DIR, CONTAINER_PARAMS_FILE, ...(spec.checkpoint ? [spec.checkpoint.dir] : [])]);
    const mounts = resolveMounts(spec.mounts, this.policy);
    const user = jobUserFor(spec, mounts, this.identity);
    writableWorkspacesToChown(mounts, user, this.identity);
    return { mounts, user };
  }

  async submit(spec: JobSpec): Promise<Job> {
    this.checkSpec(spec);
    const fit = this.deps.resources.check(spec.resources);
    if (!fit.ok) throw new OrreryError('INVALID_INPUT', fit.reason);
    await this.deps.launcher.validate(spec);
    return this.enqueue(spec, 1, null);
  }

  /** Queues one trial per point of the search space, each a child run of one sweep parent run. */
  async submitSweep(spec: JobSpec, sweep: SweepSpec): Promise<SweepSubmitted> {
    this.checkSpec(spec);
    const plan = planSweep(sweep);
    const fit = this.deps.resources.check(spec.resources);
    if (!fit.ok) throw new OrreryError('INVALID_INPUT', fit.reason);
    await this.deps.launcher.validate(spec);
    const experimentId = this.experimentFor(spec.experiment);
    const parent = this.deps.tracking.createRun({
      experimentId,
      name: `${spec.name} (sweep)`,
      tags: [
        { key: 'orrery.sweep', value: 'true' },
        { key: 'orrery.sweep.strategy', value: sweep.strategy },
        { key: 'orrery.sweep.objective', value: `${sweep.objective.mode} ${sweep.objective.metric}` },
        ...(plan.seed !== null ? [{ key: 'orrery.sweep.seed', value: String(plan.seed) }] : []),
      ],
    });
    const jobs: Job[] = [];
    for (const [i, trial] of plan.trials.entries()) {
      const trialSpec: JobSpec = { ...spec, name: `${spec.name} #${i + 1}`, hyperparameters: { ...spec.hyperparameters, ...trial } };
      jobs.push(
        this.enqueue(trialSpec, 1, null, {
          sweepRunId: parent.runId,
          maxParallel: sweep.maxParallel,
          extraTags: [{ key: PARENT_TAG, value: parent.runId }],
          deferHashing: true,
        }),
      );
    }
    this.sweepObjectives.set(parent.runId, sweep.objective);
    // The trials mount the same datasets: one hash serves them all.
    if (jobs.some((job) => job.stage === 'hashing-inputs')) this.hashInputs(jobs.map((job) => job.jobId), spec);
    return { parentRunId: parent.runId, jobs: jobs.map((job) => this.get(job.jobId)), warning: plan.warning ?? null };
  }

  list(statuses?: readonly JobStatus[]): Job[] {
    return this.withPositions(this.deps.jobs.list(statuses));
  }

  get(jobId: string): Job {
    const job = this.deps.jobs.get(jobId);
    if (!job) throw new OrreryError('NOT_FOUND', `No job with id ${jobId}.`);
    return this.withPositions([job])[0]!;
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

  /** Local images a job can run in; none when jobs run as plain processes. */
  async images(): Promise<LocalImage[]> {
    return (await this.deps.launcher.images?.()) ?? [];
  }

  async cancel(jobId: string): Promise<Job> {
    const job = this.get(jobId);
    const hashing = this.hashTasks.get(jobId);
    if (job.status === 'queued' && (hashing || job.stage === 'hashing-inputs')) {
      this.end(job, { job: 'cancelled', run: 'KILLED', reason: 'cancelled while its inputs were being hashed' }, null);
      if (hashing) {
        // Its hash stops once no job is left waiting for it.
        hashing.jobIds.delete(jobId);
        this.hashTasks.delete(jobId);
        if (hashing.jobIds.size === 0) hashing.controller.abort(new OrreryError('CONFLICT', 'cancelled'));
      }
    } else if (job.status === 'queued') {
      this.end(job, { job: 'cancelled', run: 'KILLED', reason: 'cancelled before it started' }, null);
    } else if (job.status === 'running') {
      await this.stopActive(jobId, { kind: 'cancel' });
    } else {
      throw new OrreryError('CONFLICT', `Job ${jobId} has already ${job.status === 'cancelled' ? 'been cancelled' : job.status}.`);
    }
    return this.get(jobId);
  }

  async retry(jobId: string): Promise<Job> {
    const job = this.get(jobId);
    if (job.status === 'queued' || job.status === 'running') throw new OrreryError('CONFLICT', `Job ${jobId} is still ${job.status}.`);
    this.checkSpec(job.spec);
    return this.enqueue(job.spec, job.attempt + 1, job.runId);
  }

  logs(jobId: string, tail: number, search?: string): JobLogLine[] {
    const job = this.get(jobId);
    const file = this.logFile(jobId);
    if (!fs.existsSync(file)) return [];
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const parsed = lines.map((text) => JSON.parse(text) as JobLogLine).filter((l) => !search || l.line.includes(search));
    return parsed.slice(-tail).map((l) => ({ ...l, jobId: job.jobId, runId: job.runId }));
  }

  /** At start: follow jobs that kept running while Orrery was closed, record those that ended. */
  async reattach(): Promise<void> {
    for (const job of this.deps.jobs.list(['running'])) {
      const found = job.handle && job.runner === this.deps.launcher.kind ? await this.deps.launcher.reattach(job.handle, job.startedAt ?? 0) : null;
      if (!found) {
        this.end(job, { job: 'failed', run: 'FAILED', reason: 'Orrery was closed while it ran, and its container or process is gone' }, null);
      } else if ('ended' in found) {
        const outcome = outcomeOf(found.ended, null, job.spec.resources.memoryGb);
        this.end(job, { ...outcome, reason: `${outcome.reason} (while Orrery was closed)` }, found.ended.exitCode, found.finishedAt ?? undefined);
      } else {
        this.deps.resources.restore({
          jobId: job.jobId,
          gpuIndices: job.gpuIndices,
          gpuUuids: job.gpuIndices.map(() => null),
          cpus: job.spec.resources.cpus ?? 0,
          memoryBytes: (job.spec.resources.memoryGb ?? 0) * 1024 ** 3,
        });
        this.follow(job, found);
        this.writeLog(job, 'orrery', 'Orrery restarted and is following this job again.');
      }
    }
    await this.recoverUnstarted();
    // Jobs whose inputs were being hashed when Orrery stopped: hash them again.
    for (const job of this.deps.jobs.staged('hashing-inputs')) {
      if (!this.hashTasks.has(job.jobId)) this.hashInputs([job.jobId], job.spec);
    }
    void this.tightenJobFolders();
    this.schedule();
  }

  /**
   * After a restart: a job container that was created but never started (Orrery stopped between
   * the two) is started if its job is still queued and it still passes the mount policy and the
   * user rule, and removed otherwise; its run's `orrery.recovery` tag says which, and why.
   * Containers of jobs this store does not know (another Orrery on the same engine) are left alone.
   */
  private async recoverUnstarted(): Promise<void> {
    const { launcher } = this.deps;
    if (!launcher.unstarted || !launcher.startUnstarted || !launcher.discard) return;
    let containers: UnstartedJob[];
    try {
      containers = await launcher.unstarted();
    } catch (error) {
      console.error('[training] could not look for containers left unstarted:', messageOf(error));
      return;
    }
    const recovered = new Set<string>();
    for (const container of containers) {
      const job = this.deps.jobs.get(container.jobId);
      if (!job) continue;
      let refusal = recovered.has(job.jobId) ? 'another container of this job was started instead' : this.recoveryRefusal(job, container);
      let prepared: Prepared | null = null;
      if (refusal === null) {
        try {
          prepared = this.prepare(job);
        } catch (error) {
          refusal = messageOf(error);
        }
      }
      const allocation = refusal === null ? this.deps.resources.tryAllocate(job.jobId, { ...job.spec.resources, gpus: container.gpuIndices.length ? container.gpuIndices : 0 }) : null;
      if (refusal === null && !allocation) refusal = 'the GPUs, CPUs or memory it was given are taken now';
      if (refusal === null && prepared && allocation) {
        try {
          const running = await launcher.startUnstarted(container.handle);
          recovered.add(job.jobId);
          this.writeLog(job, 'orrery', 'Orrery had created this container but stopped before starting it; started it now.');
          this.began(job, running, allocation.gpuIndices, prepared.user, [
            { key: RECOVERY_TAG, value: 'started-after-restart' },
            { key: RECOVERY_REASON_TAG, value: 'created before Orrery stopped; its job is still queued and it still passes the mount policy and the user rule' },
          ]);
          continue;
        } catch (error) {
          this.deps.resources.release(job.jobId);
          refusal = `it could not be started: ${messageOf(error)}`;
        }
      }
      try {
        await launcher.discard(container.handle);
      } catch (error) {
        console.error(`[training] could not remove container ${container.handle}:`, messageOf(error));
        continue;
      }
      const next = job.status === 'queued' ? ' The job waits in the queue for a new container.' : '';
      this.writeLog(job, 'orrery', `Removed a container Orrery had created but not started before it stopped: ${refusal}.${next}`);
      this.tagRun(job.runId, [
        { key: RECOVERY_TAG, value: 'removed-after-restart' },
        { key: RECOVERY_REASON_TAG, value: refusal ?? '' },
      ]);
    }
  }

  /** Why a container left unstarted may not run for its job now, or null when it may. */
  private recoveryRefusal(job: StoredJob, container: UnstartedJob): string | null {
    if (job.status !== 'queued') return `its job is ${job.status}`;
    if (job.stage !== null) return 'its job is hashing its inputs again';
    let resolved: ResolvedMount[];
    let user: JobUser;
    try {
      ({ mounts: resolved, user } = this.checkSpec(job.spec));
    } catch (error) {
      return `its job no longer passes the mount policy (${messageOf(error)})`;
    }
    const own = new Map<string, string>([
      [path.join(this.jobFolder(job.jobId), 'outputs'), '/orrery/outputs'],
      [path.join(this.jobFolder(job.jobId), 'params.json'), '/orrery/params.json'],
    ]);
    if (job.spec.checkpoint) own.set(path.join(this.jobFolder(job.rootJobId), 'checkpoints'), job.spec.checkpoint.dir);
    for (const mount of container.mounts) {
      if (own.get(mount.source) === mount.target) continue;
      const index = job.spec.mounts.findIndex((m) => m.target === mount.target);
      const wanted = resolved[index];
      if (index < 0 || !wanted) return `it mounts '${mount.source}' at ${mount.target}, which its job does not ask for`;
      try {
        checkMountSource(mount.source, `spec.mounts[${index}].source`, this.policy);
      } catch (error) {
        return `it mounts '${mount.source}', which the mount policy refuses (${messageOf(error)})`;
      }
      if (wanted.source !== mount.source) return `it mounts '${mount.source}' at ${mount.target}, but spec.mounts[${index}].source now resolves to '${wanted.source}'`;
      if (!mount.readOnly && !(wanted.kind === 'workspace' && wanted.writable)) return `it mounts '${mount.source}' writable, and its job asks for it read-only`;
    }
    if (isRootUser(container.user) && !job.spec.allowRoot) return 'it would run as root, and its job does not allow that';
    if (container.user !== userString(user)) return `it would run as '${container.user || 'root'}', not as the job's user ${userString(user)}`;
    if (container.privileges.length > 0) return `it would run with ${container.privileges.join(', ')}`;
    const endpoint = this.endpointFor(job);
    if (container.env.MLFLOW_TRACKING_URI !== endpoint.uri || container.env.MLFLOW_TRACKING_TOKEN !== endpoint.token) {
      return 'the tracking address or token it was given is no longer valid';
    }
    return null;
  }

  /**
   * Stop following. Containers keep running and are followed again at the next start; a plain
   * process cannot be, so it is stopped rather than left running unwatched.
   */
  close(): void {
    this.closed = true;
    // A restart hashes them again (their stage is kept).
    for (const task of new Set(this.hashTasks.values())) task.controller.abort(new OrreryError('UNAVAILABLE', 'Orrery is closing'));
    this.hashTasks.clear();
    for (const entry of this.active.values()) {
      for (const fn of entry.cleanup) fn();
      if (entry.running.runner === 'process') void entry.running.stop(0);
      else entry.running.detach();
    }
    this.active.clear();
  }

  /** Starts every queued job whose resources are free, highest priority first, then oldest. */
  schedule(): void {
    if (this.closed) return;
    if (this.scheduling) {
      // Asked again while a pass runs (a job ended meanwhile): run another pass after this one.
      this.rescheduled = true;
      return;
    }
    this.scheduling = true;
    try {
      do {
        this.rescheduled = false;
        this.schedulePass();
      } while (this.rescheduled);
    } finally {
      this.scheduling = false;
    }
  }

  private schedulePass(): void {
    for (const job of this.deps.jobs.queue()) {
      // Already given its resources and starting (the row turns 'running' once it has).
      if (this.deps.resources.allocationOf(job.jobId)) continue;
      if (job.sweepRunId && job.maxParallel !== null && this.runningTrials(job.sweepRunId) >= job.maxParallel) {
        this.deps.jobs.setReason(job.jobId, `waiting: the sweep runs at most ${job.maxParallel} trials at once`);
        continue;
      }
      let allocation;
      try {
        allocation = this.deps.resources.tryAllocate(job.jobId, job.spec.resources);
      } catch (error) {
        // The machine changed since it was queued (a GPU gone): it can never start here.
        this.end(job, { job: 'failed', run: 'FAILED', reason: error instanceof Error ? error.message : String(error) }, null);
        continue;
      }
      if (!allocation) {
        this.deps.jobs.setReason(job.jobId, 'waiting for its GPUs, CPUs or memory to be free');
        continue;
      }
      void this.start(job, allocation.gpuIndices);
    }
  }

  /**
   * Hashes the dataset mounts of `jobIds` (queued in the 'hashing-inputs' stage, all with these
   * mounts) off the request path, showing progress in their reason, and records them as each run's
   * inputs; then the jobs join the line. A dataset that cannot be hashed fails them with the
   * reason. Cancelling every job waiting on it stops the hash.
   */
  private hashInputs(jobIds: string[], spec: JobSpec): void {
    const task: HashTask = { controller: new AbortController(), jobIds: new Set(jobIds) };
    for (const jobId of jobIds) this.hashTasks.set(jobId, task);
    void this.runHash(task, spec).finally(() => {
      for (const jobId of task.jobIds) if (this.hashTasks.get(jobId) === task) this.hashTasks.delete(jobId);
    });
  }

  private async runHash(task: HashTask, spec: JobSpec): Promise<void> {
    const { signal } = task.controller;
    const datasets = spec.mounts.flatMap((mount, index) => (mount.kind === 'dataset' ? [{ mount, index }] : []));
    const inputs = [];
    let shownAt = 0;
    try {
      for (const [n, { mount, index }] of datasets.entries()) {
        const field = `spec.mounts[${index}].source`;
        const name = path.basename(mount.source) || mount.source;
        let counted = false;
        const show = (progress: DigestProgress | null, force = false) => {
          // The first count is shown at once (the listing is done), later ones at most every HASH_PROGRESS_MS.
          const firstCount = !counted && progress !== null && progress.filesTotal !== null;
          if (!force && !firstCount && this.now() - shownAt < HASH_PROGRESS_MS) return;
          if (firstCount) counted = true;
          shownAt = this.now();
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
          const source = checkMountSource(mount.source, field, this.policy);
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
        const job = this.deps.jobs.get(jobId);
        if (job?.status !== 'queued') continue;
        const reason = `could not hash its inputs: ${messageOf(error)}`;
        this.writeLog(job, 'orrery', reason);
        this.end(job, { job: 'failed', run: 'FAILED', reason }, null);
      }
      return;
    }
    for (const jobId of task.jobIds) {
      const job = this.deps.jobs.get(jobId);
      if (job?.status !== 'queued') continue;
      try {
        if (inputs.length) this.deps.tracking.logInputs(job.runId, inputs);
      } catch (error) {
        this.end(job, { job: 'failed', run: 'FAILED', reason: `its inputs could not be recorded: ${messageOf(error)}` }, null);
        continue;
      }
      if (this.deps.jobs.setStage(jobId, null, null)) this.publish(jobId);
    }
    this.schedule();
  }

  private showStage(task: HashTask, reason: string): void {
    for (const jobId of task.jobIds) {
      if (this.deps.jobs.setStage(jobId, 'hashing-inputs', reason)) this.publish(jobId);
    }
  }

  private runningTrials(sweepRunId: string): number {
    return this.deps.jobs.sweepJobs(sweepRunId).filter((j) => j.status === 'running' || this.deps.resources.allocationOf(j.jobId)).length;
  }

  /** The sweep's parent shows the best trial so far, and finishes with the last trial. */
  private updateSweep(sweepRunId: string): void {
    const trials = this.deps.jobs.sweepJobs(sweepRunId);
    const objective = this.sweepObjectives.get(sweepRunId) ?? parseObjective(this.deps.tracking.getRun(sweepRunId).tags['orrery.sweep.objective']);
    if (!objective) return;
    const scored = trials.map((t) => {
      const metric = this.deps.tracking.getRun(t.runId).metrics[objective.metric];
      const value = metric === undefined ? null : Number(metric.value);
      return { runId: t.runId, value };
    });
    const best = bestTrial(scored, objective.mode);
    const tags = best ? [{ key: 'orrery.sweep.best_run_id', value: best.runId }, { key: 'orrery.sweep.best_value', value: String(best.value) }] : [];
    const metrics = best && best.value !== null ? [{ key: `best_${objective.metric}`, value: best.value, step: trials.filter((t) => t.endedAt).length, timestamp: this.now() }] : [];
    try {
      this.deps.tracking.logBatch(sweepRunId, { metrics, params: [], tags });
      if (trials.every((t) => t.status !== 'queued' && t.status !== 'running')) {
        this.deps.tracking.updateRun(sweepRunId, { status: trials.some((t) => t.status === 'finished') ? 'FINISHED' : 'FAILED', endTime: this.now() });
      }
    } catch {
      // The parent run was deleted: the trials still stand on their own.
    }
  }

  private experimentFor(name: string): string {
    try {
      return this.deps.tracking.getExperimentByName(name).experimentId;
    } catch (error) {
      if (!(error instanceof OrreryError && error.code === 'NOT_FOUND')) throw error;
      return this.deps.tracking.createExperiment(name);
    }
  }

  /**
   * Creates the job's run and row and returns at once. A job with dataset mounts waits in the
   * 'hashing-inputs' stage while they are hashed (unless `deferHashing`: the caller hashes for
   * several jobs at once); the others join the line now.
   */
  private enqueue(
    spec: JobSpec,
    attempt: number,
    retryOf: string | null,
    options: {
      rootJobId?: string;
      sweepRunId?: string;
      maxParallel?: number;
      extraTags?: Array<{ key: string; value: string }>;
      deferHashing?: boolean;
    } = {},
  ): Job {
    const { tracking } = this.deps;
    const experimentId = this.experimentFor(spec.experiment);
    const jobId = randomUUID().replaceAll('-', '');
    const tags = [
      { key: 'orrery.job-id', value: jobId },
      { key: 'orrery.command', value: spec.command.join(' ') },
      { key: 'orrery.image', value: spec.image },
      { key: 'orrery.runner', value: this.deps.launcher.kind },
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
      now: this.now(),
      rootJobId: options.rootJobId ?? jobId,
      sweepRunId: options.sweepRunId ?? null,
      maxParallel: options.maxParallel ?? null,
      stage: hashing ? 'hashing-inputs' : null,
      reason: hashing ? 'hashing inputs: waiting to start' : null,
    });
    this.publish(jobId);
    if (hashing && !options.deferHashing) this.hashInputs([jobId], spec);
    if (!hashing) this.schedule();
    return this.get(jobId);
  }

  /**
   * Checks the job's spec again as it is launched (a spec stored before could be launched after a
   * restart, and folders change), picks its user, and makes its folders writable for that user:
   * outputs and checkpoints (0700, theirs) and any root-owned writable workspace.
   */
  private prepare(job: StoredJob): Prepared {
    const { mounts, user } = this.checkSpec(job.spec);
    const folder = this.jobFolder(job.jobId);
    const outputsDir = path.join(folder, 'outputs');
    prepareJobFolder(outputsDir, user, this.identity);
    const paramsFile = path.join(folder, 'params.json');
    fs.rmSync(paramsFile, { force: true });
    fs.writeFileSync(paramsFile, JSON.stringify(job.spec.hyperparameters, null, 2), { mode: 0o400 });
    if (this.identity.uid === 0) fs.lchownSync(paramsFile, user.uid, user.gid);
    // Retries share the first attempt's folder, so they find its checkpoints.
    const checkpointDir = job.spec.checkpoint ? path.join(this.jobFolder(job.rootJobId), 'checkpoints') : null;
    if (checkpointDir) prepareJobFolder(checkpointDir, user, this.identity, { recursive: true });
    for (const workspace of writableWorkspacesToChown(mounts, user, this.identity)) handOverWorkspace(workspace, user);
    const spec: JobSpec = { ...job.spec, mounts: mounts.map(({ requested: _requested, ...mount }) => mount) };
    return { spec, user, outputsDir, paramsFile, checkpointDir };
  }

  /** Where the job reaches Orrery's MLflow API, and the token it logs with. */
  private endpointFor(job: StoredJob): { uri: string; token: string } {
    return this.deps.trackingEndpoint(job.runId);
  }

  private async start(job: StoredJob, gpuIndices: number[]): Promise<void> {
    let running: RunningJob;
    let prepared: Prepared;
    try {
      prepared = this.prepare(job);
      const endpoint = this.endpointFor(job);
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
      this.writeLog(job, 'orrery', `Could not start: ${reason}`);
      this.end(job, { job: 'failed', run: 'FAILED', reason: `could not start: ${reason}` }, null);
      return;
    }
    this.began(job, running, gpuIndices, prepared.user, []);
  }

  /** Records a started job (running, its runner, image and user) and follows it. */
  private began(job: StoredJob, running: RunningJob, gpuIndices: number[], user: JobUser, extraTags: Array<{ key: string; value: string }>): void {
    this.deps.jobs.markRunning(job.jobId, { runner: running.runner, handle: running.handle, gpuIndices, now: this.now() });
    this.deps.tracking.updateRun(job.runId, { status: 'RUNNING' });
    const tags = [
      { key: 'orrery.runner', value: running.runner },
      ...(running.imageDigest ? [{ key: 'orrery.image.digest', value: running.imageDigest }] : []),
      { key: JOB_USER_TAG, value: userString(user) },
      { key: JOB_USER_SOURCE_TAG, value: user.source },
      ...extraTags,
    ];
    this.deps.tracking.logBatch(job.runId, { metrics: [], params: [], tags });
    this.publish(job.jobId);
    this.follow({ ...job, gpuIndices, startedAt: this.now() }, running);
  }

  /** Best effort: a deleted run keeps what it had. */
  private tagRun(runId: string, tags: Array<{ key: string; value: string }>): void {
    try {
      this.deps.tracking.logBatch(runId, { metrics: [], params: [], tags });
    } catch {
      // The run was deleted; the job's log still says what happened.
    }
  }

  /**
   * Folders of jobs from before outputs were made the job user's were world-writable (0777):
   * tighten them to 0700, in the background after start.
   */
  private async tightenJobFolders(): Promise<void> {
    const root = path.join(this.deps.dataDir, 'jobs');
    let ids: string[];
    try {
      ids = await fs.promises.readdir(root);
    } catch {
      return;
    }
    for (const id of ids) {
      if (this.closed) return;
      for (const name of ['outputs', 'checkpoints']) {
        const dir = path.join(root, id, name);
        try {
          const stat = await fs.promises.lstat(dir);
          if (stat.isDirectory() && (stat.mode & 0o077) !== 0) await fs.promises.chmod(dir, 0o700);
        } catch {
          // Not there: nothing to tighten.
        }
      }
    }
  }

  /** Logs, metric lines, early stopping, the time limit and system metrics, until the job ends. */
  private follow(job: StoredJob, running: RunningJob): void {
    const log = fs.createWriteStream(this.logFile(job.jobId), { flags: 'a' });
    log.on('error', (error) => console.error(`[training] log of job ${job.jobId}:`, error.message));
    const entry: Active = { job, running, cause: null, log, cleanup: [() => log.end()] };
    this.active.set(job.jobId, entry);
    const lineState = createMetricLineState();
    running.onLine((stream, line) => {
      this.writeLog(job, stream, line, log);
      if (stream !== 'stdout') return;
      const parsed = parseMetricLine(line, lineState);
      if (!parsed) return;
      if ('error' in parsed) return this.writeLog(job, 'orrery', parsed.error, log);
      const timestamp = parsed.timestamp ?? this.now();
      try {
        this.deps.tracking.logBatch(job.runId, { metrics: parsed.metrics.map((m) => ({ ...m, step: parsed.step, timestamp })), params: [], tags: [] });
      } catch (error) {
        this.writeLog(job, 'orrery', `metrics line not logged: ${error instanceof Error ? error.message : String(error)}`, log);
      }
    });
    const { earlyStopping, maxRuntimeSeconds } = job.spec;
    if (this.closed) return;
    if (earlyStopping) {
      const watcher = new EarlyStopping(earlyStopping);
      entry.cleanup.push(
        this.deps.bus.subscribe('tracking.metrics', (event) => {
          if (event.runId !== job.runId || entry.cause) return;
          for (const metric of event.latest) {
            if (metric.key !== earlyStopping.metric) continue;
            const value = typeof metric.value === 'number' ? metric.value : Number(metric.value);
            const verdict = watcher.observe(metric.step, value);
            if (verdict.stop) void this.stopActive(job.jobId, { kind: 'early-stop', reason: verdict.reason ?? 'early stopping' });
          }
        }),
      );
    }
    if (maxRuntimeSeconds) {
      const elapsed = job.startedAt ? (this.now() - job.startedAt) / 1000 : 0;
      const timer = setTimeout(() => void this.stopActive(job.jobId, { kind: 'timeout', seconds: maxRuntimeSeconds }), Math.max(0, maxRuntimeSeconds - elapsed) * 1000);
      entry.cleanup.push(() => clearTimeout(timer));
    }
    const sampler = setInterval(() => void this.sampleSystem(job, running), this.deps.systemMetricsIntervalMs ?? 5000);
    sampler.unref();
    entry.cleanup.push(() => clearInterval(sampler));
    void running.wait().then((exit) => this.finish(job.jobId, exit));
  }

  private async sampleSystem(job: StoredJob, running: RunningJob): Promise<void> {
    const step = Math.round((this.now() - (job.startedAt ?? this.now())) / 1000);
    const timestamp = this.now();
    const metrics: Array<{ key: string; value: number; step: number; timestamp: number }> = [];
    const stats = await running.stats().catch(() => null);
    // A container that has just exited reports zeros: that is not a reading of the job.
    if (stats && stats.memoryBytes > 0) {
      metrics.push({ key: 'system/cpu_percent', value: stats.cpuPercent, step, timestamp });
      metrics.push({ key: 'system/memory_mb', value: stats.memoryBytes / 1024 / 1024, step, timestamp });
    }
    if (job.gpuIndices.length && this.deps.gpuSamples) {
      const samples = await this.deps.gpuSamples().catch(() => []);
      for (const sample of samples.filter((s) => job.gpuIndices.includes(s.index))) {
        if (sample.utilizationPercent !== null) metrics.push({ key: `system/gpu_${sample.index}_utilization`, value: sample.utilizationPercent, step, timestamp });
        if (sample.memoryUsedMb !== null) metrics.push({ key: `system/gpu_${sample.index}_memory_mb`, value: sample.memoryUsedMb, step, timestamp });
      }
    }
    if (metrics.length === 0 || !this.active.has(job.jobId)) return;
    try {
      this.deps.tracking.logBatch(job.runId, { metrics, params: [], tags: [] });
    } catch {
      // The run may have been deleted meanwhile; system metrics are best effort.
    }
  }

  private async stopActive(jobId: string, cause: StopCause): Promise<void> {
    const entry = this.active.get(jobId);
    if (!entry || entry.cause) return;
    entry.cause = cause;
    this.writeLog(entry.job, 'orrery', `Stopping: ${cause.kind === 'early-stop' ? cause.reason : cause.kind === 'timeout' ? 'time limit reached' : 'cancelled'}`);
    await entry.running.stop(STOP_GRACE_SECONDS);
  }

  private async finish(jobId: string, exit: JobExit): Promise<void> {
    const entry = this.active.get(jobId);
    if (!entry) return;
    this.active.delete(jobId);
    const outcome = outcomeOf(exit, entry.cause, entry.job.spec.resources.memoryGb);
    this.writeLog(entry.job, 'orrery', `Ended: ${outcome.reason}`, entry.log);
    for (const fn of entry.cleanup) fn();
    await this.collectOutputs(entry.job).catch((error: unknown) =>
      this.writeLog(entry.job, 'orrery', `outputs not collected: ${error instanceof Error ? error.message : String(error)}`),
    );
    this.pruneCheckpoints(entry.job);
    this.end(entry.job, outcome, exit.exitCode);
    const retriesLeft = entry.job.spec.retries - (entry.job.attempt - 1);
    if (outcome.job === 'failed' && entry.cause === null && retriesLeft > 0) {
      try {
        this.enqueue(entry.job.spec, entry.job.attempt + 1, entry.job.runId, {
          rootJobId: entry.job.rootJobId,
          ...(entry.job.sweepRunId ? { sweepRunId: entry.job.sweepRunId, maxParallel: entry.job.maxParallel ?? 1, extraTags: [{ key: PARENT_TAG, value: entry.job.sweepRunId }] } : {}),
        });
      } catch {
        // The experiment or store refused the new attempt; this attempt's end stands.
      }
    }
  }

  private end(job: StoredJob | Job, outcome: Outcome, exitCode: number | null, endedAt = this.now()): void {
    this.deps.jobs.markEnded(job.jobId, { status: outcome.job, exitCode, reason: outcome.reason, endedAt });
    this.deps.resources.release(job.jobId);
    try {
      this.deps.tracking.logBatch(job.runId, {
        metrics: [],
        params: [],
        tags: [{ key: 'orrery.end_reason', value: outcome.reason }, ...(exitCode === null ? [] : [{ key: 'orrery.exit_code', value: String(exitCode) }])],
      });
      this.deps.tracking.updateRun(job.runId, { status: outcome.run, endTime: endedAt });
    } catch {
      // A deleted run keeps its last state; the job row still says how it ended.
    }
    this.publish(job.jobId);
    const stored = this.deps.jobs.get(job.jobId);
    if (stored?.sweepRunId) this.updateSweep(stored.sweepRunId);
    this.schedule();
  }

  /** Keeps the newest `keepLast` entries of the job's checkpoint folder. */
  private pruneCheckpoints(job: StoredJob): void {
    if (!job.spec.checkpoint) return;
    const dir = path.join(this.jobFolder(job.rootJobId), 'checkpoints');
    const entries = fs
      .readdirSync(dir)
      .map((name) => ({ name, mtime: fs.statSync(path.join(dir, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
    for (const old of entries.slice(job.spec.checkpoint.keepLast)) fs.rmSync(path.join(dir, old.name), { recursive: true, force: true });
  }

  /** Files the job left in its outputs folder become the run's artifacts. */
  private async collectOutputs(job: StoredJob): Promise<void> {
    const root = path.join(this.jobFolder(job.jobId), 'outputs');
    const walk = async (dir: string, prefix: string[]): Promise<void> => {
      for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full, [...prefix, entry.name]);
        else if (entry.isFile()) await this.deps.artifacts.write(job.experimentId, job.runId, [...prefix, entry.name], fs.createReadStream(full));
      }
    };
    await walk(root, []);
  }

  private writeLog(job: StoredJob | Job, stream: JobLogLine['stream'], line: string, log?: fs.WriteStream): void {
    const entry: JobLogLine = { jobId: job.jobId, runId: job.runId, stream, line, at: this.now() };
    const text = `${JSON.stringify(entry)}\n`;
    if (log) log.write(text);
    else fs.appendFileSync(this.logFile(job.jobId), text);
    this.deps.bus.publish('training.log', entry);
  }

  private publish(jobId: string): void {
    this.deps.bus.publish('training.job', this.get(jobId));
  }

  private withPositions(jobs: StoredJob[]): Job[] {
    const queue = this.deps.jobs
      .queue()
      .filter((j) => !this.deps.resources.allocationOf(j.jobId))
      .map((j) => j.jobId);
    return jobs.map(({ handle: _handle, ...job }) => {
      const at = queue.indexOf(job.jobId);
      return { ...job, queuePosition: job.status === 'queued' && at >= 0 ? at + 1 : null };
    });
  }

  private jobFolder(jobId: string): string {
    const folder = path.join(this.deps.dataDir, 'jobs', jobId);
    fs.mkdirSync(folder, { recursive: true });
    return folder;
  }

  private logFile(jobId: string): string {
    return path.join(this.jobFolder(jobId), 'log.jsonl');
  }
}
