import path from 'node:path';
import type Docker from 'dockerode';
import { OrreryError } from '../../../shared/errors';
import { bindMountsOf, engineTime, findEnv, privilegesOf, type BindMount } from './container-inspection';
import { destroyStream, followContainerLogs, type LogFollower, type LogStream } from './container-logs';
import { cpuPercentOf, memoryBytesOf } from './container-stats';
import { engineError, engineMessage, statusOf } from './engine-errors';
import { engineGpuRefusal } from './gpu-refusal';
import { demuxFrames } from './log-frames';

/**
 * The slice of dockerode the runner uses. Pass a real `new Docker(...)` without a `timeout`:
 * dockerode's timeout is a socket idle timeout, and `wait()` and a followed log stream sit idle for
 * as long as a job runs.
 */
export type ContainerEngine = Pick<Docker, 'getImage' | 'listImages' | 'createContainer' | 'getContainer' | 'listContainers' | 'modem'>;

export type { LogFollower, LogStream } from './container-logs';

export interface StartedContainer {
  containerId: string;
  /** `repo@sha256:…` when the image came from a registry, else the image id (`sha256:…`). */
  imageDigest: string | null;
}

export interface ContainerExit {
  exitCode: number;
  oomKilled: boolean;
  /** Epoch milliseconds. */
  finishedAt: number | null;
  /** Why the process never ran or died at once (the engine's or docker-init's words), else null. */
  error: string | null;
}

export interface ContainerStatsSample {
  /** Of one CPU: 250 is two and a half cores busy. */
  cpuPercent: number;
  /** In use, without the page cache the kernel can drop (as `docker stats` shows it). */
  memoryBytes: number;
}

export interface ListedContainer {
  containerId: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  /** The engine's state: created, running, paused, restarting, removing, exited or dead. */
  state: string;
  /** Null while the container has not finished. */
  exitCode: number | null;
  oomKilled: boolean;
  /** Epoch milliseconds. */
  startedAt: number | null;
  finishedAt: number | null;
}

/** A container that was created but never started, as the next start needs to judge it. */
export interface CreatedContainer {
  containerId: string;
  labels: Record<string, string>;
  /** Bind mounts (from HostConfig.Mounts, HostConfig.Binds and the engine's mount list together). */
  mounts: BindMount[];
  /** Who it would run as: its User, else its image's User; '' when neither names one (root). */
  user: string;
  env: string[];
  /** The GPU ids it was given (DeviceRequests' DeviceIDs). */
  gpuIds: string[];
  /** What makes it more privileged than the containers buildContainerSpec describes. */
  privileges: string[];
}

const LISTED_IMAGE_TAGS = 20;
/** runc's PATH when the image sets none. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** What docker-init (tini) prints when it cannot exec the command: the engine itself says nothing. */
const INIT_FATAL = /^\[FATAL tini \(\d+\)\] (.+)$/;

/**
 * Runs containers on a Docker engine for any area: create and start (with the labels the caller
 * chose), follow logs, stats, wait for exit, find again by label after a restart, remove. It knows
 * nothing of jobs or replicas; their labels mean something only to the caller.
 */
export class ContainerRunner {
  constructor(private readonly docker: ContainerEngine) {}

  /**
   * Creates and starts a container from `buildContainerSpec`'s options. The image must already be
   * on this machine (nothing is ever pulled). A container the engine will not start is removed
   * again, so a refusal leaves nothing behind.
   */
  async start(spec: Docker.ContainerCreateOptions, options: { checkCommand?: boolean } = {}): Promise<StartedContainer> {
    const imageName = spec.Image;
    if (imageName === undefined || imageName.trim() === '') throw new OrreryError('INVALID_INPUT', 'The container spec names no image');
    const image = await this.localImage(imageName);
    const imageDigest = image.RepoDigests?.[0] ?? image.Id ?? null;

    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(spec);
    } catch (error) {
      throw engineError(error, `Docker could not create the container for ${imageName}`);
    }
    try {
      if (options.checkCommand !== false) await this.checkCommand(container, spec, image);
      await container.start();
    } catch (error) {
      await this.removeQuietly(container.id);
      if (error instanceof OrreryError) throw error;
      const gpuRefusal = engineGpuRefusal(error);
      if (gpuRefusal !== null) throw new OrreryError('UNAVAILABLE', gpuRefusal);
      throw engineError(error, `Docker could not start the container for ${imageName}`);
    }
    return { containerId: container.id, imageDigest };
  }

  /** Follows a container's output as whole lines; see followContainerLogs. */
  followLogs(containerId: string, onLine: (stream: LogStream, line: string) => void, since?: number): LogFollower {
    return followContainerLogs(this.docker, containerId, onLine, since);
  }

  /** Waits for the container to stop (at once if it already has) and says how it ended. */
  async wait(containerId: string): Promise<ContainerExit> {
    const container = this.docker.getContainer(containerId);
    let waited: { StatusCode?: number; Error?: { Message?: string } | null };
    try {
      waited = (await container.wait()) as typeof waited;
    } catch (error) {
      throw engineError(error, `Could not wait for container ${containerId}`);
    }
    const info = await this.inspect(containerId);
    const exitCode = info.State.ExitCode ?? waited.StatusCode ?? -1;
    let error: string | null = info.State.Error || waited.Error?.Message || null;
    // 126 / 127: docker-init could not exec the command (not found, not executable) and said why
    // on stderr; the engine records no error because its own process did start.
    if (error === null && (exitCode === 126 || exitCode === 127)) error = await this.initFailure(container);
    return {
      exitCode,
      oomKilled: info.State.OOMKilled === true,
      finishedAt: engineTime(info.State.FinishedAt),
      error,
    };
  }

  /** SIGTERM, then SIGKILL after `graceSeconds`. A container that already stopped is fine. */
  async stop(containerId: string, graceSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(containerId).stop({ t: Math.max(0, Math.round(graceSeconds)) });
    } catch (error) {
      if (statusOf(error) === 304) return;
      throw engineError(error, `Could not stop container ${containerId}`);
    }
  }

  /** Removes the container (stopping it first if need be). One already gone is fine. */
  async remove(containerId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerId).remove({ force: true, v: true });
    } catch (error) {
      const status = statusOf(error);
      // 409: a removal is already in progress.
      if (status === 404 || (status === 409 && /already in progress/i.test(engineMessage(error)))) return;
      throw engineError(error, `Could not remove container ${containerId}`);
    }
  }

  /** One sample of CPU and memory use; zeros for a container that is not running. */
  async stats(containerId: string): Promise<ContainerStatsSample> {
    let stats: Docker.ContainerStats;
    try {
      stats = await this.docker.getContainer(containerId).stats({ stream: false });
    } catch (error) {
      throw engineError(error, `Could not read the stats of container ${containerId}`);
    }
    return { cpuPercent: cpuPercentOf(stats), memoryBytes: memoryBytesOf(stats) };
  }

  /** Every container carrying all these labels, in any state: for finding them again after a restart. */
  async list(labels: Record<string, string>): Promise<ListedContainer[]> {
    let listed: Docker.ContainerInfo[];
    try {
      listed = await this.docker.listContainers({ all: true, filters: { label: labelFilter(labels) } });
    } catch (error) {
      throw engineError(error, 'Could not list the containers Orrery started');
    }
    const described = await Promise.all(
      listed.map(async (entry): Promise<ListedContainer | null> => {
        let info: Docker.ContainerInspectInfo;
        try {
          info = await this.docker.getContainer(entry.Id).inspect();
        } catch (error) {
          if (statusOf(error) === 404) return null; // removed between the list and the inspect
          throw engineError(error, `Could not inspect container ${entry.Id}`);
        }
        const labels = info.Config.Labels ?? entry.Labels ?? {};
        const state = info.State.Status;
        const finished = state === 'exited' || state === 'dead';
        return {
          containerId: info.Id,
          name: info.Name.replace(/^\//, ''),
          image: info.Config.Image,
          labels,
          state,
          exitCode: finished ? info.State.ExitCode : null,
          oomKilled: info.State.OOMKilled === true,
          startedAt: engineTime(info.State.StartedAt),
          finishedAt: finished ? engineTime(info.State.FinishedAt) : null,
        };
      }),
    );
    return described.filter((entry): entry is ListedContainer => entry !== null);
  }

  /** Every container with these labels that was created but never started (Orrery stopped in between), described. */
  async listCreated(labels: Record<string, string>): Promise<CreatedContainer[]> {
    let listed: Docker.ContainerInfo[];
    try {
      listed = await this.docker.listContainers({ all: true, filters: { label: labelFilter(labels), status: ['created'] } });
    } catch (error) {
      throw engineError(error, 'Could not list the containers Orrery created');
    }
    const described = await Promise.all(
      listed.map(async (entry): Promise<CreatedContainer | null> => {
        let info: Docker.ContainerInspectInfo;
        try {
          info = await this.docker.getContainer(entry.Id).inspect();
        } catch (error) {
          if (statusOf(error) === 404) return null;
          throw engineError(error, `Could not inspect container ${entry.Id}`);
        }
        if (info.State.Status !== 'created') return null;
        const labels = info.Config.Labels ?? entry.Labels ?? {};
        let user = info.Config.User ?? '';
        if (user === '') {
          try {
            user = (await this.docker.getImage(info.Image).inspect()).Config.User ?? '';
          } catch {
            user = ''; // image gone: it would not start anyway, and '' is judged as root
          }
        }
        return {
          containerId: info.Id,
          labels,
          mounts: bindMountsOf(info),
          user,
          env: info.Config.Env ?? [],
          gpuIds: (info.HostConfig.DeviceRequests ?? []).flatMap((request) => request.DeviceIDs ?? []),
          privileges: privilegesOf(info.HostConfig),
        };
      }),
    );
    return described.filter((entry): entry is CreatedContainer => entry !== null);
  }

  /** Starts a container that was created earlier (by `start`, before Orrery stopped). */
  async startCreated(containerId: string): Promise<StartedContainer> {
    const container = this.docker.getContainer(containerId);
    let imageDigest: string | null = null;
    try {
      const info = await container.inspect();
      const image = await this.docker.getImage(info.Image).inspect();
      imageDigest = image.RepoDigests?.[0] ?? image.Id ?? null;
    } catch {
      // The digest is a courtesy; start decides.
    }
    try {
      await container.start();
    } catch (error) {
      if (statusOf(error) === 304) return { containerId, imageDigest }; // already started
      throw engineError(error, `Docker could not start container ${containerId}`);
    }
    return { containerId, imageDigest };
  }

  /** The image as the engine describes it; INVALID_INPUT naming the local images when it is not on this machine. */
  async localImage(name: string): Promise<Docker.ImageInspectInfo> {
    try {
      return await this.docker.getImage(name).inspect();
    } catch (error) {
      if (statusOf(error) !== 404) throw engineError(error, `Could not look up the image ${name}`);
    }
    throw new OrreryError('INVALID_INPUT', `The image ${name} is not on this machine (Orrery never pulls images). ${await this.localTagsSentence()}`);
  }

  private async localTagsSentence(): Promise<string> {
    let images: Docker.ImageInfo[];
    try {
      images = await this.docker.listImages();
    } catch {
      return 'Build it, or pull it with docker pull, first.';
    }
    const tags = [...new Set(images.flatMap((image) => image.RepoTags ?? []).filter((tag) => !tag.startsWith('<none>')))].sort();
    if (tags.length === 0) return 'There are no tagged images on this machine: build one, or pull it with docker pull, first.';
    const shown = tags.slice(0, LISTED_IMAGE_TAGS).join(', ');
    const more = tags.length > LISTED_IMAGE_TAGS ? ` and ${tags.length - LISTED_IMAGE_TAGS} more` : '';
    return `Local images: ${shown}${more}.`;
  }

  /**
   * With Init the engine starts docker-init, which then fails to exec a missing command: the engine
   * reports a started container that exits 127. So look for the program in the created container's
   * filesystem (its mounts included) first, the way runc would resolve it, and refuse only when it
   * is certainly absent; any doubt is left to the engine.
   */
  private async checkCommand(container: Docker.Container, spec: Docker.ContainerCreateOptions, image: Docker.ImageInspectInfo): Promise<void> {
    const entrypoint = spec.Entrypoint ?? image.Config.Entrypoint;
    const argv = [...(typeof entrypoint === 'string' ? [entrypoint] : (entrypoint ?? [])), ...(spec.Cmd ?? image.Config.Cmd ?? [])];
    const program = argv[0];
    if (program === undefined || program === '') return;
    let candidates: string[];
    if (program.includes('/')) {
      candidates = [path.posix.resolve(spec.WorkingDir || image.Config.WorkingDir || '/', program)];
    } else {
      const envPath = findEnv(spec.Env, 'PATH') ?? findEnv(image.Config.Env, 'PATH') ?? DEFAULT_PATH;
      candidates = envPath
        .split(':')
        .filter((dir) => dir.startsWith('/'))
        .map((dir) => path.posix.join(dir, program));
    }
    if (candidates.length === 0) return; // a PATH of relative folders only: leave it to the engine
    for (const candidate of candidates) {
      const found = await this.pathKind(container, candidate);
      if (found !== 'missing') return;
    }
    const runcWords = program.includes('/')
      ? `exec: "${program}": stat ${candidates[0]}: no such file or directory`
      : `exec: "${program}": executable file not found in $PATH`;
    throw new OrreryError('INVALID_INPUT', `The command "${program}" is not in the image ${spec.Image ?? ''} (${runcWords})`);
  }

  /** 'file' (or a link), 'missing', or 'unknown' when the engine could not say. */
  private async pathKind(container: Docker.Container, candidate: string): Promise<'file' | 'missing' | 'unknown'> {
    try {
      const response = (await container.infoArchive({ path: candidate })) as NodeJS.ReadableStream & { headers?: Record<string, unknown> };
      destroyStream(response);
      const header = response.headers?.['x-docker-container-path-stat'];
      if (typeof header !== 'string') return 'unknown';
      const stat = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { mode?: number };
      // Go's os.ModeDir: a directory of that name is skipped, as execvp skips it.
      return typeof stat.mode === 'number' && Math.floor(stat.mode / 2 ** 31) % 2 === 1 ? 'missing' : 'file';
    } catch (error) {
      return statusOf(error) === 404 ? 'missing' : 'unknown';
    }
  }

  private async initFailure(container: Docker.Container): Promise<string | null> {
    try {
      const raw = await container.logs({ stdout: false, stderr: true, tail: 20 });
      const lines = demuxFrames(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))).stderr.split('\n');
      for (const line of lines.reverse()) {
        const match = INIT_FATAL.exec(line.trim());
        if (match?.[1] !== undefined) return match[1];
      }
    } catch {
      // The logs are a courtesy here; the exit code stands on its own.
    }
    return null;
  }

  private async inspect(containerId: string): Promise<Docker.ContainerInspectInfo> {
    try {
      return await this.docker.getContainer(containerId).inspect();
    } catch (error) {
      throw engineError(error, `Could not inspect container ${containerId}`);
    }
  }

  private async removeQuietly(containerId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerId).remove({ force: true, v: true });
    } catch {
      // Already gone, or the engine is: the refusal is the news, not this.
    }
  }
}

/** The engine's label filter: every label must match. */
/** An empty value asks only that the label be present (whatever its value). */
function labelFilter(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([key, value]) => (value === '' ? key : `${key}=${value}`));
}
