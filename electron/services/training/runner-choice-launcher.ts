import type { LocalImage } from '../../../shared/contract/training';
import type { JobSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import type { JobExit, JobLauncher, LaunchRequest, RunningJob, UnstartedJob } from './job-launcher';

export interface RunnerChoice {
  /**
   * Jobs asking for Docker, and jobs asking for nothing while an engine is there: a DockerLauncher,
   * or a RefusedLauncher when DOCKER_HOST names an engine jobs cannot use. Null when no engine answers.
   */
  docker: JobLauncher | null;
  /** Jobs asking to run as plain processes, and jobs asking for nothing while there is no engine. */
  process: JobLauncher;
  /** Why a job asking for Docker is refused when `docker` is null (names spec.runner and the fix). */
  noEngine: string;
}

/**
 * Picks each job's runner from its spec (`runner`), defaulting to Docker when an engine is there
 * and to a plain process when none is. A job that asks for Docker where no engine answers is
 * refused at submit, never run on the host instead.
 *
 * A job that asks for a plain process runs as one even when DOCKER_HOST names an engine jobs cannot
 * use (`docker` a RefusedLauncher): that refusal keeps containers off a remote engine and keeps
 * Orrery from silently running a container's job on the host; a job that explicitly asked for the
 * host neither uses that engine nor is surprised by where it runs.
 *
 * After a restart a job goes back to the launcher that started it, by the runner it was recorded with.
 */
export class RunnerChoiceLauncher implements JobLauncher {
  readonly kind: 'docker' | 'process';

  constructor(private readonly choice: RunnerChoice) {
    this.kind = choice.docker ? 'docker' : 'process';
  }

  async validate(spec: JobSpec): Promise<void> {
    return this.launcherFor(spec.runner ?? this.kind).validate(spec);
  }

  async launch(request: LaunchRequest): Promise<RunningJob> {
    return this.launcherFor(request.spec.runner ?? this.kind).launch(request);
  }

  async reattach(handle: string, since: number, runner: 'docker' | 'process'): Promise<RunningJob | { ended: JobExit; finishedAt: number | null } | null> {
    const launcher = runner === 'process' ? this.choice.process : this.choice.docker;
    // No engine now: its containers are out of reach, as if gone.
    return launcher ? launcher.reattach(handle, since, runner) : null;
  }

  /** The engine's images; none without one (a process job ignores its image). */
  async images(): Promise<LocalImage[]> {
    return (await this.choice.docker?.images?.()) ?? [];
  }

  /** Containers are Docker's alone: created-but-unstarted ones belong to its launcher. */
  async unstarted(): Promise<UnstartedJob[]> {
    return (await this.choice.docker?.unstarted?.()) ?? [];
  }

  async startUnstarted(handle: string): Promise<RunningJob> {
    const docker = this.choice.docker;
    if (!docker?.startUnstarted) throw new OrreryError('INTERNAL', 'no Docker launcher to start a container with');
    return docker.startUnstarted(handle);
  }

  async discard(handle: string): Promise<void> {
    await this.choice.docker?.discard?.(handle);
  }

  private launcherFor(runner: 'docker' | 'process'): JobLauncher {
    if (runner === 'process') return this.choice.process;
    if (!this.choice.docker) throw new OrreryError('INVALID_INPUT', this.choice.noEngine);
    return this.choice.docker;
  }
}
