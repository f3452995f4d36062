import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { LocalImage } from '../../../shared/contract/training';
import type { JobSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import { gpuEnvFor } from './gpu-env';
import type { JobExit, JobLauncher, LaunchRequest, RunningJob } from './job-launcher';
import { LineSplitter } from '../streams/line-splitter';
import { hyperparameterArgs } from './container-spec';
import { jobEnvironment } from './job-environment';
import { jobUidFor, orreryIdentity, UNPRIVILEGED_GID, UNPRIVILEGED_UID, type ProcessIdentity } from './job-user';
import { killJobUid, processesOf, removeStaleStagings, stage, type Staging } from './process-staging';
import { processPaths } from './process-paths';
import { accessProblem } from './folder-access';

export { STAGING_MARKER } from './process-staging';

/**
 * Runs a job as a plain process, for machines without Docker: the same environment, logs and
 * metrics as a container, but no isolation; GPUs are chosen with CUDA_VISIBLE_DEVICES. The
 * image is ignored (the command runs on the host), and the outputs folder is passed in
 * ORRERY_OUTPUTS_DIR instead of being mounted at /orrery/outputs. Mounts are not mounted: the
 * working directory and command arguments inside a mount's target are translated to its host
 * folder (see process-paths.ts), and nothing is made read-only.
 *
 * When Orrery runs as root the process drops to the job's user (never root unless the spec allows
 * it). That user cannot reach the job's folders inside Orrery's data dir (0700), so it works in a
 * staging folder under the OS temp dir (root's; only its outputs, checkpoints and home in it are the
 * job's): the params file is copied there, checkpoints are moved in, and at exit, once every process
 * of the job is killed, its outputs and checkpoints are moved back (see process-staging.ts) where
 * Orrery collects and keeps them. A job that would run as the shared unprivileged uid gets a uid
 * of its own instead (see JOB_UID_BASE).
 */
export class ProcessLauncher implements JobLauncher {
  readonly kind = 'process' as const;

  constructor(private readonly identity: ProcessIdentity = orreryIdentity()) {
    // Staging folders of jobs that were running when an earlier Orrery died without collecting them.
    removeStaleStagings(identity);
  }

  async validate(spec: JobSpec): Promise<void> {
    // Alone, this launcher has no engine to hand such a job to (RunnerChoiceLauncher may have).
    if (spec.runner === 'docker') throw new OrreryError('INVALID_INPUT', "spec.runner: this queue runs jobs only as plain processes (it has no Docker engine); use runner 'process' or start Docker.");
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
    const paths = processPaths(spec);
    const notices = [...paths.notices];
    const [program, ...args] = [...paths.command, ...(spec.passHyperparametersAsArgs ? hyperparameterArgs(spec.hyperparameters) : [])];
    // Only root can become another user; anyone else runs the job as itself (chooseJobUser says so).
    const drop = this.identity.uid === 0 && request.user.uid !== 0;
    const ownUid = drop && request.user.source === 'unprivileged' && process.platform === 'linux' ? this.ownUid(request) : null;
    const user = request.user;
    let staging: Staging | null = null;
    try {
      if (drop) notices.push(...checkReachable(spec, paths.cwd, user));
      staging = drop ? stage(request, this.identity) : null;
    } catch (error) {
      if (ownUid !== null) jobUids.delete(ownUid);
      throw error;
    }
    const inherited = { ...process.env };
    // Orrery's own API token, when it was given one this way, is not the job's to have.
    delete inherited.ORRERY_TOKEN;
    const release = () => {
      if (ownUid !== null) jobUids.delete(ownUid);
    };
    let child: ChildProcess;
    try {
      child = spawn(program!, args, {
        cwd: paths.cwd,
        env: {
          ...inherited,
          // The job's own env with container paths translated; Orrery's variables still win.
          ...jobEnvironment({ ...request, spec: { ...spec, env: paths.env } }),
          ...gpuEnvFor(request.gpuIndices),
          ORRERY_OUTPUTS_DIR: staging?.outputsDir ?? request.outputsDir,
          ORRERY_PARAMS_FILE: staging?.paramsFile ?? request.paramsFile,
          ...(request.checkpointDir ? { ORRERY_CHECKPOINT_DIR: staging?.checkpointDir ?? request.checkpointDir } : {}),
          // root's HOME is not readable by the job's user; its staging folder holds one of its own.
          ...(staging ? { HOME: staging.homeDir, USER: String(user.uid), LOGNAME: String(user.uid) } : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: at exit, whatever it left running in the background is killed too.
        detached: true,
        ...(drop ? { uid: user.uid, gid: user.gid } : {}),
      });
    } catch (error) {
      staging?.unstage(() => undefined);
      release();
      throw new OrreryError('INVALID_INPUT', `spec.command: could not start '${program}': ${error instanceof Error ? error.message : String(error)}`);
    }
    const started = await new Promise<Error | null>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', (error) => resolve(error));
    });
    if (started) {
      staging?.unstage(() => undefined);
      release();
      throw new OrreryError('INVALID_INPUT', `spec.command: could not start '${program}'${drop ? ` as uid ${user.uid}` : ''}: ${started.message}`);
    }
    // A failed kill later must not become an uncaught 'error'.
    child.on('error', () => undefined);
    const pid = child.pid!;
    groups.add(pid);
    const listeners: Array<(stream: 'stdout' | 'stderr' | 'orrery', line: string) => void> = [];
    const emit = (stream: 'stdout' | 'stderr') => new LineSplitter((line) => listeners.forEach((l) => l(stream, line)));
    const out = emit('stdout');
    const err = emit('stderr');
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    const warn = (line: string) => listeners.forEach((l) => l('stderr', `[orrery] ${line}`));
    let closed = false;
    child.once('close', () => void (closed = true));
    const exited = new Promise<JobExit>((resolve) => {
      child.once('exit', (code, signal) => {
        // Nothing of the job may outlive it and race the collection of its outputs.
        killGroup(pid, 'SIGKILL');
        groups.delete(pid);
        if (ownUid !== null) killJobUid(ownUid);
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          clearTimeout(timer);
          let error: string | null = null;
          try {
            out.end();
            err.end();
            const failure = staging?.unstage(warn) ?? null;
            const exitCode = code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGTERM' ? 143 : null);
            if (failure) error = `${exitCode === null ? `ended (${signal ?? 'no exit code'})` : `exited with code ${exitCode}`}, but ${failure}`;
          } catch (e) {
            error = `could not be collected: ${e instanceof Error ? e.message : String(e)}`;
          } finally {
            release();
          }
          resolve({ exitCode: code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGTERM' ? 143 : null), oomKilled: false, error });
        };
        // Its pipes close once the group is gone; one held by a process that escaped it is given up on.
        const timer = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          end();
        }, 5000);
        if (closed) end();
        else child.once('close', end);
      });
    });
    return {
      runner: 'process',
      handle: String(pid),
      imageDigest: null,
      onLine: (listener) => {
        listeners.push(listener);
        // Said once, first, to the follower that writes the job's log.
        if (listeners.length === 1) for (const notice of notices) listener('orrery', notice);
      },
      wait: () => exited,
      async stop(graceSeconds) {
        if (child.exitCode !== null || child.signalCode !== null) return;
        killGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceSeconds * 1000);
        await exited;
        clearTimeout(timer);
      },
      stats: async () => null,
      detach: () => undefined,
    };
  }

  /**
   * A uid (= gid) of the job's own from the reserved range (see JOB_UID_BASE), for a job that would
   * run as the shared unprivileged fallback, so that no other job can read its environment (its
   * tracking token) or signal it. Its folders become that uid's, and so does a writable workspace
   * Orrery has just handed to the fallback user.
   *
   * `request.user` is changed in place: it is the object the run's orrery.job_user tag is written
   * from after launch, which must name the uid the job really runs as.
   */
  private ownUid(request: LaunchRequest): number {
    const uid = jobUidFor(request.jobId, (candidate) => jobUids.has(candidate) || processesOf(candidate).length > 0);
    jobUids.add(uid);
    try {
      request.user.uid = uid;
      request.user.gid = uid;
      fs.lchownSync(request.outputsDir, uid, uid);
      for (const mount of request.spec.mounts) {
        if (mount.kind !== 'workspace' || !mount.writable) continue;
        const stat = fs.lstatSync(mount.source);
        if (stat.isDirectory() && stat.uid === UNPRIVILEGED_UID && stat.gid === UNPRIVILEGED_GID) fs.lchownSync(mount.source, uid, uid);
      }
    } catch (error) {
      jobUids.delete(uid);
      throw error;
    }
    return uid;
  }
}

/**
 * A job that drops to another uid must reach its workspaces and working directory: refused before
 * it starts, naming the folder, rather than failing inside the script. A dataset it cannot read
 * only gets a warning in its log (a job may not open every dataset it is given, as in a container).
 */
function checkReachable(spec: JobSpec, cwd: string | undefined, user: { uid: number; gid: number }): string[] {
  const fix = 'make it (and each folder above it) readable for that user, or mount a folder it can read';
  const warnings: string[] = [];
  spec.mounts.forEach((mount, i) => {
    const problem = accessProblem(mount.source, user);
    if (!problem) return;
    if (mount.kind === 'dataset') warnings.push(`process runner: the job runs as uid ${user.uid}, which cannot read dataset ${mount.source}: ${problem}`);
    else throw new OrreryError('INVALID_INPUT', `spec.mounts[${i}].source: the job runs as uid ${user.uid}, which cannot reach ${mount.source}: ${problem}; ${fix}.`);
  });
  if (cwd !== undefined) {
    const problem = accessProblem(cwd, user);
    if (problem) throw new OrreryError('INVALID_INPUT', `spec.workingDir: the job runs as uid ${user.uid}, which cannot enter ${cwd}: ${problem}; ${fix}.`);
  }
  return warnings;
}

/** Reserved uids held by jobs running in this process. */
const jobUids = new Set<number>();
/** Process groups of jobs running in this process: killed if Orrery exits under them. */
const groups = new Set<number>();
process.once('exit', () => {
  for (const pid of groups) killGroup(pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}
