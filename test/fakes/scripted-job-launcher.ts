import type { JobSpec } from '../../shared/contract/training-spec';
import type { JobExit, JobLauncher, LaunchRequest, RunningJob } from '../../electron/services/training/job-launcher';

/** A job "running" in memory: the test prints its lines and decides when and how it exits. */
export class ScriptedJob implements RunningJob {
  readonly runner = 'process' as const;
  readonly imageDigest = null;
  stopped: number | null = null;
  private readonly listeners: Array<(stream: 'stdout' | 'stderr', line: string) => void> = [];
  private settle!: (exit: JobExit) => void;
  private readonly exit = new Promise<JobExit>((resolve) => (this.settle = resolve));

  constructor(
    readonly request: LaunchRequest,
    readonly handle: string,
  ) {}

  onLine(listener: (stream: 'stdout' | 'stderr', line: string) => void): void {
    this.listeners.push(listener);
  }

  print(line: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    for (const listener of this.listeners) listener(stream, line);
  }

  end(exitCode: number | null, fields: Partial<JobExit> = {}): void {
    this.settle({ exitCode, oomKilled: false, error: null, ...fields });
  }

  wait(): Promise<JobExit> {
    return this.exit;
  }

  async stop(graceSeconds: number): Promise<void> {
    this.stopped = graceSeconds;
    this.end(143);
  }

  async stats(): Promise<{ cpuPercent: number; memoryBytes: number } | null> {
    return null;
  }

  detach(): void {}
}

/** A launcher whose jobs are ScriptedJobs: nothing is started, every launch is recorded. */
export class ScriptedJobLauncher implements JobLauncher {
  readonly kind = 'process' as const;
  readonly launched: ScriptedJob[] = [];

  async validate(_spec: JobSpec): Promise<void> {}

  async launch(request: LaunchRequest): Promise<ScriptedJob> {
    const job = new ScriptedJob(request, `scripted-${this.launched.length + 1}`);
    this.launched.push(job);
    return job;
  }

  async reattach(): Promise<null> {
    return null;
  }
}
