import path from 'node:path';
import type Docker from 'dockerode';
import { OrreryError } from '../../../shared/errors';
import { LABEL_EXPERIMENT_ID, LABEL_JOB_ID, LABEL_MANAGED, LABEL_RUN_ID } from './container-spec';
import { engineGpuRefusal } from './device-requests';
import { demuxFrames, engineSince, LineSplitter, splitFrames, stripTimestamp } from './log-lines';

/**
 * The slice of dockerode the runner uses. Pass a real `new Docker(...)` without a `timeout`:
 * dockerode's timeout is a socket idle timeout, and `wait()` and a followed log stream sit idle for
 * as long as a job runs.
 */
export type DockerRunnerEngine = Pick<Docker, 'getImage' | 'listImages' | 'createContainer' | 'getContainer' | 'listContainers' | 'modem'>;

export type LogStream = 'stdout' | 'stderr';

/** Stops following; `done` settles once the stream has ended, with the error that ended it or null. */
export type LogFollower = (() => void) & { readonly done: Promise<Error | null> };

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

export interface ManagedContainer {
  containerId: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  jobId: string | null;
  runId: string | null;
  experimentId: string | null;
  /** The engine's state: created, running, paused, restarting, removing, exited or dead. */
  state: string;
  /** Null while the container has not finished. */
  exitCode: number | null;
  oomKilled: boolean;
  /** Epoch milliseconds. */
  startedAt: number | null;
  finishedAt: number | null;
}

/** A job container that was created but never started, as the next start needs to judge it. */
export interface CreatedContainer {
  containerId: string;
  jobId: string | null;
  runId: string | null;
  /** Bind mounts (from HostConfig.Mounts, HostConfig.Binds and the engine's mount list together). */
  mounts: Array<{ source: string; target: string; readOnly: boolean }>;
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

/** Runs training containers on a Docker engine: start, logs, wait, stop, stats, and reattach. */
export class DockerRunner {
  constructor(private readonly docker: DockerRunnerEngine) {}

  /**
   * Creates and starts a container from `buildContainerSpec`'s options. The image must already be
   * on this machine (nothing is ever pulled). A container the engine will not start is removed
   * again, so a refusal leaves nothing behind.
   */
  async start(spec: Docker.ContainerCreateOptions): Promise<StartedContainer> {
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
      await this.checkCommand(container, spec, image);
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

  /**
   * Follows a container's output as whole lines, stdout and stderr apart. `since` (epoch
   * milliseconds) skips what was written before, for reattaching. Lines keep arriving until the
   * container stops or the returned function is called.
   *
   * The engine (20.10) can end a followed stream before it has sent a last line that has no
   * newline. So frames carry the engine's timestamps, and once the stream ends the messages after
   * the last one received are read again, without following, and delivered: nothing twice.
   */
  followLogs(containerId: string, onLine: (stream: LogStream, line: string) => void, since?: number): LogFollower {
    const container = this.docker.getContainer(containerId);
    let stopped = false;
    let stream: NodeJS.ReadableStream | null = null;
    const splitters: Record<LogStream, LineSplitter> = {
      stdout: new LineSplitter((line) => {
        if (!stopped) onLine('stdout', line);
      }),
      stderr: new LineSplitter((line) => {
        if (!stopped) onLine('stderr', line);
      }),
    };
    // The newest message time delivered, and how many messages carried exactly that time.
    let last: bigint | null = null;
    let atLast = 0;
    const deliver = (kind: LogStream, frame: Buffer, skipUpTo: { at: bigint | null; count: number } | null) => {
      const { at, body } = stripTimestamp(frame);
      if (at !== null && skipUpTo !== null && skipUpTo.at !== null) {
        if (at < skipUpTo.at) return;
        if (at === skipUpTo.at && skipUpTo.count > 0) {
          skipUpTo.count -= 1;
          return;
        }
      }
      if (at !== null) {
        if (last !== null && at === last) atLast += 1;
        else if (last === null || at > last) {
          last = at;
          atLast = 1;
        }
      }
      splitters[kind].push(body);
    };
    const sink = (kind: LogStream) =>
      ({
        // demuxStream writes each frame whole, in one call.
        write: (frame: Buffer) => {
          deliver(kind, frame, null);
          return true;
        },
      }) as unknown as NodeJS.WritableStream;
    const sinceOption = since === undefined ? undefined : engineSince(BigInt(Math.round(since * 1000)) * 1000n);

    const done = (async (): Promise<Error | null> => {
      try {
        const opened = await container.logs({ follow: true, stdout: true, stderr: true, timestamps: true, ...(sinceOption ? { since: sinceOption } : {}) });
        if (stopped) {
          destroy(opened);
          return null;
        }
        stream = opened;
        const ended = await new Promise<Error | null>((resolve) => {
          opened.on('end', () => resolve(null));
          opened.on('close', () => resolve(null));
          opened.on('error', (error: Error) => resolve(error));
          this.docker.modem.demuxStream(opened, sink('stdout'), sink('stderr'));
        });
        if (stopped) return null;
        if (ended !== null) return ended;
        // The stream ends as the container stops; its state may say so a moment later.
        let running = true;
        for (let attempt = 0; running && attempt < 20; attempt += 1) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
          running = (await container.inspect()).State.Running;
        }
        if (stopped) return null;
        if (running) return new Error(`The log stream of container ${containerId} ended while the container still runs`);
        const from = last === null ? sinceOption : engineSince(last);
        const rest = await container.logs({ follow: false, stdout: true, stderr: true, timestamps: true, ...(from ? { since: from } : {}) });
        const skip = { at: last, count: atLast };
        for (const frame of splitFrames(Buffer.isBuffer(rest) ? rest : Buffer.from(String(rest)))) deliver(frame.stream, frame.body, skip);
        splitters.stdout.end();
        splitters.stderr.end();
        return null;
      } catch (error) {
        return stopped ? null : asError(error);
      }
    })();

    const stop = () => {
      stopped = true;
      if (stream !== null) destroy(stream);
    };
    return Object.assign(stop, { done });
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

  /** Every container Orrery started, in any state, for reattaching after a restart. */
  async listManaged(): Promise<ManagedContainer[]> {
    let listed: Docker.ContainerInfo[];
    try {
      listed = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`] } });
    } catch (error) {
      throw engineError(error, 'Could not list the containers Orrery started');
    }
    const described = await Promise.all(
      listed.map(async (entry): Promise<ManagedContainer | null> => {
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
          jobId: labels[LABEL_JOB_ID] ?? null,
          runId: labels[LABEL_RUN_ID] ?? null,
          experimentId: labels[LABEL_EXPERIMENT_ID] ?? null,
          state,
          exitCode: finished ? info.State.ExitCode : null,
          oomKilled: info.State.OOMKilled === true,
          startedAt: engineTime(info.State.StartedAt),
          finishedAt: finished ? engineTime(info.State.FinishedAt) : null,
        };
      }),
    );
    return described.filter((entry): entry is ManagedContainer => entry !== null);
  }

  /** Every container Orrery created but never started (Orrery stopped in between), described. */
  async listCreated(): Promise<CreatedContainer[]> {
    let listed: Docker.ContainerInfo[];
    try {
      listed = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`], status: ['created'] } });
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
          jobId: labels[LABEL_JOB_ID] ?? null,
          runId: labels[LABEL_RUN_ID] ?? null,
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

  private async localImage(name: string): Promise<Docker.ImageInspectInfo> {
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
      destroy(response);
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

/** Every bind mount of a container, whichever way it was asked for; one listed twice counts with its most permissive spelling. */
function bindMountsOf(info: Docker.ContainerInspectInfo): CreatedContainer['mounts'] {
  const found = new Map<string, CreatedContainer['mounts'][number]>();
  const add = (source: string | undefined, target: string | undefined, readOnly: boolean) => {
    if (!source || !target) return;
    const key = `${source}\0${target}`;
    const existing = found.get(key);
    found.set(key, { source, target, readOnly: existing ? existing.readOnly && readOnly : readOnly });
  };
  const hostMounts = (info.HostConfig as { Mounts?: Array<{ Type?: string; Source?: string; Target?: string; ReadOnly?: boolean }> }).Mounts ?? [];
  for (const mount of hostMounts) if ((mount.Type ?? 'bind') === 'bind') add(mount.Source, mount.Target, mount.ReadOnly === true);
  for (const bind of info.HostConfig.Binds ?? []) {
    const [source, target, options = ''] = bind.split(':');
    if (source?.startsWith('/')) add(source, target, options.split(',').includes('ro'));
  }
  for (const mount of info.Mounts ?? []) if (mount.Type === 'bind') add(mount.Source, mount.Destination, mount.RW === false);
  return [...found.values()];
}

/** Settings that would give a container more than buildContainerSpec ever asks for. */
function privilegesOf(host: Docker.HostConfig): string[] {
  const out: string[] = [];
  if (host.Privileged) out.push('privileged');
  if ((host.CapAdd ?? []).length > 0) out.push(`added capabilities ${(host.CapAdd ?? []).join(', ')}`);
  if (!(host.CapDrop ?? []).some((cap: string) => cap.toUpperCase() === 'ALL')) out.push('capabilities not dropped');
  if (!(host.SecurityOpt ?? []).some((opt: string) => /^no-new-privileges(?:[:=]true)?$/.test(opt))) out.push('no no-new-privileges');
  if ((host.Devices ?? []).length > 0) out.push('host devices');
  if (host.PidMode === 'host') out.push('host PID namespace');
  if (host.IpcMode === 'host') out.push('host IPC namespace');
  if (host.UsernsMode === 'host') out.push('host user namespace');
  return out;
}

/** The CPU use between the engine's two samples, as `docker stats` computes it. */
export function cpuPercentOf(stats: Pick<Docker.ContainerStats, 'cpu_stats' | 'precpu_stats'>): number {
  const now = stats.cpu_stats;
  const before = stats.precpu_stats;
  const cpuDelta = (now?.cpu_usage?.total_usage ?? 0) - (before?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (now?.system_cpu_usage ?? 0) - (before?.system_cpu_usage ?? 0);
  if (cpuDelta <= 0 || systemDelta <= 0) return 0;
  const cpus = now?.online_cpus || now?.cpu_usage?.percpu_usage?.length || 1;
  return (cpuDelta / systemDelta) * cpus * 100;
}

/** Memory in use less the inactive page cache (cgroup v1 `total_inactive_file`, v2 `inactive_file`). */
export function memoryBytesOf(stats: Pick<Docker.ContainerStats, 'memory_stats'>): number {
  const memory = stats.memory_stats as { usage?: number; stats?: Record<string, number | undefined> } | undefined;
  const usage = memory?.usage ?? 0;
  const inactive = memory?.stats?.['total_inactive_file'] ?? memory?.stats?.['inactive_file'];
  return inactive !== undefined && inactive < usage ? usage - inactive : usage;
}

function findEnv(env: readonly string[] | undefined, name: string): string | undefined {
  const prefix = `${name}=`;
  const entry = [...(env ?? [])].reverse().find((item) => item.startsWith(prefix));
  return entry?.slice(prefix.length);
}

/** The engine's RFC 3339 time as epoch milliseconds; its zero time ("0001-01-01…") is null. */
function engineTime(value: string | undefined): number | null {
  if (value === undefined || value === '' || value.startsWith('0001-')) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

function destroy(stream: NodeJS.ReadableStream): void {
  const destroyable = stream as NodeJS.ReadableStream & { destroy?: () => void };
  if (typeof destroyable.destroy === 'function') destroyable.destroy();
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function statusOf(error: unknown): number | null {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : null;
}

/** The engine's own words: dockerode keeps them under json.message and wraps them in its message. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown } | null)?.json;
  if (json !== null && typeof json === 'object') {
    const message = (json as { message?: unknown }).message;
    if (typeof message === 'string' && message.trim() !== '') return message.trim();
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** An engine failure as an OrreryError: the request's fault (4xx) or the engine's (no answer, 5xx). */
function engineError(error: unknown, context: string): OrreryError {
  if (error instanceof OrreryError) return error;
  const status = statusOf(error);
  const message = `${context}: ${engineMessage(error)}`;
  if (status === 404) return new OrreryError('NOT_FOUND', message);
  if (status === 409) return new OrreryError('CONFLICT', message);
  if (status !== null && status >= 400 && status < 500) return new OrreryError('INVALID_INPUT', message);
  if (status === null) return new OrreryError('UNAVAILABLE', message);
  return new OrreryError('INTERNAL', message);
}
