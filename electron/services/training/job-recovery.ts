import type { JobBook } from './job-book';
import type { JobFolders, PreparedJob } from './job-folders';
import type { JobFollower } from './job-follower';
import type { JobLauncher, UnstartedJob } from './job-launcher';
import { outcomeOf } from './job-outcome';
import type { JobRepository, StoredJob } from './job-repository';
import type { JobScheduler } from './job-scheduler';
import type { JobSpecCheck } from './job-spec-check';
import { messageOf, RECOVERY_REASON_TAG, RECOVERY_TAG } from './job-tags';
import { userString, type JobUser } from './job-user';
import { checkMountSource, type ResolvedMount } from './mount-policy';
import type { InputHashing } from './input-hashing';
import type { ResourceManager } from './resource-manager';

export interface JobRecoveryDeps {
  book: JobBook;
  jobs: JobRepository;
  launcher: JobLauncher;
  resources: ResourceManager;
  specs: JobSpecCheck;
  folders: JobFolders;
  follower: JobFollower;
  scheduler: JobScheduler;
  hashing: InputHashing;
  endpointFor: (job: StoredJob) => { uri: string; token: string };
}

function isRootUser(user: string): boolean {
  const name = user.split(':')[0] ?? '';
  return name === '' || name === '0' || name === 'root';
}

/**
 * At start: what became of the jobs of the last session. Running ones are followed again (or
 * recorded as ended), containers created but never started are started or removed, hashing
 * starts over, and the queue moves.
 */
export class JobRecovery {
  constructor(private readonly deps: JobRecoveryDeps) {}

  /** At start: follow jobs that kept running while Orrery was closed, record those that ended. */
  async reattach(): Promise<void> {
    const { book, jobs, launcher, resources, follower, hashing } = this.deps;
    for (const job of jobs.list(['running'])) {
      const found = job.handle && job.runner ? await launcher.reattach(job.handle, job.startedAt ?? 0, job.runner) : null;
      if (!found) {
        book.end(job, { job: 'failed', run: 'FAILED', reason: 'Orrery was closed while it ran, and its container or process is gone' }, null);
      } else if ('ended' in found) {
        const outcome = outcomeOf(found.ended, null, job.spec.resources.memoryGb);
        book.end(job, { ...outcome, reason: `${outcome.reason} (while Orrery was closed)` }, found.ended.exitCode, found.finishedAt ?? undefined);
      } else {
        resources.restore({
          jobId: job.jobId,
          gpuIndices: job.gpuIndices,
          gpuUuids: job.gpuIndices.map(() => null),
          cpus: job.spec.resources.cpus ?? 0,
          memoryBytes: (job.spec.resources.memoryGb ?? 0) * 1024 ** 3,
        });
        follower.follow(job, found);
        book.writeLog(job, 'orrery', 'Orrery restarted and is following this job again.');
      }
    }
    await this.recoverUnstarted();
    // Jobs whose inputs were being hashed when Orrery stopped: hash them again.
    for (const job of jobs.staged('hashing-inputs')) {
      if (!hashing.has(job.jobId)) hashing.start([job.jobId], job.spec);
    }
    void this.deps.folders.tighten(() => book.closed);
    this.deps.scheduler.schedule();
  }

  /**
   * After a restart: a job container that was created but never started (Orrery stopped between
   * the two) is started if its job is still queued and it still passes the mount policy and the
   * user rule, and removed otherwise; its run's `orrery.recovery` tag says which, and why.
   * Containers of jobs this store does not know (another Orrery on the same engine) are left alone.
   */
  private async recoverUnstarted(): Promise<void> {
    const { launcher, book, jobs, resources } = this.deps;
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
      const job = jobs.get(container.jobId);
      if (!job) continue;
      let refusal = recovered.has(job.jobId) ? 'another container of this job was started instead' : this.recoveryRefusal(job, container);
      let prepared: PreparedJob | null = null;
      if (refusal === null) {
        try {
          prepared = this.deps.folders.prepare(job);
        } catch (error) {
          refusal = messageOf(error);
        }
      }
      const allocation = refusal === null ? resources.tryAllocate(job.jobId, { ...job.spec.resources, gpus: container.gpuIndices.length ? container.gpuIndices : 0 }) : null;
      if (refusal === null && !allocation) refusal = 'the GPUs, CPUs or memory it was given are taken now';
      if (refusal === null && prepared && allocation) {
        try {
          const running = await launcher.startUnstarted(container.handle);
          recovered.add(job.jobId);
          book.writeLog(job, 'orrery', 'Orrery had created this container but stopped before starting it; started it now.');
          this.deps.scheduler.began(job, running, allocation.gpuIndices, prepared.user, [
            { key: RECOVERY_TAG, value: 'started-after-restart' },
            { key: RECOVERY_REASON_TAG, value: 'created before Orrery stopped; its job is still queued and it still passes the mount policy and the user rule' },
          ]);
          continue;
        } catch (error) {
          resources.release(job.jobId);
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
      book.writeLog(job, 'orrery', `Removed a container Orrery had created but not started before it stopped: ${refusal}.${next}`);
      book.tagRun(job.runId, [
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
      ({ mounts: resolved, user } = this.deps.specs.check(job.spec));
    } catch (error) {
      return `its job no longer passes the mount policy (${messageOf(error)})`;
    }
    const own = this.deps.folders.ownMounts(job);
    for (const mount of container.mounts) {
      if (own.get(mount.source) === mount.target) continue;
      const index = job.spec.mounts.findIndex((m) => m.target === mount.target);
      const wanted = resolved[index];
      if (index < 0 || !wanted) return `it mounts '${mount.source}' at ${mount.target}, which its job does not ask for`;
      try {
        checkMountSource(mount.source, `spec.mounts[${index}].source`, this.deps.specs.policy);
      } catch (error) {
        return `it mounts '${mount.source}', which the mount policy refuses (${messageOf(error)})`;
      }
      if (wanted.source !== mount.source) return `it mounts '${mount.source}' at ${mount.target}, but spec.mounts[${index}].source now resolves to '${wanted.source}'`;
      if (!mount.readOnly && !(wanted.kind === 'workspace' && wanted.writable)) return `it mounts '${mount.source}' writable, and its job asks for it read-only`;
    }
    if (isRootUser(container.user) && !job.spec.allowRoot) return 'it would run as root, and its job does not allow that';
    if (container.user !== userString(user)) return `it would run as '${container.user || 'root'}', not as the job's user ${userString(user)}`;
    if (container.privileges.length > 0) return `it would run with ${container.privileges.join(', ')}`;
    const endpoint = this.deps.endpointFor(job);
    if (container.env.MLFLOW_TRACKING_URI !== endpoint.uri || container.env.MLFLOW_TRACKING_TOKEN !== endpoint.token) {
      return 'the tracking address or token it was given is no longer valid';
    }
    return null;
  }
}
