import type Docker from 'dockerode';
import type { LocalImage } from '../../../shared/contract/training';
import type { JobSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import type { ContainerRunner } from '../docker/container-runner';
import { deviceRequestsFor } from '../docker/device-requests';
import { NO_NVIDIA_RUNTIME } from '../docker/gpu-refusal';
import { buildContainerSpec, LABEL_JOB_ID, LABEL_MANAGED } from './container-spec';
import type { JobExit, JobLauncher, LaunchRequest, RunningJob, UnstartedJob } from './job-launcher';
import { userString } from './job-user';

/** The label every job container carries, and nothing else of Orrery's does. */
const JOB_CONTAINERS = { [LABEL_MANAGED]: 'true' };
/** A throwaway container that asks the engine for GPUs before a GPU job is accepted. */
const LABEL_GPU_PROBE = 'dev.orrery.gpu-probe';
const PROBE_TIMEOUT_MS = 30_000;

class ProbeTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Jobs in Docker containers: isolated, limited, and still running after Orrery closes. */
export class DockerLauncher implements JobLauncher {
  readonly kind = 'docker' as const;

  /** Set once the engine has given a probe container GPUs; a refusal is asked again next time. */
  private gpusGranted = false;

  constructor(
    private readonly runner: ContainerRunner,
    private readonly docker: Pick<Docker, 'getImage' | 'listImages'>,
  ) {}

  async validate(spec: JobSpec): Promise<void> {
    // Alone, this launcher has no process runner to hand such a job to (RunnerChoiceLauncher has).
    if (spec.runner === 'process') throw new OrreryError('INVALID_INPUT', "spec.runner: this queue runs jobs only in Docker containers, not as plain processes; leave runner out or set it to 'docker'.");
    try {
      await this.docker.getImage(spec.image).inspect();
    } catch {
      const images = await this.docker.listImages().catch(() => []);
      const tags = images.flatMap((i) => i.RepoTags ?? []).filter((t) => t !== '<none>:<none>').sort();
      throw new OrreryError(
        'INVALID_INPUT',
        `spec.image: '${spec.image}' is not a local image. Local images: ${tags.length ? tags.slice(0, 20).join(', ') : 'none'}. ` +
          'Build one (npm run images builds orrery/python:local) or docker pull it.',
      );
    }
    const gpus = spec.resources.gpus;
    if ((Array.isArray(gpus) ? gpus.length : gpus) > 0 && !this.gpusGranted) await this.probeGpus(spec.image, Array.isArray(gpus) ? gpus : [0]);
  }

  /**
   * Asks the engine itself for GPUs with a throwaway container: an engine without the NVIDIA runtime
   * refuses only when a container starts, and a job refused then would already be queued. The
   * engine picks the device driver before it runs anything, so any other outcome (the command
   * missing from a distroless image included) means GPUs can be had. Hardened like a job, no network.
   */
  private async probeGpus(image: string, indices: readonly number[]): Promise<void> {
    await this.removeProbes();
    let started: { containerId: string } | null = null;
    try {
      started = await withTimeout(
        this.runner.start(
          {
            Image: image,
            Entrypoint: ['true'],
            Cmd: [],
            User: '65534:65534',
            Labels: { [LABEL_GPU_PROBE]: 'true' },
            HostConfig: { NetworkMode: 'none', CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'], DeviceRequests: deviceRequestsFor(indices) },
          },
          { checkCommand: false },
        ),
        PROBE_TIMEOUT_MS,
      );
      this.gpusGranted = true;
    } catch (error) {
      if (error instanceof OrreryError && error.message === NO_NVIDIA_RUNTIME) throw new OrreryError('INVALID_INPUT', `spec.resources.gpus: ${NO_NVIDIA_RUNTIME}`);
      if (error instanceof ProbeTimeout) throw new OrreryError('UNAVAILABLE', 'spec.resources.gpus: the Docker engine did not answer whether it can give containers GPUs; try again.');
      // Refused for another reason: the engine got past choosing the GPU driver.
      this.gpusGranted = true;
    } finally {
      if (started) await this.runner.remove(started.containerId).catch(() => undefined);
    }
  }

  /** Probe containers an earlier probe could not remove (the engine stopped mid-probe). */
  private async removeProbes(): Promise<void> {
    const left = await this.runner.list({ [LABEL_GPU_PROBE]: 'true' }).catch(() => []);
    for (const probe of left) await this.runner.remove(probe.containerId).catch(() => undefined);
  }

  /** Tagged local images, newest first; untagged layers (<none>:<none>) are left out. */
  async images(): Promise<LocalImage[]> {
    const images = await this.docker.listImages();
    return images
      .flatMap((image) =>
        (image.RepoTags ?? [])
          .filter((tag) => tag !== '<none>:<none>')
          .map((tag) => ({ tag, id: image.Id, sizeBytes: image.Size, created: image.Created * 1000 })),
      )
      .sort((a, b) => b.created - a.created || a.tag.localeCompare(b.tag));
  }

  async launch(request: LaunchRequest): Promise<RunningJob> {
    const { spec, checkpointDir, user } = request;
    const withCheckpoint =
      checkpointDir && spec.checkpoint
        ? { ...spec, mounts: [...spec.mounts, { source: checkpointDir, target: spec.checkpoint.dir, kind: 'workspace' as const, writable: true }] }
        : spec;
    const extraEnv: Record<string, string> = {};
    if (spec.checkpoint) extraEnv.ORRERY_CHECKPOINT_DIR = spec.checkpoint.dir;
    // The image's HOME belongs to its own user (or is /nonexistent for nobody): caches (pip, torch
    // hub, matplotlib) would fail there, so a job that is not root gets a writable one.
    if (user.uid !== 0 && spec.env.HOME === undefined) extraEnv.HOME = '/tmp';
    const options = buildContainerSpec({
      jobId: request.jobId,
      runId: request.runId,
      experimentId: request.experimentId,
      spec: withCheckpoint,
      extraEnv,
      gpuIndices: request.gpuIndices,
      trackingUri: request.trackingUri,
      trackingToken: request.trackingToken,
      outputsHostDir: request.outputsDir,
      paramsHostFile: request.paramsFile,
      // Always named, so an image whose user is root still runs as the job's user.
      user: userString(user),
    });
    const started = await this.runner.start(options);
    return this.handle(started.containerId, started.imageDigest, 0);
  }

  async unstarted(): Promise<UnstartedJob[]> {
    const created = await this.runner.listCreated(JOB_CONTAINERS);
    return created.flatMap((container) => {
      const jobId = container.labels[LABEL_JOB_ID];
      return jobId === undefined
        ? []
        : [
            {
              handle: container.containerId,
              jobId,
              mounts: container.mounts,
              user: container.user,
              gpuIndices: container.gpuIds.map(Number).filter((index) => Number.isInteger(index)),
              env: Object.fromEntries(
                container.env.map((entry) => {
                  const at = entry.indexOf('=');
                  return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
                }),
              ),
              privileges: container.privileges,
            },
          ];
    });
  }

  async startUnstarted(handle: string): Promise<RunningJob> {
    const started = await this.runner.startCreated(handle);
    return this.handle(started.containerId, started.imageDigest, 0);
  }

  async discard(handle: string): Promise<void> {
    await this.runner.remove(handle);
  }

  async reattach(handle: string, since: number, runner: 'docker' | 'process'): Promise<RunningJob | { ended: JobExit; finishedAt: number | null } | null> {
    // A process job's handle is a pid, not a container of this engine.
    if (runner !== 'docker') return null;
    const container = (await this.runner.list(JOB_CONTAINERS)).find((c) => c.containerId === handle);
    if (!container) return null;
    if (container.state !== 'running') {
      const exit = await this.runner.wait(handle);
      await this.runner.remove(handle).catch(() => undefined);
      return { ended: { exitCode: exit.exitCode, oomKilled: exit.oomKilled, error: exit.error }, finishedAt: exit.finishedAt };
    }
    return this.handle(handle, null, since);
  }

  private handle(containerId: string, imageDigest: string | null, since: number): RunningJob {
    const listeners: Array<(stream: 'stdout' | 'stderr', line: string) => void> = [];
    const follower = this.runner.followLogs(containerId, (stream, line) => listeners.forEach((l) => l(stream, line)), since || undefined);
    let detached = false;
    const exited = (async (): Promise<JobExit> => {
      const exit = await this.runner.wait(containerId);
      await follower.done; // every line is in before the job is called ended
      // A detached Orrery has not recorded the end yet: the next start reads it from the container.
      if (!detached) await this.runner.remove(containerId).catch(() => undefined);
      return { exitCode: exit.exitCode, oomKilled: exit.oomKilled, error: exit.error };
    })();
    return {
      runner: 'docker',
      handle: containerId,
      imageDigest,
      onLine: (listener) => void listeners.push(listener),
      wait: () => exited,
      stop: (graceSeconds) => this.runner.stop(containerId, graceSeconds),
      stats: () => this.runner.stats(containerId).catch(() => null),
      detach: () => {
        detached = true;
        follower();
      },
    };
  }
}
