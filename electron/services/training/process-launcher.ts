import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LocalImage } from '../../../shared/contract/training';
import type { JobSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import { gpuEnvFor } from './device-requests';
import type { JobExit, JobLauncher, LaunchRequest, RunningJob } from './job-launcher';
import { LineSplitter } from './log-lines';
import { hyperparameterArgs } from './container-spec';
import { jobEnvironment } from './job-environment';
import { chownTree, orreryIdentity, type ProcessIdentity } from './job-user';

/**
 * Runs a job as a plain process, for machines without Docker: the same environment, logs and
 * metrics as a container, but no isolation; GPUs are chosen with CUDA_VISIBLE_DEVICES. The
 * image is ignored (the command runs on the host), and the outputs folder is passed in
 * ORRERY_OUTPUTS_DIR instead of being mounted at /orrery/outputs.
 *
 * When Orrery runs as root the process drops to the job's user (never root unless the spec allows
 * it). That user cannot reach the job's folders inside Orrery's data dir (0700), so it works in a
 * private staging folder under the OS temp dir (0700, its own): the params file is copied there,
 * checkpoints are moved in, and at exit its outputs and checkpoints are moved back where Orrery
 * collects and keeps them.
 */
export class ProcessLauncher implements JobLauncher {
  readonly kind = 'process' as const;

  constructor(private readonly identity: ProcessIdentity = orreryIdentity()) {}

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
    const { spec, user } = request;
    const [program, ...args] = [...spec.command, ...(spec.passHyperparametersAsArgs ? hyperparameterArgs(spec.hyperparameters) : [])];
    // Only root can become another user; anyone else runs the job as itself (chooseJobUser says so).
    const drop = this.identity.uid === 0 && user.uid !== 0;
    const staging = drop ? stage(request) : null;
    const inherited = { ...process.env };
    // Orrery's own API token, when it was given one this way, is not the job's to have.
    delete inherited.ORRERY_TOKEN;
    let child: ChildProcess;
    try {
      child = spawn(program!, args, {
        cwd: spec.workingDir && fs.existsSync(spec.workingDir) ? spec.workingDir : undefined,
        env: {
          ...inherited,
          ...jobEnvironment(request),
          ...gpuEnvFor(request.gpuIndices),
          ORRERY_OUTPUTS_DIR: staging?.outputsDir ?? request.outputsDir,
          ORRERY_PARAMS_FILE: staging?.paramsFile ?? request.paramsFile,
          ...(request.checkpointDir ? { ORRERY_CHECKPOINT_DIR: staging?.checkpointDir ?? request.checkpointDir } : {}),
          // root's HOME is not readable by the job's user; its staging folder holds one of its own.
          ...(staging ? { HOME: staging.homeDir, USER: String(user.uid), LOGNAME: String(user.uid) } : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(drop ? { uid: user.uid, gid: user.gid } : {}),
      });
    } catch (error) {
      staging?.unstage();
      throw new OrreryError('INVALID_INPUT', `spec.command: could not start '${program}': ${error instanceof Error ? error.message : String(error)}`);
    }
    const started = await new Promise<Error | null>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', (error) => resolve(error));
    });
    if (started) {
      staging?.unstage();
      throw new OrreryError('INVALID_INPUT', `spec.command: could not start '${program}'${drop ? ` as uid ${user.uid}` : ''}: ${started.message}`);
    }
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
        staging?.unstage();
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

interface Staging {
  outputsDir: string;
  paramsFile: string;
  checkpointDir: string | null;
  homeDir: string;
  /** Moves outputs and checkpoints back to Orrery's folders and removes the staging folder. */
  unstage(): void;
}

/** A private folder for a job that runs as another user; see ProcessLauncher. */
function stage(request: LaunchRequest): Staging {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-job-'));
  const outputsDir = path.join(root, 'outputs');
  const paramsFile = path.join(root, 'params.json');
  const homeDir = path.join(root, 'home');
  const checkpointDir = request.checkpointDir ? path.join(root, 'checkpoints') : null;
  fs.mkdirSync(outputsDir, { mode: 0o700 });
  fs.mkdirSync(homeDir, { mode: 0o700 });
  fs.copyFileSync(request.paramsFile, paramsFile);
  fs.chmodSync(paramsFile, 0o400);
  if (checkpointDir && request.checkpointDir) {
    fs.mkdirSync(checkpointDir, { mode: 0o700 });
    moveEntries(request.checkpointDir, checkpointDir);
  }
  chownTree(root, request.user);
  fs.lchownSync(root, request.user.uid, request.user.gid);
  let done = false;
  return {
    outputsDir,
    paramsFile,
    checkpointDir,
    homeDir,
    unstage() {
      if (done) return;
      done = true;
      try {
        moveEntries(outputsDir, request.outputsDir);
        if (checkpointDir && request.checkpointDir) moveEntries(checkpointDir, request.checkpointDir);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

/** Moves every entry of `from` into `to` (a rename, or a copy where they are on different disks); symlinks stay symlinks. */
function moveEntries(from: string, to: string): void {
  for (const name of fs.readdirSync(from)) {
    const source = path.join(from, name);
    const target = path.join(to, name);
    fs.rmSync(target, { recursive: true, force: true });
    try {
      fs.renameSync(source, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      fs.cpSync(source, target, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      fs.rmSync(source, { recursive: true, force: true });
    }
  }
}
