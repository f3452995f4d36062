import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { LocalImage } from '../../../shared/contract/training';
import type { JobSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import { gpuEnvFor } from './device-requests';
import type { JobExit, JobLauncher, LaunchRequest, RunningJob } from './job-launcher';
import { LineSplitter } from './log-lines';
import { hyperparameterArgs } from './container-spec';
import { jobEnvironment } from './job-environment';

/**
 * Runs a job as a plain process, for machines without Docker: the same environment, logs and
 * metrics as a container, but no isolation; GPUs are chosen with CUDA_VISIBLE_DEVICES. The
 * image is ignored (the command runs on the host), and the outputs folder is passed in
 * ORRERY_OUTPUTS_DIR instead of being mounted at /orrery/outputs.
 */
export class ProcessLauncher implements JobLauncher {
  readonly kind = 'process' as const;

  async validate(spec: JobSpec): Promise<void> {
    if (spec.command.length === 0) throw new OrreryError('INVALID_INPUT', 'spec.command: must have at least the program to run.');
  }

  /** No Docker engine, no images: jobs run on the host as they are. */
  async images(): Promise<LocalImage[]> {
    return [];
  }

  /** A plain process does not outlive Orrery's supervision in a way it can be followed again. */
  async reattach(): Promise<null> {
    return null;
  }

  async launch(request: LaunchRequest): Promise<RunningJob> {
    const { spec } = request;
    const [program, ...args] = [...spec.command, ...(spec.passHyperparametersAsArgs ? hyperparameterArgs(spec.hyperparameters) : [])];
    const child = spawn(program!, args, {
      cwd: spec.workingDir && fs.existsSync(spec.workingDir) ? spec.workingDir : undefined,
      env: {
        ...process.env,
        ...jobEnvironment(request),
        ...gpuEnvFor(request.gpuIndices),
        ORRERY_OUTPUTS_DIR: request.outputsDir,
        ORRERY_PARAMS_FILE: request.paramsFile,
        ...(request.checkpointDir ? { ORRERY_CHECKPOINT_DIR: request.checkpointDir } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = await new Promise<Error | null>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', (error) => resolve(error));
    });
    if (started) throw new OrreryError('INVALID_INPUT', `spec.command: could not start '${program}': ${started.message}`);
    const listeners: Array<(stream: 'stdout' | 'stderr', line: string) => void> = [];
    const emit = (stream: 'stdout' | 'stderr') => new LineSplitter((line) => listeners.forEach((l) => l(stream, line)));
    const out = emit('stdout');
    const err = emit('stderr');
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    const exited = new Promise<JobExit>((resolve) => {
      child.once('close', (code, signal) => {
        out.end();
        err.end();
        resolve({ exitCode: code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGTERM' ? 143 : null), oomKilled: false, error: null });
      });
    });
    return {
      runner: 'process',
      handle: String(child.pid),
      imageDigest: null,
      onLine: (listener) => void listeners.push(listener),
      wait: () => exited,
      async stop(graceSeconds) {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceSeconds * 1000);
        await exited;
        clearTimeout(timer);
      },
      stats: async () => null,
      detach: () => undefined,
    };
  }
}
